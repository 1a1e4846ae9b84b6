//! `tuf key ...`: private keys in a key store directory (KEYS), kept apart
//! from any repository. Each key is filed under a role name, which is how
//! `tuf repo` commands find the keys of a role.
//!
//! Passphrases are read only from an environment variable named with
//! `--passphrase-env VAR`, never from the command line, where other users
//! could see them in the process list.

mod generate;
mod import;
mod list;

use anyhow::{Context, Result, bail};
use tuf_core::crypto::{KeySpec, RsaScheme};
use zeroize::Zeroizing;

/// `tuf key` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum KeyCommand {
    /// Generate a key for a role in the key store KEYS (created if needed).
    ///
    /// Prints the key id and the public key as metadata lists it.
    ///
    /// Examples:
    ///   tuf key generate KEYS --role alice --type ecdsa
    ///   TUF_PASS=... tuf key generate KEYS --role root --type rsa --passphrase-env TUF_PASS
    Generate(generate::GenerateArgs),
    /// Import a PEM private key (PKCS#8, SEC1 or PKCS#1) for a role.
    ///
    /// Example: tuf key import KEYS --role bins ./bins-key.pem
    Import(import::ImportArgs),
    /// List the key store's roles, key ids and key types.
    ///
    /// Example: tuf key list KEYS --json
    List(list::ListArgs),
}

impl KeyCommand {
    pub(crate) fn run(self) -> Result<()> {
        self.dispatch().map_err(crate::cmd::repo::one_line)
    }

    fn dispatch(self) -> Result<()> {
        match self {
            KeyCommand::Generate(a) => a.run(),
            KeyCommand::Import(a) => a.run(),
            KeyCommand::List(a) => a.run(),
        }
    }
}

/// Key types `tuf` can generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum KeyType {
    /// Ed25519 (`ed25519`).
    Ed25519,
    /// ECDSA on P-256 (`ecdsa-sha2-nistp256`).
    #[value(alias = "ecdsa-p256")]
    Ecdsa,
    /// ECDSA on P-384 (`ecdsa-sha2-nistp384`).
    EcdsaP384,
    /// ECDSA on P-521 (`ecdsa-sha2-nistp521`).
    EcdsaP521,
    /// RSA 3072 bits with RSASSA-PSS and SHA-256 (`rsassa-pss-sha256`).
    Rsa,
}

impl KeyType {
    pub(crate) fn spec(self) -> KeySpec {
        match self {
            KeyType::Ed25519 => KeySpec::Ed25519,
            KeyType::Ecdsa => KeySpec::EcdsaP256,
            KeyType::EcdsaP384 => KeySpec::EcdsaP384,
            KeyType::EcdsaP521 => KeySpec::EcdsaP521,
            KeyType::Rsa => KeySpec::Rsa {
                bits: 3072,
                scheme: RsaScheme::PssSha256,
            },
        }
    }
}

/// The passphrase in environment variable `var`, if a variable is named.
/// A named but unset or empty variable is an error, not "no passphrase".
pub(crate) fn passphrase_from_env(var: Option<&str>) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let Some(var) = var else {
        return Ok(None);
    };
    let value = std::env::var_os(var)
        .with_context(|| format!("environment variable {var} (--passphrase-env) is not set"))?;
    if value.is_empty() {
        bail!("environment variable {var} (--passphrase-env) is empty");
    }
    Ok(Some(Zeroizing::new(value.into_encoded_bytes())))
}
