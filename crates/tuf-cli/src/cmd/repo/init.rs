//! `tuf repo init`: a new repository with freshly generated keys.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use tuf_core::metadata::Threshold;
use tuf_repo::{InitOptions, RepoConfig, Repository, RoleKeySetup};

use crate::cmd::key::{KeyType, passphrase_from_env};

/// Arguments of `tuf repo init`.
#[derive(Debug, clap::Args)]
pub(crate) struct InitArgs {
    /// Repository directory to create.
    repo: PathBuf,
    /// Private key store directory for the generated keys (outside REPO).
    #[arg(long, value_name = "KEYS")]
    keys: PathBuf,
    /// Encrypt the generated key files with the passphrase in this variable.
    #[arg(long, value_name = "VAR")]
    passphrase_env: Option<String>,
    /// Root key types, one key per entry.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "ed25519")]
    root_keys: Vec<KeyType>,
    /// Root signature threshold.
    #[arg(long, default_value_t = 1)]
    root_threshold: u32,
    /// Targets key types, one key per entry.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "ed25519")]
    targets_keys: Vec<KeyType>,
    /// Targets signature threshold.
    #[arg(long, default_value_t = 1)]
    targets_threshold: u32,
    /// Snapshot key types, one key per entry.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "ed25519")]
    snapshot_keys: Vec<KeyType>,
    /// Snapshot signature threshold.
    #[arg(long, default_value_t = 1)]
    snapshot_threshold: u32,
    /// Timestamp key types, one key per entry.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "ed25519")]
    timestamp_keys: Vec<KeyType>,
    /// Timestamp signature threshold.
    #[arg(long, default_value_t = 1)]
    timestamp_threshold: u32,
    /// Validity period of new versions of a role, e.g. `timestamp=6h`,
    /// `targets=30d` (units s, m, h, d). Defaults: root 365d, targets 90d,
    /// snapshot 7d, timestamp 1d; delegated roles follow targets.
    #[arg(long, value_name = "ROLE=PERIOD", value_parser = parse_expiry)]
    expiry: Vec<(String, Duration)>,
    /// Digest algorithms for target files.
    #[arg(long, value_delimiter = ',', default_value = "sha256")]
    target_hashes: Vec<String>,
    /// Publish without consistent snapshots (metadata and targets under
    /// plain names; only for servers that cannot keep old versions).
    #[arg(long)]
    no_consistent_snapshot: bool,
}

fn parse_expiry(s: &str) -> Result<(String, Duration), String> {
    let (role, period) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: expected ROLE=PERIOD, e.g. timestamp=6h"))?;
    Ok((role.to_owned(), parse_period(period)?))
}

/// `30d`, `6h`, `15m`, `90s` (a bare number means days).
pub(crate) fn parse_period(s: &str) -> Result<Duration, String> {
    let (num, unit) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => s.split_at(i),
        None => (s, "d"),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?}: expected a period such as 30d, 6h, 15m or 90s"))?;
    let secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{s:?}: the unit must be s, m, h or d")),
    };
    n.checked_mul(secs)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("{s:?}: too long"))
}

fn setup(role: &str, types: &[KeyType], threshold: u32) -> Result<RoleKeySetup> {
    let threshold =
        Threshold::new(threshold).ok_or_else(|| anyhow!("{role} threshold must be at least 1"))?;
    Ok(RoleKeySetup {
        keys: types.iter().map(|t| t.spec()).collect(),
        threshold,
    })
}

/// Whether `inner` is `outer` or lies below it (paths need not exist yet).
fn is_within(inner: &Path, outer: &Path) -> Result<bool> {
    let abs = |p: &Path| std::path::absolute(p).with_context(|| p.display().to_string());
    Ok(abs(inner)?.starts_with(abs(outer)?))
}

impl InitArgs {
    pub(crate) fn run(self) -> Result<()> {
        if is_within(&self.keys, &self.repo)? {
            bail!(
                "the key store {} must not lie inside the repository {}: whatever is in REPO may be published",
                self.keys.display(),
                self.repo.display()
            );
        }
        let mut config = RepoConfig::default();
        for (role, period) in &self.expiry {
            match role.as_str() {
                "root" => config.expiry.root = *period,
                "targets" => config.expiry.targets = *period,
                "snapshot" => config.expiry.snapshot = *period,
                "timestamp" => config.expiry.timestamp = *period,
                other => {
                    config.expiry.delegated.insert(other.to_owned(), *period);
                }
            }
        }
        config.target_hashes = self.target_hashes.clone();
        let options = InitOptions {
            root: setup("root", &self.root_keys, self.root_threshold)?,
            targets: setup("targets", &self.targets_keys, self.targets_threshold)?,
            snapshot: setup("snapshot", &self.snapshot_keys, self.snapshot_threshold)?,
            timestamp: setup("timestamp", &self.timestamp_keys, self.timestamp_threshold)?,
            consistent_snapshot: !self.no_consistent_snapshot,
            config,
            passphrase: passphrase_from_env(self.passphrase_env.as_deref())?,
            now: None,
        };
        let repo = Repository::init(&self.repo, &self.keys, options)?;
        println!(
            "initialized {}: trust {}/1.root.json; keys in {}",
            self.repo.display(),
            repo.metadata_dir().display(),
            self.keys.display()
        );
        Ok(())
    }
}
