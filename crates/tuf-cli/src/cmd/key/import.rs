//! `tuf key import`: store an existing PEM private key for a role.

use std::path::PathBuf;

use anyhow::{Context, Result};
use tuf_core::crypto::PrivateKey;
use tuf_repo::KeyStore;

use super::passphrase_from_env;

/// Arguments of `tuf key import`.
#[derive(Debug, clap::Args)]
pub(crate) struct ImportArgs {
    /// Key store directory (created if needed).
    keys: PathBuf,
    /// Role the key is filed under.
    #[arg(long)]
    role: String,
    /// The PEM private key file to import.
    pem: PathBuf,
    /// The imported PEM is encrypted with the passphrase in this variable.
    #[arg(long, value_name = "VAR")]
    pem_passphrase_env: Option<String>,
    /// Encrypt the stored copy with the passphrase in this variable.
    #[arg(long, value_name = "VAR")]
    passphrase_env: Option<String>,
}

impl ImportArgs {
    pub(crate) fn run(self) -> Result<()> {
        let pem_pass = passphrase_from_env(self.pem_passphrase_env.as_deref())?;
        let pass = passphrase_from_env(self.passphrase_env.as_deref())?;
        let text = std::fs::read_to_string(&self.pem)
            .with_context(|| format!("reading {}", self.pem.display()))?;
        let key = PrivateKey::from_pem(&text, pem_pass.as_deref().map(|p| &p[..]))
            .with_context(|| format!("{} is not a usable private key", self.pem.display()))?;
        let mut store = KeyStore::open(&self.keys)?;
        let (keyid, public) = store.import(&self.role, &key, pass.as_deref().map(|p| &p[..]))?;
        println!(
            "{keyid} {} ({}) for role {}",
            public.keytype, public.scheme, self.role
        );
        Ok(())
    }
}
