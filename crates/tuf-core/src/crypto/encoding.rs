//! Key encodings around the signature primitives: PEM armour, what kind of
//! key a SubjectPublicKeyInfo or PKCS#8 document holds, RSA modulus sizes, and
//! PBES2 encryption of PKCS#8 (RFC 8018; the key derivation and cipher run in
//! aws-lc, the `pkcs5` crate only frames them, except for scrypt and GCM).
//!
//! Nothing here verifies or signs. Decoded private key bytes are returned in
//! `Zeroizing` containers. PEM is read as RFC 7468 (any consistent line width,
//! LF or CRLF, surrounding whitespace ignored) and written exactly as Python
//! cryptography writes it (64 columns, LF, trailing newline), because the PEM
//! text of a public key is hashed into its keyid.

use std::num::NonZeroU32;

use aws_lc_rs::cipher::{
    self, DecryptionContext, PaddedBlockDecryptingKey, PaddedBlockEncryptingKey, UnboundCipherKey,
};
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::{pbkdf2, rand};
use pkcs8::der::asn1::{OctetStringRef, UintRef};
use pkcs8::der::pem::{self, LineEnding};
use pkcs8::der::{Decode, Encode, Reader, SliceReader};
use pkcs8::pkcs5::{self, pbes2};
use pkcs8::{
    AlgorithmIdentifierRef, EncryptedPrivateKeyInfo, EncryptedPrivateKeyInfoRef, ObjectIdentifier,
    PrivateKeyInfoRef, SubjectPublicKeyInfoRef,
};
use zeroize::Zeroizing;

use super::scheme::Curve;
use super::{KeyError, KeyFormat};

/// PBKDF2-HMAC-SHA256 rounds for keys we encrypt. OWASP's 2023 figure for
/// PBKDF2-SHA256 is 600,000; private key files are read rarely, so the cost
/// is paid once per signing session.
pub(crate) const PBKDF2_ROUNDS: u32 = 600_000;

const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const OID_P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const OID_RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// The algorithm named by an `AlgorithmIdentifier`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Ed25519,
    Ecdsa(Curve),
    /// An EC key on a curve we do not implement (or explicit parameters).
    EcdsaOtherCurve,
    Rsa,
    Other,
}

impl KeyKind {
    fn of(algorithm: &AlgorithmIdentifierRef<'_>) -> KeyKind {
        match algorithm.oid {
            OID_ED25519 => KeyKind::Ed25519,
            OID_RSA_ENCRYPTION => KeyKind::Rsa,
            OID_EC_PUBLIC_KEY => match algorithm.parameters_oid() {
                Ok(OID_P256) => KeyKind::Ecdsa(Curve::P256),
                Ok(OID_P384) => KeyKind::Ecdsa(Curve::P384),
                Ok(OID_P521) => KeyKind::Ecdsa(Curve::P521),
                _ => KeyKind::EcdsaOtherCurve,
            },
            _ => KeyKind::Other,
        }
    }

    /// Human-readable name for [`KeyError::WrongKeyType`].
    pub(crate) fn description(self) -> &'static str {
        match self {
            KeyKind::Ed25519 => "an Ed25519 key",
            KeyKind::Ecdsa(curve) => curve.description(),
            KeyKind::EcdsaOtherCurve => "an ECDSA key on an unsupported curve",
            KeyKind::Rsa => "an RSA key",
            KeyKind::Other => "a key of an unsupported algorithm",
        }
    }
}

fn malformed(format: KeyFormat) -> KeyError {
    KeyError::Malformed { format }
}

/// A decoded PEM document.
pub(crate) struct Pem {
    /// The type label, e.g. `PUBLIC KEY`.
    pub(crate) label: String,
    /// The decoded bytes (DER); wiped on drop since they may be a private key.
    pub(crate) der: Zeroizing<Vec<u8>>,
}

/// Decode one PEM document; whitespace around it is ignored.
pub(crate) fn pem_decode(text: &str) -> Result<Pem, KeyError> {
    // RFC 1421 headers only appear in legacy OpenSSL encrypted keys
    // ("Proc-Type: 4,ENCRYPTED"), which are not PKCS#8.
    if text
        .lines()
        .any(|line| line.trim_start().starts_with("Proc-Type:"))
    {
        return Err(KeyError::UnsupportedEncryption);
    }
    let text = text.trim().as_bytes();
    let mut decoder = pem::Decoder::new_detect_wrap(text).map_err(|_| malformed(KeyFormat::Pem))?;
    let label = decoder.type_label().to_owned();
    // Decode into a buffer of the final size so no copy of a secret is left behind.
    let mut der = Zeroizing::new(vec![0u8; decoder.remaining_len()]);
    let len = decoder
        .decode(&mut der)
        .map_err(|_| malformed(KeyFormat::Pem))?
        .len();
    if !decoder.is_finished() {
        return Err(malformed(KeyFormat::Pem));
    }
    der.truncate(len);
    Ok(Pem { label, der })
}

