//! `tuf key generate`: a new key for a role, stored in KEYS.

use std::path::PathBuf;

use anyhow::Result;
use tuf_repo::KeyStore;

use super::{KeyType, passphrase_from_env};

/// Arguments of `tuf key generate`.
#[derive(Debug, clap::Args)]
pub(crate) struct GenerateArgs {
    /// Key store directory (created if needed; keep it outside any repository).
    keys: PathBuf,
    /// Role the key is filed under (top-level or delegated role name).
    #[arg(long)]
    role: String,
    /// Key type.
    #[arg(long = "type", value_enum, default_value = "ed25519")]
    key_type: KeyType,
    /// Encrypt the key file with the passphrase in this environment variable.
    #[arg(long, value_name = "VAR")]
    passphrase_env: Option<String>,
    /// Print JSON ({"keyid", "key"}) instead of text.
    #[arg(long)]
    json: bool,
}

impl GenerateArgs {
    pub(crate) fn run(self) -> Result<()> {
        let pass = passphrase_from_env(self.passphrase_env.as_deref())?;
        let mut store = KeyStore::open(&self.keys)?;
        let (keyid, key) = store.generate(
            &self.role,
            self.key_type.spec(),
            pass.as_deref().map(|p| &p[..]),
        )?;
        if self.json {
            let out = serde_json::json!({ "role": self.role, "keyid": keyid, "key": key });
            println!("{}", serde_json::to_string_pretty(&out)?);
        } else {
            println!(
                "{keyid} {} ({}) for role {}",
                key.keytype, key.scheme, self.role
            );
        }
        Ok(())
    }
}
