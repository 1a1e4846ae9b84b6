//! `tuf repo remove`: stop listing targets, then publish.

use std::path::PathBuf;

use anyhow::Result;

use super::{KeysArgs, StageArgs, finish, open_for_signing};

/// Arguments of `tuf repo remove`.
#[derive(Debug, clap::Args)]
pub(crate) struct RemoveArgs {
    /// Repository directory.
    repo: PathBuf,
    #[command(flatten)]
    keys: KeysArgs,
    #[command(flatten)]
    mode: StageArgs,
    /// Target paths to remove (as listed, e.g. `docs/a.md`). Their files
    /// under REPO/targets are left in place.
    #[arg(required = true, value_name = "TARGET")]
    targets: Vec<String>,
}

impl RemoveArgs {
    pub(crate) fn run(self) -> Result<()> {
        let (mut repo, _store) = open_for_signing(&self.repo, &self.keys)?;
        let mut removed = Vec::new();
        for t in &self.targets {
            removed.push((t, repo.remove_target(t)?));
        }
        finish(&mut repo, &self.mode, "publishing")?;
        for (t, role) in removed {
            println!("removed {t} from {role}");
        }
        Ok(())
    }
}
