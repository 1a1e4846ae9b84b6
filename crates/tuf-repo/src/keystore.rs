//! [`KeyStore`]: private keys in a directory of their own, outside the
//! published repository (architecture decision 11, F-75).
//!
//! Contract:
//! - Each key is one PKCS#8 PEM file `<encoded role>-<keyid prefix>.pem`,
//!   encrypted (PBES2) when a passphrase is given, created with mode 0600
//!   and never overwritten.
//! - `keys.json` maps each role name to its key files and public keys, so a
//!   key loads with the exact keytype, scheme and key id that metadata uses.
//! - Nothing here is ever written below a repository directory by this crate.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tuf_core::crypto::{KeySpec, PrivateKey, Signer};
use tuf_core::metadata::{Key, KeyId, encode_role_name};

use crate::error::{RepoError, Result};
use crate::fsio;

const INDEX: &str = "keys.json";

/// One key file of a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyEntry {
    /// File name inside the key store directory.
    pub file: String,
    /// The key id metadata uses for it.
    pub keyid: KeyId,
    /// The public key as metadata lists it.
    pub public: Key,
    /// Whether the PEM is passphrase-encrypted.
    pub encrypted: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Index {
    roles: BTreeMap<String, Vec<KeyEntry>>,
}

/// A directory of private keys with an index by role.
#[derive(Debug)]
pub struct KeyStore {
    dir: PathBuf,
    index: Index,
}

impl KeyStore {
    /// Open (creating if needed) the key store at `dir`.
    pub fn open(dir: &Path) -> Result<Self> {
        if !dir.exists() {
            fsio::create_dir(dir)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                    .map_err(|e| RepoError::io(crate::error::IoOp::Write, dir, e))?;
            }
        }
        let path = dir.join(INDEX);
        let index = match fsio::read_optional(&path)? {
            None => Index::default(),
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| RepoError::BadStateFile {
                path: path.clone(),
                detail: e.to_string(),
            })?,
        };
        Ok(KeyStore {
            dir: dir.to_path_buf(),
            index,
        })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Generate a key for `role`, store it and return its public half.
    pub fn generate(
        &mut self,
        role: &str,
        spec: KeySpec,
        passphrase: Option<&[u8]>,
    ) -> Result<(KeyId, Key)> {
        let key = PrivateKey::generate(spec)?;
        self.import(role, &key, passphrase)
    }

    /// [`generate`](Self::generate), also handing back the private key so it
    /// can sign at once without being decrypted again.
    pub(crate) fn generate_signer(
        &mut self,
        role: &str,
        spec: KeySpec,
        passphrase: Option<&[u8]>,
    ) -> Result<(KeyId, Key, PrivateKey)> {
        let key = PrivateKey::generate(spec)?;
        let (id, public) = self.import(role, &key, passphrase)?;
        Ok((id, public, key))
    }

    /// Store an existing private key for `role`; returns its key id and public key.
    pub fn import(
        &mut self,
        role: &str,
        key: &PrivateKey,
        passphrase: Option<&[u8]>,
    ) -> Result<(KeyId, Key)> {
        let public = key.public_key();
        let keyid = public.compute_keyid();
        let entries = self.index.roles.entry(role.to_owned()).or_default();
        if entries.iter().any(|e| e.keyid == keyid) {
            return Ok((keyid, public));
        }
        let prefix: String = keyid.as_str().chars().take(16).collect();
        let file = format!("{}-{prefix}.pem", encode_role_name(role));
        let pem = key.to_pem(passphrase)?;
        let path = self.dir.join(&file);
        fsio::create_private(&path, pem.as_bytes())?;
        entries.push(KeyEntry {
            file,
            keyid: keyid.clone(),
            public: public.clone(),
            encrypted: passphrase.is_some(),
        });
        if let Err(e) = self.save() {
            // Keep index and files in step: forget the key we could not record.
            let _ = fsio::remove(&path);
            if let Some(entries) = self.index.roles.get_mut(role) {
                entries.retain(|e| e.keyid != keyid);
            }
            return Err(e);
        }
        Ok((keyid, public))
    }

    fn save(&self) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(&self.index).expect("index always serializes");
        fsio::write_one(&self.dir.join(INDEX), &bytes)
    }

    /// The key entries of `role` (empty if none).
    pub fn entries(&self, role: &str) -> &[KeyEntry] {
        self.index.roles.get(role).map_or(&[], Vec::as_slice)
    }

    /// Roles with at least one key.
    pub fn roles(&self) -> impl Iterator<Item = &str> {
        self.index.roles.keys().map(String::as_str)
    }

    /// Load every key of `role`. [`RepoError::MissingKey`] if it has none;
    /// [`RepoError::KeyFile`] for a wrong passphrase or a corrupt file.
    pub fn load(&self, role: &str, passphrase: Option<&[u8]>) -> Result<Vec<PrivateKey>> {
        let entries = self.entries(role);
        if entries.is_empty() {
            return Err(RepoError::MissingKey {
                role: role.to_owned(),
            });
        }
        entries
            .iter()
            .map(|e| self.load_entry(e, passphrase))
            .collect()
    }

    /// Load one key by key id, whichever role it is filed under.
    pub fn load_keyid(&self, keyid: &KeyId, passphrase: Option<&[u8]>) -> Result<PrivateKey> {
        let entry = self
            .index
            .roles
            .values()
            .flatten()
            .find(|e| &e.keyid == keyid)
            .ok_or_else(|| RepoError::MissingKey {
                role: format!("keyid {keyid}"),
            })?;
        self.load_entry(entry, passphrase)
    }

    fn load_entry(&self, e: &KeyEntry, passphrase: Option<&[u8]>) -> Result<PrivateKey> {
        let path = self.dir.join(&e.file);
        let pem = fsio::read(&path)?;
        let bad = |source| RepoError::KeyFile {
            path: path.clone(),
            source,
        };
        let pem = String::from_utf8(pem).map_err(|_| RepoError::BadStateFile {
            path: path.clone(),
            detail: "a PEM key file must be ASCII text".to_owned(),
        })?;
        // Only encrypted files take the passphrase, so one passphrase can
        // unlock a mix of plain and encrypted keys.
        let pass = if e.encrypted { passphrase } else { None };
        PrivateKey::from_pem(&pem, pass)
            .and_then(|k| k.for_key(&e.public))
            .map_err(bad)
    }
}
