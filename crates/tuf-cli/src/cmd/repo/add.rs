//! `tuf repo add`: add target files and directory trees, then publish.

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::{KeysArgs, StageArgs, finish, open_for_signing, spinner};

/// Arguments of `tuf repo add`.
#[derive(Debug, clap::Args)]
pub(crate) struct AddArgs {
    /// Repository directory.
    repo: PathBuf,
    #[command(flatten)]
    keys: KeysArgs,
    #[command(flatten)]
    mode: StageArgs,
    /// Files or directories to add, relative to the current directory; they
    /// must lie inside REPO/targets (directories are added recursively).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// JSON object to store as the `custom` field of each added file.
    #[arg(long, value_name = "JSON", value_parser = parse_custom)]
    custom: Option<serde_json::Value>,
}

fn parse_custom(s: &str) -> Result<serde_json::Value, String> {
    match serde_json::from_str(s) {
        Ok(v @ serde_json::Value::Object(_)) => Ok(v),
        Ok(_) => Err("custom must be a JSON object".to_owned()),
        Err(e) => Err(format!("not JSON: {e}")),
    }
}

impl AddArgs {
    pub(crate) fn run(self) -> Result<()> {
        let (mut repo, _store) = open_for_signing(&self.repo, &self.keys)?;
        let mut added = Vec::new();
        for file in &self.files {
            // Paths on the command line are relative to where the user is,
            // not to REPO/targets as the library takes them.
            let abs = std::path::absolute(file).with_context(|| file.display().to_string())?;
            if abs.is_dir() {
                let bar = spinner(&format!("hashing {}", file.display()));
                let result = repo.add_target_tree(&abs, self.custom.clone());
                bar.finish_and_clear();
                added.extend(result?);
            } else {
                added.push(repo.add_target_file(&abs, self.custom.clone())?);
            }
        }
        finish(
            &mut repo,
            &self.mode,
            &format!("signing and publishing {} targets", added.len()),
        )?;
        for t in &added {
            println!("added {} ({} bytes) to {}", t.path, t.length, t.role);
        }
        Ok(())
    }
}
