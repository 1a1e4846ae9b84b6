//! `tuf repo publish` and `tuf repo discard`: finish or drop the staged
//! changes.

use std::path::PathBuf;

use anyhow::Result;
use tuf_repo::Repository;

use super::{KeysArgs, publish};

/// Arguments of `tuf repo publish`.
#[derive(Debug, clap::Args)]
pub(crate) struct PublishArgs {
    /// Repository directory.
    repo: PathBuf,
    /// Sign with the keys in this key store as needed (snapshot and
    /// timestamp always need theirs when anything else changed).
    #[arg(long, value_name = "KEYS")]
    keys: Option<PathBuf>,
    /// Read the key store passphrase from this environment variable.
    #[arg(long, value_name = "VAR", requires = "keys")]
    passphrase_env: Option<String>,
}

impl PublishArgs {
    pub(crate) fn run(self) -> Result<()> {
        let mut repo = Repository::open(&self.repo)?;
        if let Some(keys) = &self.keys {
            KeysArgs {
                keys: keys.clone(),
                passphrase_env: self.passphrase_env.clone(),
            }
            .load_into(&mut repo)?;
        }
        publish(
            &mut repo,
            "publishing",
            "see `tuf repo status` for who must still sign",
        )?;
        Ok(())
    }
}

/// Arguments of `tuf repo discard`.
#[derive(Debug, clap::Args)]
pub(crate) struct DiscardArgs {
    /// Repository directory.
    repo: PathBuf,
}

impl DiscardArgs {
    pub(crate) fn run(self) -> Result<()> {
        // The published state only: a staging too broken to load can
        // still be dropped.
        let mut repo = Repository::open_published(&self.repo)?;
        if !repo.has_staged_changes() {
            println!("no staged changes");
            return Ok(());
        }
        repo.discard_staged()?;
        println!("discarded the staged changes");
        Ok(())
    }
}
