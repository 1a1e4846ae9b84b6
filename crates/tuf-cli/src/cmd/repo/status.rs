//! `tuf repo status`: versions, expiry and signature thresholds.

use std::path::PathBuf;

use anyhow::Result;
use tuf_repo::{Repository, RoleStatus};

use super::KeysArgs;

/// Arguments of `tuf repo status`.
#[derive(Debug, clap::Args)]
pub(crate) struct StatusArgs {
    /// Repository directory.
    repo: PathBuf,
    /// Also count the missing signatures the keys in this key store could make.
    #[arg(long, value_name = "KEYS")]
    keys: Option<PathBuf>,
    /// Read the key store passphrase from this environment variable.
    #[arg(long, value_name = "VAR", requires = "keys")]
    passphrase_env: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// What a role needs, in a few words.
fn needs(r: &RoleStatus) -> String {
    let mut out = Vec::new();
    if r.expired {
        out.push("EXPIRED: run `tuf repo expire`".to_owned());
    }
    for g in &r.signatures.groups {
        if g.signed < g.threshold {
            let whose = if g.previous_root {
                " of the previous root's keys"
            } else {
                ""
            };
            out.push(format!(
                "needs {} more signature(s){whose}",
                g.threshold - g.signed
            ));
        }
    }
    if r.published_version != Some(r.version) {
        out.push("unpublished".to_owned());
    }
    if out.is_empty() {
        "ok".to_owned()
    } else {
        out.join("; ")
    }
}

impl StatusArgs {
    pub(crate) fn run(self) -> Result<()> {
        let mut repo = Repository::open(&self.repo)?;
        if let Some(keys) = &self.keys {
            KeysArgs {
                keys: keys.clone(),
                passphrase_env: self.passphrase_env.clone(),
            }
            .load_into(&mut repo)?;
        }
        let status = repo.status()?;
        if self.json {
            let roles: Vec<_> = status
                .roles
                .iter()
                .map(|r| {
                    let groups: Vec<_> = r
                        .signatures
                        .groups
                        .iter()
                        .map(|g| {
                            serde_json::json!({
                                "threshold": g.threshold, "signed": g.signed,
                                "can_sign": g.can_sign, "previous_root": g.previous_root,
                            })
                        })
                        .collect();
                    serde_json::json!({
                        "role": r.role, "version": r.version,
                        "published_version": r.published_version,
                        "expires": r.expires.to_string(), "expired": r.expired,
                        "threshold_met": r.signatures.threshold_met(),
                        "signatures": groups, "needs": needs(r),
                    })
                })
                .collect();
            let out = serde_json::json!({
                "repository": self.repo, "consistent_snapshot": status.consistent_snapshot,
                "roles": roles,
            });
            println!("{}", serde_json::to_string_pretty(&out)?);
            return Ok(());
        }
        println!(
            "{} (consistent snapshots {})",
            self.repo.display(),
            if status.consistent_snapshot {
                "on"
            } else {
                "off"
            }
        );
        println!(
            "{:<12} {:>7}  {:<20}  {:<10}  STATE",
            "ROLE", "VERSION", "EXPIRES", "SIGNED"
        );
        for r in &status.roles {
            let signed: Vec<String> = r
                .signatures
                .groups
                .iter()
                .map(|g| format!("{}/{}", g.signed, g.threshold))
                .collect();
            println!(
                "{:<12} {:>7}  {:<20}  {:<10}  {}",
                r.role,
                r.version,
                r.expires.to_string(),
                signed.join("+"),
                needs(r)
            );
        }
        Ok(())
    }
}
