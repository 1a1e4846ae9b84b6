//! The `(keytype, scheme)` pairs this crate implements and the aws-lc-rs
//! algorithms they mean.
//!
//! This table is the only place a scheme name is interpreted: an unknown or
//! mismatched pair is [`KeyError::Unsupported`], never a best guess (spec
//! §4.2.2: standard names must not be given other semantics).

use aws_lc_rs::signature::{
    self, EcdsaSigningAlgorithm, EcdsaVerificationAlgorithm, RsaParameters, RsaPssSaltLength,
    RsaSignatureEncoding,
};

use super::KeyError;

/// An RSA signature scheme: padding and hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RsaScheme {
    /// `rsassa-pss-sha256`: RSASSA-PSS, MGF1 and message digest SHA-256.
    PssSha256,
    /// `rsassa-pss-sha384`: RSASSA-PSS, MGF1 and message digest SHA-384.
    PssSha384,
    /// `rsassa-pss-sha512`: RSASSA-PSS, MGF1 and message digest SHA-512.
    PssSha512,
    /// `rsa-pkcs1v15-sha256`: RSASSA-PKCS1-v1_5 with SHA-256.
    Pkcs1v15Sha256,
    /// `rsa-pkcs1v15-sha384`: RSASSA-PKCS1-v1_5 with SHA-384.
    Pkcs1v15Sha384,
    /// `rsa-pkcs1v15-sha512`: RSASSA-PKCS1-v1_5 with SHA-512.
    Pkcs1v15Sha512,
}

impl RsaScheme {
    /// Every RSA scheme, in a stable order.
    pub const ALL: [RsaScheme; 6] = [
        RsaScheme::PssSha256,
        RsaScheme::PssSha384,
        RsaScheme::PssSha512,
        RsaScheme::Pkcs1v15Sha256,
        RsaScheme::Pkcs1v15Sha384,
        RsaScheme::Pkcs1v15Sha512,
    ];

    /// The scheme's name in TUF metadata, e.g. `rsassa-pss-sha256`.
    pub fn name(self) -> &'static str {
        match self {
            RsaScheme::PssSha256 => "rsassa-pss-sha256",
            RsaScheme::PssSha384 => "rsassa-pss-sha384",
            RsaScheme::PssSha512 => "rsassa-pss-sha512",
            RsaScheme::Pkcs1v15Sha256 => "rsa-pkcs1v15-sha256",
            RsaScheme::Pkcs1v15Sha384 => "rsa-pkcs1v15-sha384",
            RsaScheme::Pkcs1v15Sha512 => "rsa-pkcs1v15-sha512",
        }
    }

    /// The scheme named `name` in TUF metadata, if we implement it.
    pub fn from_name(name: &str) -> Option<RsaScheme> {
        RsaScheme::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Verification with salt = digest length (securesystemslib, KMS signers).
    pub(crate) fn verification(self) -> &'static RsaParameters {
        match self {
            RsaScheme::PssSha256 => &signature::RSA_PSS_2048_8192_SHA256,
            RsaScheme::PssSha384 => &signature::RSA_PSS_2048_8192_SHA384,
            RsaScheme::PssSha512 => &signature::RSA_PSS_2048_8192_SHA512,
            RsaScheme::Pkcs1v15Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            RsaScheme::Pkcs1v15Sha384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            RsaScheme::Pkcs1v15Sha512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        }
    }

    /// For PSS, verification with the maximum salt (go-tuf signs with
    /// `PSSSaltLengthAuto`, which is the maximum); `None` for PKCS#1 v1.5.
    pub(crate) fn verification_max_salt(self) -> Option<&'static RsaParameters> {
        const MAX: RsaPssSaltLength = RsaPssSaltLength::Max;
        const SHA256: RsaParameters = signature::RSA_PSS_2048_8192_SHA256.with_pss_salt_length(MAX);
        const SHA384: RsaParameters = signature::RSA_PSS_2048_8192_SHA384.with_pss_salt_length(MAX);
        const SHA512: RsaParameters = signature::RSA_PSS_2048_8192_SHA512.with_pss_salt_length(MAX);
        match self {
            RsaScheme::PssSha256 => Some(&SHA256),
            RsaScheme::PssSha384 => Some(&SHA384),
            RsaScheme::PssSha512 => Some(&SHA512),
            RsaScheme::Pkcs1v15Sha256 | RsaScheme::Pkcs1v15Sha384 | RsaScheme::Pkcs1v15Sha512 => {
                None
            }
        }
    }

    /// Signing; PSS uses salt = digest length, as securesystemslib does.
    pub(crate) fn signing(self) -> &'static RsaSignatureEncoding {
        match self {
            RsaScheme::PssSha256 => &signature::RSA_PSS_SHA256,
            RsaScheme::PssSha384 => &signature::RSA_PSS_SHA384,
            RsaScheme::PssSha512 => &signature::RSA_PSS_SHA512,
            RsaScheme::Pkcs1v15Sha256 => &signature::RSA_PKCS1_SHA256,
            RsaScheme::Pkcs1v15Sha384 => &signature::RSA_PKCS1_SHA384,
            RsaScheme::Pkcs1v15Sha512 => &signature::RSA_PKCS1_SHA512,
        }
    }
}

