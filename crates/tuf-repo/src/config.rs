//! [`RepoConfig`]: the repository's publishing policy, kept in
//! `REPO/.tuf-repo/config.json` (never served).
//!
//! It says how long each role's new versions stay valid, which digests
//! describe target files, and whether snapshot pins targets files by length
//! and hashes. Nothing here is trusted by clients; it only shapes what we sign.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tuf_core::RoleType;
use tuf_core::metadata::hashes::SUPPORTED_ALGORITHMS;

use crate::error::{RepoError, Result};
use crate::fsio;

const DAY: u64 = 24 * 60 * 60;

/// How long a freshly signed version of each role stays valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiryPolicy {
    /// Root (default 365 days).
    pub root: Duration,
    /// Top-level targets (default 90 days).
    pub targets: Duration,
    /// Snapshot (default 7 days).
    pub snapshot: Duration,
    /// Timestamp (default 1 day).
    pub timestamp: Duration,
    /// Per delegated role; a role not listed uses `targets`.
    #[serde(default)]
    pub delegated: BTreeMap<String, Duration>,
}

impl Default for ExpiryPolicy {
    fn default() -> Self {
        ExpiryPolicy {
            root: Duration::from_secs(365 * DAY),
            targets: Duration::from_secs(90 * DAY),
            snapshot: Duration::from_secs(7 * DAY),
            timestamp: Duration::from_secs(DAY),
            delegated: BTreeMap::new(),
        }
    }
}

impl ExpiryPolicy {
    /// The validity period of `role` (a top-level or delegated name).
    pub fn period(&self, role: &str) -> Duration {
        match RoleType::from_name(role) {
            Some(RoleType::Root) => self.root,
            Some(RoleType::Targets) => self.targets,
            Some(RoleType::Snapshot) => self.snapshot,
            Some(RoleType::Timestamp) => self.timestamp,
            None => self.delegated.get(role).copied().unwrap_or(self.targets),
        }
    }
}

/// The repository's publishing policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoConfig {
    /// Expiry periods.
    pub expiry: ExpiryPolicy,
    /// Digest algorithms for target files (default `["sha256"]`).
    pub target_hashes: Vec<String>,
    /// Whether snapshot lists each targets file's length and sha256 (off by
    /// default, as in python-tuf: versions alone pin them).
    pub snapshot_meta_hashes: bool,
}

impl Default for RepoConfig {
    fn default() -> Self {
        RepoConfig {
            expiry: ExpiryPolicy::default(),
            target_hashes: vec!["sha256".to_owned()],
            snapshot_meta_hashes: false,
        }
    }
}

impl RepoConfig {
    /// Refuse algorithms we cannot compute and an empty list.
    pub(crate) fn validate(&self) -> Result<()> {
        if self.target_hashes.is_empty() {
            return Err(RepoError::UnsupportedHash(String::new()));
        }
        for a in &self.target_hashes {
            if !SUPPORTED_ALGORITHMS.contains(&a.as_str()) {
                return Err(RepoError::UnsupportedHash(a.clone()));
            }
        }
        Ok(())
    }

    pub(crate) fn load(path: &Path) -> Result<Self> {
        let bytes = fsio::read(path)?;
        let config: RepoConfig =
            serde_json::from_slice(&bytes).map_err(|e| RepoError::BadStateFile {
                path: path.to_path_buf(),
                detail: e.to_string(),
            })?;
        config.validate()?;
        Ok(config)
    }

    pub(crate) fn save(&self, path: &Path) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(self).expect("config always serializes");
        fsio::write_one(path, &bytes)
    }
}
