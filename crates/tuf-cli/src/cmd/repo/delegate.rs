//! `tuf repo delegate`: trust a new role for path patterns or hash prefixes.

use std::path::PathBuf;

use anyhow::{Result, anyhow};
use tuf_core::metadata::{PathScope, Threshold};
use tuf_repo::DelegationSpec;

use super::{KeysArgs, StageArgs, finish, open_for_signing, public_keys};

/// Arguments of `tuf repo delegate`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("scope").required(true).args(["paths", "hash_prefixes"])))]
pub(crate) struct DelegateArgs {
    /// Repository directory.
    repo: PathBuf,
    #[command(flatten)]
    keys: KeysArgs,
    #[command(flatten)]
    mode: StageArgs,
    /// Name of the new role.
    name: String,
    /// Path patterns the role is trusted for (`*` and `?` never cross `/`).
    #[arg(long, value_delimiter = ',', value_name = "PATTERN")]
    paths: Vec<String>,
    /// Hex prefixes of SHA-256(target path) the role is trusted for.
    #[arg(long, value_delimiter = ',', value_name = "HEX")]
    hash_prefixes: Vec<String>,
    /// The role that delegates (default: the top-level targets role).
    #[arg(long, default_value = "targets")]
    delegator: String,
    /// Use the keys KEYS files under this name (default: the role's name).
    #[arg(long, value_name = "NAME")]
    key_role: Option<String>,
    /// Signatures the role needs.
    #[arg(long, default_value_t = 1)]
    threshold: u32,
    /// A match ends the client's search: roles delegated after this one are
    /// not consulted for these paths.
    #[arg(long)]
    terminating: bool,
}

impl DelegateArgs {
    pub(crate) fn run(self) -> Result<()> {
        let (mut repo, store) = open_for_signing(&self.repo, &self.keys)?;
        let key_role = self.key_role.as_deref().unwrap_or(&self.name);
        let keys = public_keys(&store, key_role)?;
        let scope = if self.paths.is_empty() {
            PathScope::HashPrefixes(self.hash_prefixes)
        } else {
            PathScope::Paths(self.paths)
        };
        let spec = DelegationSpec {
            name: self.name.clone(),
            scope,
            threshold: Threshold::new(self.threshold)
                .ok_or_else(|| anyhow!("the threshold must be at least 1"))?,
            terminating: self.terminating,
            keys,
        };
        repo.add_delegation(&self.delegator, spec)?;
        finish(&mut repo, &self.mode, "publishing")?;
        println!("{} now delegates to {}", self.delegator, self.name);
        Ok(())
    }
}
