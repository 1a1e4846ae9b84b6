//! `tuf repo expire`: a new version of a role with a fresh expiry.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use tuf_core::RoleType;

use super::{KeysArgs, StageArgs, finish, open_for_signing};

/// Arguments of `tuf repo expire`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExpireArgs {
    /// Repository directory.
    repo: PathBuf,
    #[command(flatten)]
    keys: KeysArgs,
    #[command(flatten)]
    mode: StageArgs,
    /// The role: root, targets, snapshot, timestamp or a delegated role.
    role: String,
    /// New validity period in days; it also becomes the role's period for
    /// later versions (default: keep the role's current period).
    #[arg(long)]
    days: Option<u64>,
}

impl ExpireArgs {
    pub(crate) fn run(self) -> Result<()> {
        let (mut repo, _store) = open_for_signing(&self.repo, &self.keys)?;
        let old_config = repo.config().clone();
        if let Some(days) = self.days {
            let period = Duration::from_secs(days.saturating_mul(86_400));
            let mut config = old_config.clone();
            match RoleType::from_name(&self.role) {
                Some(RoleType::Root) => config.expiry.root = period,
                Some(RoleType::Targets) => config.expiry.targets = period,
                Some(RoleType::Snapshot) => config.expiry.snapshot = period,
                Some(RoleType::Timestamp) => config.expiry.timestamp = period,
                None => {
                    config.expiry.delegated.insert(self.role.clone(), period);
                }
            }
            repo.set_config(config)?;
        }
        let result = repo
            .refresh_expiry(&self.role)
            .map_err(anyhow::Error::from)
            .and_then(|()| finish(&mut repo, &self.mode, "publishing"));
        if let Err(e) = result {
            // The period is tooling state saved at once: put it back so a
            // failed command leaves the repository as it was.
            if self.days.is_some() {
                repo.set_config(old_config)?;
            }
            return Err(e);
        }
        let expires = repo
            .status()?
            .roles
            .into_iter()
            .find(|r| r.role == self.role);
        if let Some(r) = expires {
            println!("{} v{} now expires {}", self.role, r.version, r.expires);
        }
        Ok(())
    }
}