/// Encode `der` as PEM the way Python cryptography does: 64 columns, LF,
/// with a trailing newline.
pub(crate) fn pem_encode(label: &str, der: &[u8]) -> Result<Zeroizing<String>, KeyError> {
    let failed = KeyError::Backend {
        operation: "encode PEM",
    };
    let len = pem::encoded_len(label, LineEnding::LF, der).map_err(|_| failed.clone())?;
    let mut buf = Zeroizing::new(vec![0u8; len]);
    let written = pem::encode(label, LineEnding::LF, der, &mut buf)
        .map_err(|_| failed.clone())?
        .len();
    buf.truncate(written);
    // PEM is ASCII; `from_utf8` takes the buffer over without copying it.
    let text = String::from_utf8(std::mem::take(&mut *buf)).map_err(|_| failed)?;
    Ok(Zeroizing::new(text))
}

/// Parse a SubjectPublicKeyInfo: its algorithm and the public key bytes.
pub(crate) fn spki_parts(der: &[u8]) -> Result<(KeyKind, &[u8]), KeyError> {
    let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| malformed(KeyFormat::Spki))?;
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| malformed(KeyFormat::Spki))?;
    Ok((KeyKind::of(&spki.algorithm), key))
}

/// Parse a PKCS#8 `PrivateKeyInfo`: its algorithm and the inner private key
/// bytes (for RSA, a PKCS#1 `RSAPrivateKey`).
pub(crate) fn pkcs8_parts(der: &[u8]) -> Result<(KeyKind, &[u8]), KeyError> {
    let info = PrivateKeyInfoRef::from_der(der).map_err(|_| malformed(KeyFormat::Pkcs8))?;
    Ok((KeyKind::of(&info.algorithm), info.private_key.as_bytes()))
}

/// Bit length of the modulus in a PKCS#1 `RSAPublicKey` (`private` false) or
/// `RSAPrivateKey` (`private` true).
pub(crate) fn rsa_modulus_bits(der: &[u8], private: bool) -> Result<u32, KeyError> {
    let format = if private {
        KeyFormat::Pkcs1
    } else {
        KeyFormat::Spki
    };
    let mut reader = SliceReader::new(der).map_err(|_| malformed(format))?;
    let modulus = reader
        .sequence(|seq| {
            if private {
                let _version: u8 = seq.decode()?;
            }
            let n: UintRef<'_> = seq.decode()?;
            // The rest (exponent, private values) is validated by aws-lc.
            seq.drain(seq.remaining_len())?;
            Ok::<_, pkcs8::der::Error>(n)
        })
        .map_err(|_| malformed(format))?;
    let bytes = modulus.as_bytes();
    let Some(&first) = bytes.first() else {
        return Err(malformed(format));
    };
    let total = u32::try_from(bytes.len())
        .ok()
        .and_then(|n| n.checked_mul(8))
        .ok_or_else(|| malformed(format))?;
    Ok(total - first.leading_zeros())
}

/// Decrypt a PKCS#8 `EncryptedPrivateKeyInfo` (PBES2) into `PrivateKeyInfo`
/// DER. PBKDF2 with AES-CBC (what cryptography, OpenSSL and we write) runs in
/// aws-lc; other PBES2 variants (scrypt, AES-GCM) in the `pkcs5` crate.
pub(crate) fn decrypt_pkcs8(der: &[u8], passphrase: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let info = EncryptedPrivateKeyInfoRef::from_der(der)
        .map_err(|_| malformed(KeyFormat::EncryptedPkcs8))?;
    let pkcs5::EncryptionScheme::Pbes2(params) = &info.encryption_algorithm else {
        return Err(KeyError::UnsupportedEncryption);
    };
    let mut buf = Zeroizing::new(info.encrypted_data.as_bytes().to_vec());
    let plain_len = match Pbkdf2AesCbc::of(params)? {
        Some(scheme) => {
            let key = scheme.cipher_key(passphrase)?;
            let key = PaddedBlockDecryptingKey::cbc_pkcs7(key)
                .map_err(|_| KeyError::UnsupportedEncryption)?;
            let iv = DecryptionContext::Iv128(FixedLength::from(scheme.iv));
            key.decrypt(&mut buf, iv)
                .map_err(|_| KeyError::WrongPassphrase)?
                .len()
        }
        None => params
            .decrypt_in_place(passphrase, &mut buf)
            .map_err(|e| match e {
                pkcs5::Error::DecryptFailed => KeyError::WrongPassphrase,
                _ => KeyError::UnsupportedEncryption,
            })?
            .len(),
    };
    buf.truncate(plain_len);
    // A wrong key passes the padding check about 1 time in 256, and then
    // yields bytes that are not a PrivateKeyInfo.
    PrivateKeyInfoRef::from_der(&buf).map_err(|_| KeyError::WrongPassphrase)?;
    Ok(buf)
}

