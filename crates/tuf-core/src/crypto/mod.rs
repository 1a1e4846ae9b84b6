//! Keys and signatures: parse TUF public keys, verify signatures, and sign
//! with private keys (spec §4.2.2 KEY, §4.2.1 signatures).
//!
//! # Contract
//!
//! - **One backend.** Signatures, key generation, PBKDF2 and AES run in
//!   aws-lc-rs's safe API; RustCrypto `pkcs8` parses and writes the ASN.1 and
//!   PEM framing (and decrypts the rare scrypt or AES-GCM PKCS#8). No `unsafe`.
//! - **Explicit schemes.** A `(keytype, scheme)` pair is mapped to exactly one
//!   algorithm (see [`PublicKey::from_key`]); anything else is
//!   [`KeyError::Unsupported`] and the key simply never verifies anything.
//!   The key encoded in `keyval.public` must be the algorithm and curve the
//!   pair names, and RSA moduli must be 2048..=8192 bits (spec: at least 2048).
//! - **Verification is a yes/no answer.** [`PublicKey::verify`] never panics
//!   and never errors: any malformed, truncated or foreign signature is `false`.
//! - **One key, one identity.** [`PublicKey::material`] is normalized
//!   (ed25519: the raw 32 bytes; ecdsa and rsa: the SubjectPublicKeyInfo DER as
//!   re-encoded by aws-lc), so a threshold counts a key once however its
//!   keytype is spelled, whatever unknown fields it carries.
//! - **Interoperable with securesystemslib.** [`PrivateKey`] describes its
//!   public half exactly as securesystemslib's `CryptoSigner` does, so key ids
//!   match; signatures are what securesystemslib makes (RSA-PSS salt = digest
//!   length, DER ECDSA) and verification also accepts go-tuf's maximum PSS salt.
//! - **Secrets are wiped.** Decoded and decrypted private key bytes and
//!   private PEM text live in `zeroize` containers; key pairs live in aws-lc,
//!   which wipes them when freed.

pub(crate) mod ed25519_stream;
mod encoding;
mod private;
mod public;
mod scheme;

pub use private::{KeySpec, PrivateKey};
pub use public::PublicKey;
pub use scheme::RsaScheme;
pub(crate) use scheme::Scheme;

use crate::metadata::Key;

/// Why a key could not be parsed, loaded, generated or used to sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// A keytype/scheme pair this crate does not implement.
    #[error("unsupported key type {keytype:?} with scheme {scheme:?}")]
    Unsupported {
        /// The key's `keytype`.
        keytype: String,
        /// The key's `scheme`.
        scheme: String,
    },
    /// Key bytes that do not parse in the format they claim to be in.
    #[error("malformed key: not a valid {format}")]
    Malformed {
        /// The format that failed to parse.
        format: KeyFormat,
    },
    /// A PEM document with a label other than the one this use needs.
    #[error("PEM label {found:?} where {expected:?} was expected")]
    PemLabel {
        /// The label (or labels, `|`-separated) accepted here.
        expected: &'static str,
        /// The label found.
        found: String,
    },
    /// The key is of another algorithm or curve than keytype/scheme (or the
    /// requested operation) require.
    #[error("key is {found}, expected {expected}")]
    WrongKeyType {
        /// What was required.
        expected: &'static str,
        /// What the key actually is.
        found: &'static str,
    },
    /// An RSA key whose modulus size is not accepted (spec: at least 2048
    /// bits; aws-lc: at most 8192; key generation: 2048, 3072 or 4096).
    #[error("RSA key of {bits} bits is not accepted")]
    RsaKeySize {
        /// Modulus length in bits.
        bits: u32,
    },
    /// The private key is encrypted and no passphrase was given.
    #[error("the private key is encrypted: a passphrase is required")]
    PassphraseRequired,
    /// A passphrase was given for a private key that is not encrypted.
    #[error("a passphrase was given but the private key is not encrypted")]
    UnexpectedPassphrase,
    /// Decryption failed: the passphrase is wrong (or the ciphertext corrupt).
    #[error("cannot decrypt the private key: wrong passphrase")]
    WrongPassphrase,
    /// An encryption scheme we do not read: legacy OpenSSL PEM encryption
    /// (`Proc-Type: 4,ENCRYPTED`), PBES1, or an unsupported PBES2 cipher/KDF.
    #[error("unsupported private key encryption")]
    UnsupportedEncryption,
    /// A private key and a public key that are not two halves of one key pair.
    #[error("the private key does not match the public key")]
    KeyMismatch,
    /// The cryptographic backend failed (random generator, key generation,
    /// signing or encoding); not caused by the input.
    #[error("cryptographic backend failure while trying to {operation}")]
    Backend {
        /// What was being done.
        operation: &'static str,
    },
}

/// A key encoding, named in [`KeyError::Malformed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyFormat {
    /// An ed25519 public key: 64 hex characters.
    Ed25519Hex,
    /// PEM armour (RFC 7468).
    Pem,
    /// A SubjectPublicKeyInfo (RFC 5280).
    Spki,
    /// A PKCS#8 `PrivateKeyInfo` (RFC 5208/5958).
    Pkcs8,
    /// A PKCS#8 `EncryptedPrivateKeyInfo` (RFC 5208 §6).
    EncryptedPkcs8,
    /// A SEC1 `ECPrivateKey` (RFC 5915).
    Sec1,
    /// A PKCS#1 `RSAPrivateKey` (RFC 8017).
    Pkcs1,
}

impl std::fmt::Display for KeyFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyFormat::Ed25519Hex => "ed25519 public key (64 hex characters)",
            KeyFormat::Pem => "PEM document",
            KeyFormat::Spki => "SubjectPublicKeyInfo",
            KeyFormat::Pkcs8 => "PKCS#8 private key",
            KeyFormat::EncryptedPkcs8 => "encrypted PKCS#8 private key",
            KeyFormat::Sec1 => "SEC1 EC private key",
            KeyFormat::Pkcs1 => "PKCS#1 RSA private key",
        })
    }
}

/// Anything that can sign TUF metadata.
pub trait Signer: Send + Sync {
    /// The public half, as it appears in metadata.
    fn public_key(&self) -> Key;
    /// Sign `msg` (the canonical bytes of `signed`).
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, KeyError>;
}
