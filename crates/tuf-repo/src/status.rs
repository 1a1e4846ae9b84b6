//! [`Status`]: versions, expiry and signature thresholds of every role in
//! memory, for a CLI's `status` command. Reads nothing new from disk except
//! the roles it reports on; changes nothing.

use tuf_core::DateTime;
use tuf_core::metadata::SignedMeta;

use crate::error::Result;
use crate::repository::Repository;
use crate::signing::SignatureStatus;

/// One role's state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RoleStatus {
    /// Role name.
    pub role: String,
    /// Current version (pending or published).
    pub version: u64,
    /// Version on disk, if published.
    pub published_version: Option<u64>,
    /// Expiry of the current version.
    pub expires: DateTime,
    /// Whether it has expired at the reference time.
    pub expired: bool,
    /// Signatures against thresholds.
    pub signatures: SignatureStatus,
}

/// The repository's state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Status {
    /// Whether consistent snapshots are on.
    pub consistent_snapshot: bool,
    /// Root, timestamp, snapshot, targets, then delegated roles in memory
    /// (all of them after an edit that loaded them; unloaded roles are
    /// only on disk and unchanged).
    pub roles: Vec<RoleStatus>,
}

impl Repository {
    /// Versions, expiry and thresholds of every role in memory.
    pub fn status(&mut self) -> Result<Status> {
        let now = self.now;
        let mut names = vec![
            "root".to_owned(),
            "timestamp".to_owned(),
            "snapshot".to_owned(),
        ];
        names.extend(self.targets.keys().cloned());
        let mut roles = Vec::with_capacity(names.len());
        for name in names {
            let signatures = self.signature_status(&name)?;
            let (expires, published) = match name.as_str() {
                "root" => (self.root.md.signed.expires(), self.root.published),
                "timestamp" => (self.timestamp.md.signed.expires(), self.timestamp.published),
                "snapshot" => (self.snapshot.md.signed.expires(), self.snapshot.published),
                n => {
                    let s = &self.targets[n];
                    (s.md.signed.expires(), s.published)
                }
            };
            roles.push(RoleStatus {
                role: name,
                version: signatures.version,
                published_version: published.map(|v| v.get()),
                expires,
                expired: now >= expires,
                signatures,
            });
        }
        Ok(Status {
            consistent_snapshot: self.consistent_snapshot(),
            roles,
        })
    }
}
