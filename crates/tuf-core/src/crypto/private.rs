//! [`PrivateKey`]: generate, load, store and sign with a key pair.
//!
//! A `PrivateKey` always knows the metadata [`Key`] it signs for, and that
//! key is exactly what securesystemslib's `CryptoSigner` would publish for
//! the same key pair (same keytype/scheme names, same PEM text), so both
//! compute the same keyid. Signatures are what securesystemslib makes:
//! ed25519, DER ECDSA, RSA-PSS with salt = digest length, or PKCS#1 v1.5.
//!
//! Private keys are read from PEM: PKCS#8 (`PRIVATE KEY`), encrypted PKCS#8
//! (`ENCRYPTED PRIVATE KEY`, PBES2), SEC1 (`EC PRIVATE KEY`) and PKCS#1
//! (`RSA PRIVATE KEY`); they are written as PKCS#8, encrypted with PBES2
//! (PBKDF2-HMAC-SHA256, AES-256-CBC) when a passphrase is given. Decoded
//! secrets are held in `Zeroizing` buffers and aws-lc key objects.

use std::fmt;

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use zeroize::Zeroizing;

use super::encoding::{self, KeyKind};
use super::public::{PublicKey, RSA_BITS};
use super::scheme::{Curve, RsaScheme, Scheme};
use super::{KeyError, KeyFormat, Signer};
use crate::metadata::Key;

/// What kind of key [`PrivateKey::generate`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeySpec {
    /// `ed25519`/`ed25519`.
    Ed25519,
    /// `ecdsa`/`ecdsa-sha2-nistp256`.
    EcdsaP256,
    /// `ecdsa`/`ecdsa-sha2-nistp384`.
    EcdsaP384,
    /// `ecdsa`/`ecdsa-sha2-nistp521`.
    EcdsaP521,
    /// `rsa` with `scheme`; `bits` must be 2048, 3072 or 4096.
    Rsa {
        /// Modulus size in bits.
        bits: u32,
        /// Signature scheme.
        scheme: RsaScheme,
    },
}

/// The aws-lc key pair and what it signs with.
enum Pair {
    Ed25519(Ed25519KeyPair),
    Ecdsa(EcdsaKeyPair, Curve),
    Rsa(RsaKeyPair, RsaScheme),
}

/// A private key able to sign TUF metadata; implements [`Signer`].
pub struct PrivateKey {
    pair: Pair,
    /// The metadata key this signs for.
    public: Key,
    /// [`PublicKey::material`] of `public`.
    material: Vec<u8>,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the private half.
        f.debug_struct("PrivateKey")
            .field("keytype", &self.public.keytype)
            .field("scheme", &self.public.scheme)
            .field("public", &self.public.keyval.public)
            .finish_non_exhaustive()
    }
}

fn backend(operation: &'static str) -> KeyError {
    KeyError::Backend { operation }
}

impl PrivateKey {
    /// Generate a new key pair.
    pub fn generate(spec: KeySpec) -> Result<PrivateKey, KeyError> {
        let failed = || backend("generate a key pair");
        let pair = match spec {
            KeySpec::Ed25519 => Pair::Ed25519(Ed25519KeyPair::generate().map_err(|_| failed())?),
            KeySpec::EcdsaP256 | KeySpec::EcdsaP384 | KeySpec::EcdsaP521 => {
                let curve = match spec {
                    KeySpec::EcdsaP256 => Curve::P256,
                    KeySpec::EcdsaP384 => Curve::P384,
                    _ => Curve::P521,
                };
                let pair = EcdsaKeyPair::generate(curve.signing()).map_err(|_| failed())?;
                Pair::Ecdsa(pair, curve)
            }
            KeySpec::Rsa { bits, scheme } => {
                let size = match bits {
                    2048 => KeySize::Rsa2048,
                    3072 => KeySize::Rsa3072,
                    4096 => KeySize::Rsa4096,
                    _ => return Err(KeyError::RsaKeySize { bits }),
                };
                Pair::Rsa(RsaKeyPair::generate(size).map_err(|_| failed())?, scheme)
            }
        };
        PrivateKey::new(pair)
    }

