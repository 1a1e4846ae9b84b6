//! `tuf repo targets`: every target of every published role, in the order a
//! client would search the roles (pre-order over the delegations).

use std::path::PathBuf;

use anyhow::Result;
use tuf_repo::{RepoError, Repository};

/// Arguments of `tuf repo targets`.
#[derive(Debug, clap::Args)]
pub(crate) struct TargetsArgs {
    /// Repository directory.
    repo: PathBuf,
    /// Print JSON ([{"path", "role", "length", "hashes", "custom"}]) instead of text.
    #[arg(long)]
    json: bool,
}

impl TargetsArgs {
    pub(crate) fn run(self) -> Result<()> {
        let mut repo = Repository::open(&self.repo)?;
        let mut rows = Vec::new();
        let mut stack = vec!["targets".to_owned()];
        let mut seen = std::collections::HashSet::new();
        while let Some(role) = stack.pop() {
            if !seen.insert(role.clone()) {
                continue;
            }
            let md = match repo.targets_role(&role) {
                Ok(md) => md,
                // Delegated but never published: it lists nothing yet.
                Err(RepoError::UnknownRole { .. }) if role != "targets" => continue,
                Err(e) => return Err(e.into()),
            };
            for (path, file) in &md.signed.targets {
                rows.push((path.to_owned(), role.clone(), file.clone()));
            }
            let children: Vec<String> = md
                .signed
                .delegations
                .as_ref()
                .map(tuf_core::metadata::Delegations::role_names)
                .unwrap_or_default();
            stack.extend(children.into_iter().rev());
        }
        if self.json {
            let out: Vec<_> = rows
                .iter()
                .map(|(path, role, f)| {
                    serde_json::json!({
                        "path": path, "role": role, "length": f.length,
                        "hashes": f.hashes, "custom": f.custom,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&out)?);
        } else {
            for (path, role, f) in &rows {
                let sha = f.hashes.get("sha256").unwrap_or("-");
                println!("{path}\t{}\t{role}\tsha256:{sha}", f.length);
            }
        }
        Ok(())
    }
}
