//! `tuf key list`: what a key store holds (public information only).

use std::path::PathBuf;

use anyhow::{Result, bail};
use tuf_repo::KeyStore;

/// Arguments of `tuf key list`.
#[derive(Debug, clap::Args)]
pub(crate) struct ListArgs {
    /// Key store directory.
    keys: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

impl ListArgs {
    pub(crate) fn run(self) -> Result<()> {
        if !self.keys.is_dir() {
            bail!("key store {} does not exist", self.keys.display());
        }
        let store = KeyStore::open(&self.keys)?;
        let mut out = Vec::new();
        for role in store.roles() {
            for e in store.entries(role) {
                if self.json {
                    out.push(serde_json::json!({
                        "role": role, "keyid": e.keyid, "key": e.public,
                        "file": e.file, "encrypted": e.encrypted,
                    }));
                } else {
                    let enc = if e.encrypted { ", encrypted" } else { "" };
                    println!(
                        "{role}\t{}\t{} ({}{enc})",
                        e.keyid, e.public.keytype, e.public.scheme
                    );
                }
            }
        }
        if self.json {
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        Ok(())
    }
}
