//! [`PublicKey`]: a metadata [`Key`] parsed once into a verifier.
//!
//! Parsing checks that `keyval.public` really is the algorithm (and curve)
//! the keytype/scheme name, and that RSA keys are 2048..=8192 bits.
//! Verification never panics and never errors: it answers yes or no.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::signature::{self, ParsedPublicKey, VerificationAlgorithm};

use super::encoding::{self, KeyKind};
use super::scheme::{Curve, RsaScheme, Scheme};
use super::{KeyError, KeyFormat};
use crate::metadata::Key;

/// The RSA modulus sizes we accept: spec §4.2.2 requires at least 2048 bits,
/// and aws-lc verifies up to 8192.
pub(crate) const RSA_BITS: std::ops::RangeInclusive<u32> = 2048..=8192;

/// A parsed public key able to verify signatures.
#[derive(Debug, Clone)]
pub struct PublicKey {
    scheme: Scheme,
    key: ParsedPublicKey,
    /// RSA-PSS only: the same key expecting the maximum salt length.
    max_salt: Option<ParsedPublicKey>,
    material: Vec<u8>,
}

impl PublicKey {
    /// Parse a TUF key.
    ///
    /// Supported `(keytype, scheme)` pairs:
    /// - `ed25519`/`ed25519`: `public` is 64 hex characters;
    /// - `ecdsa` or `ecdsa-sha2-nistp256` / `ecdsa-sha2-nistp256`, and
    ///   `ecdsa` or `ecdsa-sha2-nistp384` / `ecdsa-sha2-nistp384`: `public` is a
    ///   PEM SubjectPublicKeyInfo on that curve; signatures are DER;
    /// - `rsa` / `rsassa-pss-sha256|384|512` and `rsa-pkcs1v15-sha256|384|512`:
    ///   `public` is a PEM SubjectPublicKeyInfo of 2048 to 8192 bits.
    ///
    /// Any other pair is [`KeyError::Unsupported`]; a public value that is not
    /// a key of that kind is another [`KeyError`].
    pub fn from_key(key: &Key) -> Result<PublicKey, KeyError> {
        let scheme = Scheme::from_names(&key.keytype, &key.scheme)?;
        let public = key.keyval.public.as_str();
        match scheme {
            Scheme::Ed25519 => Self::ed25519(public),
            Scheme::Ecdsa(curve) => Self::ecdsa(curve, public),
            Scheme::Rsa(rsa) => Self::rsa(rsa, public),
        }
    }

    /// Verify `sig` over `msg`. Every failure (wrong key, tampered message,
    /// malformed or wrong-length signature) is `false`.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        self.key.verify_sig(msg, sig).is_ok()
            // F-20: PSS verifiers must accept go-tuf's maximum salt as well.
            || self
                .max_salt
                .as_ref()
                .is_some_and(|key| key.verify_sig(msg, sig).is_ok())
    }

    /// Normalized key material identifying this key: the raw 32 bytes for
    /// ed25519, the SubjectPublicKeyInfo DER (re-encoded, uncompressed point,
    /// named curve) for ecdsa and rsa. Equal material means the same key,
    /// whatever the keytype spelling, scheme or unknown fields (F-28).
    pub fn material(&self) -> &[u8] {
        &self.material
    }

    /// The scheme this key verifies with.
    pub(crate) fn scheme(&self) -> Scheme {
        self.scheme
    }

    fn ed25519(public: &str) -> Result<PublicKey, KeyError> {
        let malformed = KeyError::Malformed {
            format: KeyFormat::Ed25519Hex,
        };
        // §4.2.2: 64 hex characters. `hex` accepts either case; the material
        // is the raw bytes, so case variants still count as one key.
        if public.len() != 64 {
            return Err(malformed);
        }
        let raw = hex::decode(public).map_err(|_| malformed.clone())?;
        let key = ParsedPublicKey::new(&signature::ED25519, &raw).map_err(|_| malformed)?;
        Ok(PublicKey {
            scheme: Scheme::Ed25519,
            key,
            max_salt: None,
            material: raw,
        })
    }

    fn ecdsa(curve: Curve, public: &str) -> Result<PublicKey, KeyError> {
        let der = public_key_der(public)?;
        let (kind, _) = encoding::spki_parts(&der)?;
        if kind != KeyKind::Ecdsa(curve) {
            return Err(KeyError::WrongKeyType {
                expected: curve.description(),
                found: kind.description(),
            });
        }
        let key = parse(curve.verification(), &der)?;
        Ok(PublicKey {
            scheme: Scheme::Ecdsa(curve),
            material: normalized_spki(&key)?,
            key,
            max_salt: None,
        })
    }

    fn rsa(rsa: RsaScheme, public: &str) -> Result<PublicKey, KeyError> {
        let der = public_key_der(public)?;
        let (kind, pkcs1) = encoding::spki_parts(&der)?;
        if kind != KeyKind::Rsa {
            return Err(KeyError::WrongKeyType {
                expected: KeyKind::Rsa.description(),
                found: kind.description(),
            });
        }
        let bits = encoding::rsa_modulus_bits(pkcs1, false)?;
        if !RSA_BITS.contains(&bits) {
            return Err(KeyError::RsaKeySize { bits });
        }
        let key = parse(rsa.verification(), &der)?;
        let max_salt = match rsa.verification_max_salt() {
            Some(alg) => Some(parse(alg, &der)?),
            None => None,
        };
        Ok(PublicKey {
            scheme: Scheme::Rsa(rsa),
            material: normalized_spki(&key)?,
            key,
            max_salt,
        })
    }
}

/// The DER inside a `PUBLIC KEY` PEM document.
fn public_key_der(public: &str) -> Result<Vec<u8>, KeyError> {
    let pem = encoding::pem_decode(public)?;
    if pem.label != "PUBLIC KEY" {
        return Err(KeyError::PemLabel {
            expected: "PUBLIC KEY",
            found: pem.label,
        });
    }
    Ok(pem.der.to_vec())
}

fn parse(alg: &'static dyn VerificationAlgorithm, der: &[u8]) -> Result<ParsedPublicKey, KeyError> {
    ParsedPublicKey::new(alg, der).map_err(|_| KeyError::Malformed {
        format: KeyFormat::Spki,
    })
}

/// aws-lc's own encoding of the parsed key: one DER form per key (F-28).
fn normalized_spki(key: &ParsedPublicKey) -> Result<Vec<u8>, KeyError> {
    let der = key.as_der().map_err(|_| KeyError::Malformed {
        format: KeyFormat::Spki,
    })?;
    Ok(der.as_ref().to_vec())
}
