//! `tuf repo prune`: delete metadata versions no client can still need.

use std::path::PathBuf;

use anyhow::Result;
use tuf_repo::Repository;

/// Arguments of `tuf repo prune`.
#[derive(Debug, clap::Args)]
pub(crate) struct PruneArgs {
    /// Repository directory.
    repo: PathBuf,
    /// Keep every file the KEEP newest snapshots refer to (at least 1).
    #[arg(long, default_value_t = 3)]
    keep: usize,
    /// Print the removed files as a JSON array instead of text.
    #[arg(long)]
    json: bool,
}

impl PruneArgs {
    pub(crate) fn run(self) -> Result<()> {
        // Only published files are pruned; staged changes do not matter.
        let mut repo = Repository::open_published(&self.repo)?;
        let report = repo.prune(self.keep)?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&report.removed)?);
        } else {
            for f in &report.removed {
                println!("removed {}", f.display());
            }
            println!("{} file(s) removed", report.removed.len());
        }
        Ok(())
    }
}
