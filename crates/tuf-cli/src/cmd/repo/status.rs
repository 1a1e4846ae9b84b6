//! `tuf repo status`: versions, expiry and signature thresholds.

use std::path::PathBuf;

use anyhow::Result;
use tuf_repo::{Repository, RoleStatus};

use super::{KeysArgs, group_needs};

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
    let pending = r.published_version != Some(r.version);
    let online = r.role == "snapshot" || r.role == "timestamp";
    if pending && online {
        out.push("signed at publish".to_owned());
    } else {
        out.extend(r.signatures.groups.iter().filter_map(group_needs));
    }
    if pending {
        out.push("staged, unpublished".to_owned());
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
                                "unsigned_keyids": g.unsigned,
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
                "staged": repo.has_staged_changes(), "roles": roles,
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
        if repo.has_staged_changes() {
            println!("staged changes in {}/.tuf-repo/staged", self.repo.display());
        }
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
