//! Keys and signatures. PLACEHOLDER: being written; interface is final.

use crate::metadata::Key;

/// Why a key could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// keytype/scheme pair we do not implement.
    #[error("unsupported key type {keytype:?} with scheme {scheme:?}")]
    Unsupported {
        /// keytype
        keytype: String,
        /// scheme
        scheme: String,
    },
}

/// A parsed public key able to verify signatures.
#[derive(Debug, Clone)]
pub struct PublicKey {
    material: Vec<u8>,
}

impl PublicKey {
    /// Parse a TUF key.
    pub fn from_key(key: &Key) -> Result<PublicKey, KeyError> {
        Err(KeyError::Unsupported {
            keytype: key.keytype.clone(),
            scheme: key.scheme.clone(),
        })
    }
    /// Verify `sig` over `msg`.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        let _ = (msg, sig);
        false
    }
    /// Normalized key material identifying this key.
    pub fn material(&self) -> &[u8] {
        &self.material
    }
}

/// Anything that can sign TUF metadata.
pub trait Signer: Send + Sync {
    /// The public half, as it appears in metadata.
    fn public_key(&self) -> Key;
    /// Sign `msg` (the canonical bytes of `signed`).
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, KeyError>;
}