/// A NIST curve for ECDSA, each bound to the hash its TUF scheme names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Curve {
    /// P-256 with SHA-256: `ecdsa-sha2-nistp256`.
    P256,
    /// P-384 with SHA-384: `ecdsa-sha2-nistp384`.
    P384,
    /// P-521 with SHA-512: `ecdsa-sha2-nistp521` (securesystemslib supports it).
    P521,
}

impl Curve {
    /// The TUF scheme name, which is also the legacy keytype.
    pub(crate) fn scheme_name(self) -> &'static str {
        match self {
            Curve::P256 => "ecdsa-sha2-nistp256",
            Curve::P384 => "ecdsa-sha2-nistp384",
            Curve::P521 => "ecdsa-sha2-nistp521",
        }
    }

    /// Human-readable name for errors.
    pub(crate) fn description(self) -> &'static str {
        match self {
            Curve::P256 => "an ECDSA P-256 key",
            Curve::P384 => "an ECDSA P-384 key",
            Curve::P521 => "an ECDSA P-521 key",
        }
    }

    /// DER (ASN.1) signatures: what securesystemslib and go-tuf write.
    pub(crate) fn verification(self) -> &'static EcdsaVerificationAlgorithm {
        match self {
            Curve::P256 => &signature::ECDSA_P256_SHA256_ASN1,
            Curve::P384 => &signature::ECDSA_P384_SHA384_ASN1,
            Curve::P521 => &signature::ECDSA_P521_SHA512_ASN1,
        }
    }

    /// DER (ASN.1) signatures.
    pub(crate) fn signing(self) -> &'static EcdsaSigningAlgorithm {
        match self {
            Curve::P256 => &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            Curve::P384 => &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
            Curve::P521 => &signature::ECDSA_P521_SHA512_ASN1_SIGNING,
        }
    }
}

/// What a supported `(keytype, scheme)` pair means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Scheme {
    /// `ed25519`/`ed25519`.
    Ed25519,
    /// `ecdsa` (or the legacy keytype equal to the scheme) with an ecdsa scheme.
    Ecdsa(Curve),
    /// `rsa` with an RSA scheme.
    Rsa(RsaScheme),
}

impl Scheme {
    /// Map a key's `keytype` and `scheme` to an algorithm.
    pub(crate) fn from_names(keytype: &str, scheme: &str) -> Result<Scheme, KeyError> {
        let found = match (keytype, scheme) {
            ("ed25519", "ed25519") => Some(Scheme::Ed25519),
            // §4.2.2 names keytype "ecdsa"; the legacy keytype equal to the
            // scheme is still in real roots (sigstore 1..8) and securesystemslib.
            ("ecdsa" | "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256") => {
                Some(Scheme::Ecdsa(Curve::P256))
            }
            ("ecdsa" | "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384") => {
                Some(Scheme::Ecdsa(Curve::P384))
            }
            ("ecdsa" | "ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521") => {
                Some(Scheme::Ecdsa(Curve::P521))
            }
            ("rsa", _) => RsaScheme::from_name(scheme).map(Scheme::Rsa),
            _ => None,
        };
        found.ok_or_else(|| KeyError::Unsupported {
            keytype: keytype.to_owned(),
            scheme: scheme.to_owned(),
        })
    }

    /// The `keytype` securesystemslib writes for a key of this scheme.
    pub(crate) fn keytype(self) -> &'static str {
        match self {
            Scheme::Ed25519 => "ed25519",
            Scheme::Ecdsa(_) => "ecdsa",
            Scheme::Rsa(_) => "rsa",
        }
    }

    /// The `scheme` name in metadata.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Scheme::Ed25519 => "ed25519",
            Scheme::Ecdsa(curve) => curve.scheme_name(),
            Scheme::Rsa(rsa) => rsa.name(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_scheme_names_round_trip() {
        for s in RsaScheme::ALL {
            assert_eq!(RsaScheme::from_name(s.name()), Some(s));
        }
        assert_eq!(RsaScheme::from_name("rsassa-pss-sha224"), None);
        assert_eq!(RsaScheme::from_name("RSASSA-PSS-SHA256"), None);
    }

    #[test]
    fn legacy_ecdsa_keytype_is_accepted_only_with_its_own_scheme() {
        assert_eq!(
            Scheme::from_names("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256"),
            Ok(Scheme::Ecdsa(Curve::P256))
        );
        assert!(Scheme::from_names("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384").is_err());
        assert!(Scheme::from_names("ecdsa-sha2-nistp384", "ecdsa-sha2-nistp256").is_err());
    }

    #[test]
    fn names_are_case_sensitive_and_pairs_must_match() {
        for (keytype, scheme) in [
            ("Ed25519", "ed25519"),
            ("ed25519", "ecdsa-sha2-nistp256"),
            ("rsa", "ed25519"),
            ("ecdsa", "rsassa-pss-sha256"),
            ("ecdsa", "ecdsa-sha2-nistp224"),
            ("", ""),
        ] {
            assert_eq!(
                Scheme::from_names(keytype, scheme),
                Err(KeyError::Unsupported {
                    keytype: keytype.into(),
                    scheme: scheme.into()
                })
            );
        }
    }
}
