//! `tuf repo verify`: check the published repository as a client would.

use std::path::PathBuf;

use anyhow::{Result, bail};
use tuf_repo::{Problem, Repository};

/// Arguments of `tuf repo verify`.
#[derive(Debug, clap::Args)]
pub(crate) struct VerifyArgs {
    /// Repository directory.
    repo: PathBuf,
    /// Print JSON ({"ok", "root_versions", "roles", "targets_checked",
    /// "problems"}) instead of text; the exit code still tells ok (0) or not (1).
    #[arg(long)]
    json: bool,
}

fn describe(p: &Problem) -> String {
    match p {
        Problem::MissingMetadata { file } => format!("{}: missing", file.display()),
        Problem::Metadata { file, error } => format!("{}: {error}", file.display()),
        Problem::InvalidRoleName { role, reason } => {
            format!("role {role:?}: no file can hold it: {reason}")
        }
        Problem::RootJsonStale => "root.json differs from the newest N.root.json".to_owned(),
        Problem::TargetMissing { target, file } => {
            format!("target {target}: {} is missing", file.display())
        }
        Problem::TargetMismatch {
            target,
            file,
            error,
        } => format!("target {target}: {}: {error}", file.display()),
        other => format!("{other:?}"),
    }
}

impl VerifyArgs {
    pub(crate) fn run(self) -> Result<()> {
        // What is published, whatever is staged.
        let repo = Repository::open_published(&self.repo)?;
        let report = repo.verify()?;
        let problems: Vec<String> = report.problems.iter().map(describe).collect();
        if self.json {
            let roles: Vec<_> = report
                .roles
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "role": r.role, "version": r.version, "expires": r.expires.to_string(),
                    })
                })
                .collect();
            let out = serde_json::json!({
                "ok": report.is_ok(), "root_versions": report.root_versions,
                "roles": roles, "targets_checked": report.targets_checked,
                "problems": problems,
            });
            println!("{}", serde_json::to_string_pretty(&out)?);
        } else {
            println!(
                "root chain: {}",
                report
                    .root_versions
                    .iter()
                    .map(|v| format!("v{v}"))
                    .collect::<Vec<_>>()
                    .join(" -> ")
            );
            for r in &report.roles {
                println!("{} v{} ok, expires {}", r.role, r.version, r.expires);
            }
            println!("{} target files checked", report.targets_checked);
            for p in &problems {
                println!("PROBLEM: {p}");
            }
        }
        if !problems.is_empty() {
            bail!(
                "{} problem(s) found; a client would reject this repository",
                problems.len()
            );
        }
        Ok(())
    }
}
