//! `tuf repo rotate-key`: replace one key of a role by another.

use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};
use tuf_core::RoleType;
use tuf_core::metadata::KeyId;

use super::{KeysArgs, StageArgs, finish, open_for_signing};

/// Arguments of `tuf repo rotate-key`.
#[derive(Debug, clap::Args)]
pub(crate) struct RotateKeyArgs {
    /// Repository directory.
    repo: PathBuf,
    #[command(flatten)]
    keys: KeysArgs,
    #[command(flatten)]
    mode: StageArgs,
    /// The role: root, targets, snapshot, timestamp or a delegated role.
    role: String,
    /// Key id of the new key; KEYS must hold it (`tuf key generate` prints it).
    #[arg(long, value_name = "KEYID")]
    new: String,
    /// Key id of the key to replace (default: the role's only key).
    #[arg(long, value_name = "KEYID")]
    old: Option<String>,
}

impl RotateKeyArgs {
    pub(crate) fn run(self) -> Result<()> {
        let (mut repo, store) = open_for_signing(&self.repo, &self.keys)?;
        let new_id = KeyId::new(self.new.clone());
        let new_key = store
            .roles()
            .flat_map(|r| store.entries(r))
            .find(|e| e.keyid == new_id)
            .map(|e| e.public.clone())
            .ok_or_else(|| anyhow!("the key store has no key {}", self.new))?;
        let top = RoleType::from_name(&self.role);
        let old = match (&self.old, top) {
            (Some(id), _) => KeyId::new(id.clone()),
            (None, Some(role)) => {
                let ids = &repo.root().signed.role(role).keyids;
                match ids.as_slice() {
                    [only] => only.clone(),
                    _ => bail!(
                        "{} has {} keys: say which one with --old",
                        self.role,
                        ids.len()
                    ),
                }
            }
            (None, None) => bail!("say which key of {} to replace with --old", self.role),
        };
        let id = match top {
            Some(role) => repo.rotate_root_key(role, &old, new_key)?,
            None => {
                let id = repo.add_delegated_key(&self.role, new_key)?;
                repo.revoke_delegated_key(&self.role, &old)?;
                id
            }
        };
        finish(&mut repo, &self.mode, "publishing")?;
        println!("{}: key {old} replaced by {id}", self.role);
        Ok(())
    }
}
