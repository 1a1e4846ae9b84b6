//! `tuf repo bins`: TAP 15 succinct hashed bins.

use std::path::PathBuf;

use anyhow::{Result, anyhow};
use tuf_core::metadata::Threshold;
use tuf_repo::BinsSpec;

use super::{KeysArgs, StageArgs, finish, open_for_signing, public_keys};

/// Arguments of `tuf repo bins`.
#[derive(Debug, clap::Args)]
pub(crate) struct BinsArgs {
    /// Repository directory.
    repo: PathBuf,
    #[command(flatten)]
    keys: KeysArgs,
    #[command(flatten)]
    mode: StageArgs,
    /// Number of bins as a power of two: 2^BITS bins (1..=32).
    #[arg(long)]
    bits: u8,
    /// Bins are named PREFIX-INDEX, the index in hexadecimal.
    #[arg(long, default_value = "bin")]
    prefix: String,
    /// The role whose targets the bins take over; it must not delegate yet.
    #[arg(long, default_value = "targets")]
    delegator: String,
    /// Use the keys KEYS files under this name for every bin (default: PREFIX).
    #[arg(long, value_name = "NAME")]
    key_role: Option<String>,
    /// Signatures every bin needs.
    #[arg(long, default_value_t = 1)]
    threshold: u32,
}

impl BinsArgs {
    pub(crate) fn run(self) -> Result<()> {
        let (mut repo, store) = open_for_signing(&self.repo, &self.keys)?;
        let key_role = self.key_role.as_deref().unwrap_or(&self.prefix);
        let keys = public_keys(&store, key_role)?;
        let spec = BinsSpec {
            bit_length: self.bits,
            name_prefix: self.prefix.clone(),
            threshold: Threshold::new(self.threshold)
                .ok_or_else(|| anyhow!("the threshold must be at least 1"))?,
            keys,
        };
        let names = repo.add_succinct_bins(&self.delegator, spec)?;
        finish(
            &mut repo,
            &self.mode,
            &format!("signing and publishing {} bins", names.len()),
        )?;
        println!(
            "{} now delegates to {} bins {}..{}",
            self.delegator,
            names.len(),
            names.first().map_or("", String::as_str),
            names.last().map_or("", String::as_str)
        );
        Ok(())
    }
}