/// Encrypt a PKCS#8 `PrivateKeyInfo` as PBES2 with PBKDF2-HMAC-SHA256
/// (`rounds`) and AES-256-CBC: the scheme Python cryptography writes.
pub(crate) fn encrypt_pkcs8(
    der: &[u8],
    passphrase: &[u8],
    rounds: u32,
) -> Result<Vec<u8>, KeyError> {
    let failed = || KeyError::Backend {
        operation: "encrypt the private key",
    };
    let mut salt = [0u8; 16];
    rand::fill(&mut salt).map_err(|_| failed())?;
    // The IV is drawn by aws-lc when encrypting; the parameters are built
    // with a placeholder and then completed with it.
    let mut params =
        pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(rounds, &salt, [0; AES_BLOCK])
            .map_err(|_| failed())?;
    let scheme = Pbkdf2AesCbc::of(&params)?.ok_or_else(failed)?;
    let key = PaddedBlockEncryptingKey::cbc_pkcs7(scheme.cipher_key(passphrase)?)
        .map_err(|_| failed())?;
    // Room for the padding, so the plaintext copy is never reallocated.
    let mut buf = Zeroizing::new(Vec::with_capacity(der.len() + AES_BLOCK));
    buf.extend_from_slice(der);
    let context = key.encrypt(&mut *buf).map_err(|_| failed())?;
    let iv: &[u8] = (&context).try_into().map_err(|_| failed())?;
    params.encryption = pbes2::EncryptionScheme::Aes256Cbc {
        iv: iv.try_into().map_err(|_| failed())?,
    };
    EncryptedPrivateKeyInfo {
        encryption_algorithm: params.into(),
        encrypted_data: OctetStringRef::new(&buf).map_err(|_| failed())?,
    }
    .to_der()
    .map_err(|_| failed())
}

const AES_BLOCK: usize = 16;

/// PBES2 parameters with PBKDF2 (HMAC-SHA1/256/384/512) and AES-CBC.
struct Pbkdf2AesCbc<'a> {
    prf: pbkdf2::Algorithm,
    rounds: NonZeroU32,
    salt: &'a [u8],
    cipher: &'static cipher::Algorithm,
    key_len: usize,
    iv: [u8; AES_BLOCK],
}

impl<'a> Pbkdf2AesCbc<'a> {
    /// `None` for PBES2 variants this does not cover.
    fn of(params: &'a pbes2::Parameters) -> Result<Option<Self>, KeyError> {
        let (cipher, iv) = match params.encryption {
            pbes2::EncryptionScheme::Aes128Cbc { iv } => (&cipher::AES_128, iv),
            pbes2::EncryptionScheme::Aes192Cbc { iv } => (&cipher::AES_192, iv),
            pbes2::EncryptionScheme::Aes256Cbc { iv } => (&cipher::AES_256, iv),
            _ => return Ok(None),
        };
        let Some(kdf) = params.kdf.pbkdf2() else {
            return Ok(None);
        };
        let prf = match kdf.prf {
            pbes2::Pbkdf2Prf::HmacWithSha1 => pbkdf2::PBKDF2_HMAC_SHA1,
            pbes2::Pbkdf2Prf::HmacWithSha256 => pbkdf2::PBKDF2_HMAC_SHA256,
            pbes2::Pbkdf2Prf::HmacWithSha384 => pbkdf2::PBKDF2_HMAC_SHA384,
            pbes2::Pbkdf2Prf::HmacWithSha512 => pbkdf2::PBKDF2_HMAC_SHA512,
            _ => return Ok(None),
        };
        // The same limits as the pkcs5 crate: a stated key length must be the
        // cipher's, and the round count is 1..=100,000,000.
        let key_len_ok = kdf
            .key_length
            .is_none_or(|len| usize::from(len) == params.encryption.key_size());
        let rounds = NonZeroU32::new(kdf.iteration_count)
            .filter(|r| r.get() <= pbes2::Pbkdf2Params::MAX_ITERATION_COUNT);
        let (true, Some(rounds)) = (key_len_ok, rounds) else {
            return Err(KeyError::UnsupportedEncryption);
        };
        Ok(Some(Pbkdf2AesCbc {
            prf,
            rounds,
            salt: kdf.salt.as_bytes(),
            cipher,
            key_len: params.encryption.key_size(),
            iv,
        }))
    }

