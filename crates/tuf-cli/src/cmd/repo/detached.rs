//! `tuf repo export-signable` and `tuf repo import-signature`: detached
//! signing of a staged role by a key that never comes near the repository.
//!
//! The exported bytes are the canonical JSON of the role's `signed` object
//! (what every TUF signature covers); the JSON envelope says which role and
//! version they are and which key ids may sign them. The imported signature
//! is verified against those bytes before it is staged.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use tuf_core::metadata::{KeyId, Signature};
use tuf_repo::{RepoError, Repository};

use super::{group_needs, print_staged};

/// Arguments of `tuf repo export-signable`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExportSignableArgs {
    /// Repository directory.
    repo: PathBuf,
    /// The staged role: root, targets or a delegated role.
    role: String,
    /// Write the bytes to sign to FILE (the JSON then names the file
    /// instead of holding them).
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Lower-case hex of `bytes`.
fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of `bytes` in hex, for the signer to compare.
fn sha256_hex(bytes: &[u8]) -> String {
    let hashes =
        tuf_core::metadata::hashes::digest_bytes(bytes, &["sha256"]).expect("sha256 is supported");
    hashes
        .iter()
        .next()
        .map(|(_, h)| h.to_owned())
        .expect("one algorithm asked for")
}

/// Open REPO and check that `role` has a staged version to sign.
fn open_signable(repo: &Path, role: &str) -> Result<Repository> {
    if role == "snapshot" || role == "timestamp" {
        return Err(RepoError::SignedAtPublish {
            role: role.to_owned(),
        }
        .into());
    }
    let mut r = Repository::open(repo)?;
    if !r.signature_status(role)?.pending {
        return Err(RepoError::NothingToSign {
            role: role.to_owned(),
        }
        .into());
    }
    Ok(r)
}

impl ExportSignableArgs {
    pub(crate) fn run(self) -> Result<()> {
        let mut repo = open_signable(&self.repo, &self.role)?;
        let status = repo.signature_status(&self.role)?;
        let bytes = repo.signable_bytes(&self.role)?;
        let mut may_sign: Vec<&KeyId> = status.groups.iter().flat_map(|g| &g.unsigned).collect();
        may_sign.sort();
        may_sign.dedup();
        let groups: Vec<_> = status
            .groups
            .iter()
            .map(|g| {
                serde_json::json!({
                    "threshold": g.threshold, "signed": g.signed,
                    "unsigned_keyids": g.unsigned, "previous_root": g.previous_root,
                    "needs": group_needs(g),
                })
            })
            .collect();
        let mut envelope = serde_json::json!({
            "role": self.role,
            "version": status.version,
            "sha256": sha256_hex(&bytes),
            "keyids": may_sign,
            "groups": groups,
            "import": format!(
                "tuf repo import-signature {} {} --keyid KEYID --sig HEX",
                self.repo.display(),
                self.role
            ),
        });
        match &self.output {
            Some(file) => {
                std::fs::write(file, &bytes)
                    .with_context(|| format!("writing {}", file.display()))?;
                envelope["file"] = serde_json::json!(file);
            }
            None => {
                let text = String::from_utf8(bytes).context("canonical JSON is UTF-8")?;
                envelope["signable"] = serde_json::json!(text);
            }
        }
        println!("{}", serde_json::to_string_pretty(&envelope)?);
        Ok(())
    }
}

/// Arguments of `tuf repo import-signature`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("signature").required(true).args(["sig", "file"])))]
pub(crate) struct ImportSignatureArgs {
    /// Repository directory.
    repo: PathBuf,
    /// The staged role the signature is for.
    role: String,
    /// Key id of the signing key, as the role's delegation lists it.
    #[arg(long, value_name = "KEYID")]
    keyid: String,
    /// The signature in hex.
    #[arg(long, value_name = "HEX")]
    sig: Option<String>,
    /// A file holding the signature: hex text, or the raw signature bytes.
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
}

/// `text` as lower-case hex if it is hex (whitespace around it ignored).
fn as_hex(text: &[u8]) -> Option<String> {
    let t = std::str::from_utf8(text).ok()?.trim();
    (!t.is_empty() && t.len() % 2 == 0 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| t.to_ascii_lowercase())
}

impl ImportSignatureArgs {
    pub(crate) fn run(self) -> Result<()> {
        let sig = match (&self.sig, &self.file) {
            (Some(hex), _) => match as_hex(hex.as_bytes()) {
                Some(h) => h,
                None => bail!("--sig must be the signature in hex"),
            },
            (None, Some(file)) => {
                let bytes =
                    std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
                if bytes.is_empty() {
                    bail!("{} is empty", file.display());
                }
                as_hex(&bytes).unwrap_or_else(|| to_hex(&bytes))
            }
            (None, None) => unreachable!("clap requires --sig or --file"),
        };
        let mut repo = open_signable(&self.repo, &self.role)?;
        repo.import_signature(
            &self.role,
            Signature {
                keyid: KeyId::new(self.keyid.clone()),
                sig,
                unrecognized: Default::default(),
            },
        )?;
        repo.stage()?;
        println!(
            "{}: signature by {} verified and staged",
            self.role, self.keyid
        );
        print_staged(&mut repo)
    }
}