    /// Read a PEM private key: PKCS#8 (`PRIVATE KEY`), encrypted PKCS#8
    /// (`ENCRYPTED PRIVATE KEY`, needs `passphrase`), SEC1 (`EC PRIVATE
    /// KEY`) or PKCS#1 (`RSA PRIVATE KEY`).
    ///
    /// The scheme is the one securesystemslib picks for the key: `ed25519`,
    /// the ecdsa scheme of the curve, and `rsassa-pss-sha256` for RSA (change
    /// it with [`with_rsa_scheme`](Self::with_rsa_scheme) or
    /// [`for_key`](Self::for_key)).
    pub fn from_pem(pem: &str, passphrase: Option<&[u8]>) -> Result<PrivateKey, KeyError> {
        let doc = encoding::pem_decode(pem)?;
        match (doc.label.as_str(), passphrase) {
            ("ENCRYPTED PRIVATE KEY", None) => Err(KeyError::PassphraseRequired),
            ("ENCRYPTED PRIVATE KEY", Some(passphrase)) => {
                PrivateKey::from_pkcs8(&encoding::decrypt_pkcs8(&doc.der, passphrase)?)
            }
            // As Python cryptography does: a passphrase for a plain key is a mistake.
            ("PRIVATE KEY" | "EC PRIVATE KEY" | "RSA PRIVATE KEY", Some(_)) => {
                Err(KeyError::UnexpectedPassphrase)
            }
            ("PRIVATE KEY", None) => PrivateKey::from_pkcs8(&doc.der),
            ("EC PRIVATE KEY", None) => PrivateKey::from_sec1(&doc.der),
            ("RSA PRIVATE KEY", None) => PrivateKey::from_pkcs1(&doc.der, RsaScheme::PssSha256),
            (label, _) => Err(KeyError::PemLabel {
                expected: "PRIVATE KEY|ENCRYPTED PRIVATE KEY|EC PRIVATE KEY|RSA PRIVATE KEY",
                found: label.to_owned(),
            }),
        }
    }

    /// Write the key as PKCS#8 PEM; encrypted (PBES2, PBKDF2-HMAC-SHA256 with
    /// 600,000 rounds, AES-256-CBC: readable by Python cryptography and
    /// OpenSSL) when `passphrase` is given.
    pub fn to_pem(&self, passphrase: Option<&[u8]>) -> Result<Zeroizing<String>, KeyError> {
        let failed = || backend("encode the private key");
        let pkcs8 = match &self.pair {
            Pair::Ed25519(pair) => {
                Zeroizing::new(pair.to_pkcs8v1().map_err(|_| failed())?.as_ref().to_vec())
            }
            Pair::Ecdsa(pair, _) => {
                Zeroizing::new(pair.to_pkcs8v1().map_err(|_| failed())?.as_ref().to_vec())
            }
            Pair::Rsa(pair, _) => {
                let der: Pkcs8V1Der<'static> = pair.as_der().map_err(|_| failed())?;
                Zeroizing::new(der.as_ref().to_vec())
            }
        };
        match passphrase {
            None => encoding::pem_encode("PRIVATE KEY", &pkcs8),
            Some(passphrase) => {
                let encrypted =
                    encoding::encrypt_pkcs8(&pkcs8, passphrase, encoding::PBKDF2_ROUNDS)?;
                encoding::pem_encode("ENCRYPTED PRIVATE KEY", &encrypted)
            }
        }
    }

    /// Sign RSA with `scheme` instead (the PEM does not say which).
    /// [`KeyError::WrongKeyType`] for a key that is not RSA.
    pub fn with_rsa_scheme(self, scheme: RsaScheme) -> Result<PrivateKey, KeyError> {
        let found = self.kind();
        match self.pair {
            Pair::Rsa(pair, _) => PrivateKey::new(Pair::Rsa(pair, scheme)),
            _ => Err(KeyError::WrongKeyType {
                expected: KeyKind::Rsa.description(),
                found: found.description(),
            }),
        }
    }

    /// Sign as `key`, the public half as metadata already lists it (its
    /// keytype spelling, scheme and unknown fields are kept, so its keyid is
    /// unchanged). [`KeyError::KeyMismatch`] if `key` is not this key's
    /// public half; other errors if `key` is not usable.
    pub fn for_key(self, key: &Key) -> Result<PrivateKey, KeyError> {
        let public = PublicKey::from_key(key)?;
        if public.material() != self.material.as_slice() {
            return Err(KeyError::KeyMismatch);
        }
        // Equal material implies the same algorithm and curve; only the RSA
        // scheme is a free choice.
        let pair = match (self.pair, public.scheme()) {
            (Pair::Rsa(pair, _), Scheme::Rsa(scheme)) => Pair::Rsa(pair, scheme),
            (Pair::Ed25519(pair), Scheme::Ed25519) => Pair::Ed25519(pair),
            (Pair::Ecdsa(pair, curve), Scheme::Ecdsa(c)) if c == curve => Pair::Ecdsa(pair, curve),
            _ => return Err(KeyError::KeyMismatch),
        };
        Ok(PrivateKey {
            pair,
            public: key.clone(),
            material: self.material,
        })
    }

    /// The normalized public key material (see [`PublicKey::material`]).
    pub fn material(&self) -> &[u8] {
        &self.material
    }