    fn cipher_key(&self, passphrase: &[u8]) -> Result<UnboundCipherKey, KeyError> {
        let mut key = Zeroizing::new([0u8; 32]);
        let key = key
            .get_mut(..self.key_len)
            .ok_or(KeyError::UnsupportedEncryption)?;
        pbkdf2::derive(self.prf, self.rounds, self.salt, passphrase, key);
        UnboundCipherKey::new(self.cipher, key).map_err(|_| KeyError::Backend {
            operation: "derive the encryption key",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P256_PEM: &str = "-----BEGIN PUBLIC KEY-----\n\
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE3qkIvqhaf590ELBGHsavpIr9O2U5\n\
        AfioB2e8ytQNLyxUCv+QYlm1MdoHLiqd2aF+DNV29aeydyTqXncScDTNFA==\n\
        -----END PUBLIC KEY-----\n";

    #[test]
    fn pem_round_trips_byte_for_byte() {
        let pem = pem_decode(P256_PEM).unwrap();
        assert_eq!(pem.label, "PUBLIC KEY");
        assert_eq!(pem.der.len(), 91);
        assert_eq!(*pem_encode("PUBLIC KEY", &pem.der).unwrap(), P256_PEM);
    }

    #[test]
    fn pem_tolerates_crlf_missing_final_newline_and_other_widths() {
        let expected = pem_decode(P256_PEM).unwrap().der;
        let crlf = P256_PEM.replace('\n', "\r\n");
        let bare = P256_PEM.trim_end();
        let body: String = P256_PEM
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let wide = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n{}\n-----END PUBLIC KEY-----",
            &body[..76],
            &body[76..]
        );
        for text in [crlf.as_str(), bare, &wide, &format!("\n  {P256_PEM}\n\n")] {
            assert_eq!(pem_decode(text).unwrap().der, expected, "{text:?}");
        }
    }

    #[test]
    fn pem_rejects_garbage_and_legacy_encryption_headers() {
        for text in [
            "",
            "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
            "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",
            "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PRIVATE KEY-----\n",
            &P256_PEM.replace("MFkw", "MFk"),
            &format!("{P256_PEM}{P256_PEM}"),
        ] {
            assert_eq!(
                pem_decode(text).err(),
                Some(KeyError::Malformed {
                    format: KeyFormat::Pem
                }),
                "{text:?}"
            );
        }
        let legacy = "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\
            DEK-Info: AES-256-CBC,00000000000000000000000000000000\n\nAAAA\n\
            -----END EC PRIVATE KEY-----\n";
        assert_eq!(
            pem_decode(legacy).err(),
            Some(KeyError::UnsupportedEncryption)
        );
    }

    #[test]
    fn spki_names_its_algorithm_and_curve() {
        let pem = pem_decode(P256_PEM).unwrap();
        let (kind, point) = spki_parts(&pem.der).unwrap();
        assert_eq!(kind, KeyKind::Ecdsa(Curve::P256));
        assert_eq!(point.len(), 65);
        assert!(spki_parts(&pem.der[..90]).is_err());
        let mut trailing = pem.der.to_vec();
        trailing.push(0);
        assert!(spki_parts(&trailing).is_err(), "trailing data is rejected");
    }

    #[test]
    fn rsa_modulus_bits_counts_bits_not_bytes() {
        // SEQUENCE { INTEGER 0x00 0x80 .. (a 2048-bit n), INTEGER 65537 }
        let mut n = vec![0x00, 0x80];
        n.extend([0u8; 255]);
        let mut der = vec![0x30, 0x82, 0x01, 0x0a, 0x02, 0x82, 0x01, 0x01];
        der.extend(&n);
        der.extend([0x02, 0x03, 0x01, 0x00, 0x01]);
        assert_eq!(rsa_modulus_bits(&der, false), Ok(2048));
        // A 256-byte modulus whose top byte is 0x7f has 2047 bits.
        let mut short = vec![0x30, 0x82, 0x01, 0x09, 0x02, 0x82, 0x01, 0x00, 0x7f];
        short.extend([0u8; 255]);
        short.extend([0x02, 0x03, 0x01, 0x00, 0x01]);
        assert_eq!(rsa_modulus_bits(&short, false), Ok(2047));
        assert!(rsa_modulus_bits(&[0x30, 0x00], false).is_err());
        assert!(rsa_modulus_bits(&[], true).is_err());
    }
}