    fn kind(&self) -> KeyKind {
        match &self.pair {
            Pair::Ed25519(_) => KeyKind::Ed25519,
            Pair::Ecdsa(_, curve) => KeyKind::Ecdsa(*curve),
            Pair::Rsa(..) => KeyKind::Rsa,
        }
    }

    fn new(pair: Pair) -> Result<PrivateKey, KeyError> {
        let (scheme, public) = match &pair {
            Pair::Ed25519(pair) => (Scheme::Ed25519, hex::encode(pair.public_key().as_ref())),
            Pair::Ecdsa(pair, curve) => (Scheme::Ecdsa(*curve), spki_pem(pair.public_key())?),
            Pair::Rsa(pair, scheme) => (Scheme::Rsa(*scheme), spki_pem(pair.public_key())?),
        };
        let public = Key::new(scheme.keytype(), scheme.name(), public);
        // Parse our own public key: proves it is well formed and gives the
        // material exactly as a verifier computes it.
        let material = PublicKey::from_key(&public)?.material().to_vec();
        Ok(PrivateKey {
            pair,
            public,
            material,
        })
    }

    fn from_pkcs8(der: &[u8]) -> Result<PrivateKey, KeyError> {
        let (kind, inner) = encoding::pkcs8_parts(der)?;
        let malformed = || KeyError::Malformed {
            format: KeyFormat::Pkcs8,
        };
        let pair = match kind {
            KeyKind::Ed25519 => {
                Pair::Ed25519(Ed25519KeyPair::from_pkcs8(der).map_err(|_| malformed())?)
            }
            KeyKind::Ecdsa(curve) => Pair::Ecdsa(
                EcdsaKeyPair::from_pkcs8(curve.signing(), der).map_err(|_| malformed())?,
                curve,
            ),
            KeyKind::Rsa => {
                check_rsa_bits(inner)?;
                Pair::Rsa(
                    RsaKeyPair::from_pkcs8(der).map_err(|_| malformed())?,
                    RsaScheme::PssSha256,
                )
            }
            KeyKind::EcdsaOtherCurve | KeyKind::Other => {
                return Err(KeyError::WrongKeyType {
                    expected: "an Ed25519, ECDSA P-256/P-384/P-521 or RSA key",
                    found: kind.description(),
                });
            }
        };
        PrivateKey::new(pair)
    }

    fn from_sec1(der: &[u8]) -> Result<PrivateKey, KeyError> {
        // SEC1 names its curve inside; aws-lc rejects a key on another curve.
        let pair = [Curve::P256, Curve::P384, Curve::P521]
            .into_iter()
            .find_map(|curve| {
                let pair = EcdsaKeyPair::from_private_key_der(curve.signing(), der).ok()?;
                Some(Pair::Ecdsa(pair, curve))
            })
            .ok_or(KeyError::Malformed {
                format: KeyFormat::Sec1,
            })?;
        PrivateKey::new(pair)
    }

    fn from_pkcs1(der: &[u8], scheme: RsaScheme) -> Result<PrivateKey, KeyError> {
        check_rsa_bits(der)?;
        let pair = RsaKeyPair::from_der(der).map_err(|_| KeyError::Malformed {
            format: KeyFormat::Pkcs1,
        })?;
        PrivateKey::new(Pair::Rsa(pair, scheme))
    }
}

impl Signer for PrivateKey {
    fn public_key(&self) -> Key {
        self.public.clone()
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        let failed = || backend("sign");
        match &self.pair {
            Pair::Ed25519(pair) => Ok(pair.sign(msg).as_ref().to_vec()),
            Pair::Ecdsa(pair, _) => Ok(pair
                .sign(&SystemRandom::new(), msg)
                .map_err(|_| failed())?
                .as_ref()
                .to_vec()),
            Pair::Rsa(pair, scheme) => {
                let mut sig = vec![0u8; pair.public_modulus_len()];
                pair.sign(scheme.signing(), &SystemRandom::new(), msg, &mut sig)
                    .map_err(|_| failed())?;
                Ok(sig)
            }
        }
    }
}

/// F-19: refuse RSA keys outside 2048..=8192 bits, naming the size.
fn check_rsa_bits(pkcs1: &[u8]) -> Result<(), KeyError> {
    let bits = encoding::rsa_modulus_bits(pkcs1, true)?;
    if RSA_BITS.contains(&bits) {
        Ok(())
    } else {
        Err(KeyError::RsaKeySize { bits })
    }
}

/// The SubjectPublicKeyInfo PEM text Python cryptography writes.
fn spki_pem(public: &impl AsDer<PublicKeyX509Der<'static>>) -> Result<String, KeyError> {
    let der = public
        .as_der()
        .map_err(|_| backend("encode the public key"))?;
    let pem = encoding::pem_encode("PUBLIC KEY", der.as_ref())?;
    Ok(pem.as_str().to_owned())
}
