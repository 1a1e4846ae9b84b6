//! Our own keys: generate with every [`KeySpec`], sign and verify, store and
//! reload as PEM (plain and encrypted), choose schemes, and never panic on
//! hostile signatures. Python-side checks of the same are in
//! `crypto_python.rs`; python-made vectors in `crypto_vectors.rs`.

use pkcs8::der::pem;
use proptest::prelude::*;
use std::sync::OnceLock;
use tuf_core::crypto::{KeyError, KeySpec, PrivateKey, PublicKey, RsaScheme, Signer};
use tuf_core::metadata::Key;

const MSG: &[u8] = b"{\"_type\":\"targets\",\"version\":7}";

/// Every KeySpec, with each RSA scheme once (sizes spread over the three).
fn specs() -> Vec<KeySpec> {
    let mut specs = vec![KeySpec::Ed25519, KeySpec::EcdsaP256, KeySpec::EcdsaP384];
    for (i, scheme) in RsaScheme::ALL.into_iter().enumerate() {
        let bits = [2048, 3072, 2048, 2048, 2048, 4096][i];
        specs.push(KeySpec::Rsa { bits, scheme });
    }
    specs
}

/// One generated key per spec, shared: RSA key generation is slow.
fn keys() -> &'static [(KeySpec, PrivateKey)] {
    static KEYS: OnceLock<Vec<(KeySpec, PrivateKey)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        specs()
            .into_iter()
            .map(|spec| (spec, PrivateKey::generate(spec).expect("generate")))
            .collect()
    })
}

fn verifier(key: &PrivateKey) -> PublicKey {
    PublicKey::from_key(&key.public_key()).expect("our public key parses")
}

#[test]
fn every_keyspec_generates_signs_and_verifies() {
    for (spec, key) in keys() {
        let sig = key.sign(MSG).unwrap();
        let public = verifier(key);
        assert!(public.verify(MSG, &sig), "{spec:?}");
        assert!(!public.verify(b"other", &sig), "{spec:?}");
        let mut tampered = sig.clone();
        tampered[sig.len() / 2] ^= 0x10;
        assert!(!public.verify(MSG, &tampered), "{spec:?}");
        assert_eq!(public.material(), key.material(), "{spec:?}");
    }
}

#[test]
fn generated_keys_are_described_as_securesystemslib_does() {
    for (spec, key) in keys() {
        let public = key.public_key();
        let (keytype, scheme) = match spec {
            KeySpec::Ed25519 => ("ed25519", "ed25519"),
            KeySpec::EcdsaP256 => ("ecdsa", "ecdsa-sha2-nistp256"),
            KeySpec::EcdsaP384 => ("ecdsa", "ecdsa-sha2-nistp384"),
            KeySpec::Rsa { scheme, .. } => ("rsa", scheme.name()),
            _ => unreachable!("every spec is listed"),
        };
        assert_eq!(
            (public.keytype.as_str(), public.scheme.as_str()),
            (keytype, scheme)
        );
        assert!(public.unrecognized.is_empty() && public.keyval.unrecognized.is_empty());
        let text = &public.keyval.public;
        if *spec == KeySpec::Ed25519 {
            assert_eq!(text.len(), 64);
            assert!(
                text.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            );
        } else {
            // Python cryptography's layout: 64 columns, LF, trailing newline.
            assert!(text.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{spec:?}");
            assert!(text.ends_with("\n-----END PUBLIC KEY-----\n"), "{spec:?}");
            let body: Vec<&str> = text.lines().filter(|l| !l.starts_with("-----")).collect();
            let (last, full) = body.split_last().unwrap();
            assert!(
                full.iter().all(|l| l.len() == 64) && last.len() <= 64,
                "{spec:?}"
            );
        }
    }
}

#[test]
fn ecdsa_signatures_are_der() {
    for (spec, key) in keys() {
        if matches!(spec, KeySpec::EcdsaP256 | KeySpec::EcdsaP384) {
            let sig = key.sign(MSG).unwrap();
            assert_eq!(sig[0], 0x30, "a DER SEQUENCE");
            assert_eq!(usize::from(sig[1]) + 2, sig.len(), "{spec:?}");
        }
    }
}

#[test]
fn rsa_generation_accepts_only_2048_3072_4096_bits() {
    for bits in [0, 1024, 2047, 2049, 8192] {
        let spec = KeySpec::Rsa {
            bits,
            scheme: RsaScheme::PssSha256,
        };
        assert_eq!(
            PrivateKey::generate(spec).unwrap_err(),
            KeyError::RsaKeySize { bits }
        );
    }
}

#[test]
fn plain_pem_round_trip_keeps_the_key() {
    for (spec, key) in keys() {
        let pem = key.to_pem(None).unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{spec:?}");
        let loaded = PrivateKey::from_pem(&pem, None).unwrap();
        let loaded = match spec {
            KeySpec::Rsa { scheme, .. } => loaded.with_rsa_scheme(*scheme).unwrap(),
            _ => loaded,
        };
        assert_eq!(loaded.public_key(), key.public_key(), "{spec:?}");
        assert!(
            verifier(key).verify(MSG, &loaded.sign(MSG).unwrap()),
            "{spec:?}"
        );
    }
}

#[test]
fn encrypted_pem_round_trip_and_wrong_passphrase() {
    // One key type is enough here: the encryption does not depend on it, and
    // each PBKDF2 run costs 600,000 rounds.
    let key = &keys()[0].1;
    let pem = key.to_pem(Some("pässwörd".as_bytes())).unwrap();
    assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
    assert_ne!(
        pem,
        key.to_pem(Some("pässwörd".as_bytes())).unwrap(),
        "fresh salt and IV"
    );
    let loaded = PrivateKey::from_pem(&pem, Some("pässwörd".as_bytes())).unwrap();
    assert_eq!(loaded.public_key(), key.public_key());
    assert_eq!(
        PrivateKey::from_pem(&pem, Some(b"passwort")).unwrap_err(),
        KeyError::WrongPassphrase
    );
    assert_eq!(
        PrivateKey::from_pem(&pem, None).unwrap_err(),
        KeyError::PassphraseRequired
    );
}

#[test]
fn pem_with_other_labels_or_garbage_is_rejected() {
    let pem = keys()[1].1.to_pem(None).unwrap();
    let cert = pem.replace("PRIVATE KEY", "CERTIFICATE");
    assert!(matches!(
        PrivateKey::from_pem(&cert, None),
        Err(KeyError::PemLabel { found, .. }) if found == "CERTIFICATE"
    ));
    let public = keys()[1].1.public_key().keyval.public;
    assert!(matches!(
        PrivateKey::from_pem(&public, None),
        Err(KeyError::PemLabel { .. })
    ));
    for garbage in [
        "",
        "not pem",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    ] {
        assert!(
            matches!(
                PrivateKey::from_pem(garbage, None),
                Err(KeyError::Malformed { .. })
            ),
            "{garbage:?}"
        );
    }
}

#[test]
fn rsa_scheme_is_a_choice_and_pss_and_pkcs1_signatures_do_not_cross() {
    let (_, rsa) = keys()
        .iter()
        .find(|(spec, _)| matches!(spec, KeySpec::Rsa { bits: 2048, .. }))
        .unwrap();
    let pem = rsa.to_pem(None).unwrap();
    let default = PrivateKey::from_pem(&pem, None).unwrap();
    assert_eq!(default.public_key().scheme, "rsassa-pss-sha256");
    let pss = verifier(&default);
    for scheme in RsaScheme::ALL {
        let chosen = PrivateKey::from_pem(&pem, None)
            .unwrap()
            .with_rsa_scheme(scheme)
            .unwrap();
        assert_eq!(chosen.public_key().scheme, scheme.name());
        assert_eq!(chosen.public_key().keyval, default.public_key().keyval);
        let sig = chosen.sign(MSG).unwrap();
        assert!(verifier(&chosen).verify(MSG, &sig), "{scheme:?}");
        assert_eq!(
            pss.verify(MSG, &sig),
            scheme == RsaScheme::PssSha256,
            "{scheme:?}"
        );
    }
    let ed = PrivateKey::from_pem(&keys()[0].1.to_pem(None).unwrap(), None).unwrap();
    assert!(matches!(
        ed.with_rsa_scheme(RsaScheme::PssSha256),
        Err(KeyError::WrongKeyType { .. })
    ));
}

#[test]
fn for_key_signs_as_the_listed_key_and_refuses_another() {
    let (_, p256) = &keys()[1];
    let mut listed: Key = p256.public_key();
    listed.keytype = "ecdsa-sha2-nistp256".into();
    listed
        .unrecognized
        .insert("x-origin".into(), serde_json::json!("hsm"));
    let signer = PrivateKey::from_pem(&p256.to_pem(None).unwrap(), None)
        .unwrap()
        .for_key(&listed)
        .unwrap();
    assert_eq!(signer.public_key(), listed);
    assert!(
        PublicKey::from_key(&listed)
            .unwrap()
            .verify(MSG, &signer.sign(MSG).unwrap())
    );

    let other = keys()[2].1.public_key();
    let reload = || PrivateKey::from_pem(&p256.to_pem(None).unwrap(), None).unwrap();
    assert_eq!(reload().for_key(&other).unwrap_err(), KeyError::KeyMismatch);
    let unsupported = Key::new("ecdsa", "ecdsa-sha2-nistp224", listed.keyval.public.clone());
    assert!(matches!(
        reload().for_key(&unsupported),
        Err(KeyError::Unsupported { .. })
    ));
}

#[test]
fn debug_output_never_shows_the_private_key() {
    for (spec, key) in keys() {
        let debug = format!("{key:?}");
        let pem = key.to_pem(None).unwrap();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        // No 16-character run of the private key's base64 appears.
        for start in (0..body.len().saturating_sub(16)).step_by(16) {
            assert!(!debug.contains(&body[start..start + 16]), "{spec:?}");
        }
        assert!(debug.contains(&key.public_key().scheme));
    }
}

/// F-28: an ECDSA key whose SPKI holds the compressed point is the same key
/// as the usual uncompressed form, so it must not count as a second signer.
#[test]
fn compressed_point_encoding_of_a_listed_key_cannot_count_twice_toward_threshold() {
    for (spec, key) in keys() {
        let (coord, curve_oid_len) = match spec {
            KeySpec::EcdsaP256 => (32, 8),
            KeySpec::EcdsaP384 => (48, 5),
            _ => continue,
        };
        let public = key.public_key();
        let der = pem_body(&public.keyval.public);
        // SEQUENCE { AlgorithmIdentifier, BIT STRING { 0x00, 0x04 || X || Y } }
        let alg = &der[2..2 + 2 + 9 + 2 + curve_oid_len];
        let point = &der[der.len() - (1 + 2 * coord)..];
        assert_eq!(point[0], 0x04);
        let (x, y) = (&point[1..=coord], &point[1 + coord..]);
        let mut compressed = vec![0x02 | (y[coord - 1] & 1)];
        compressed.extend_from_slice(x);
        let mut bits = vec![0x03, u8::try_from(compressed.len() + 1).unwrap(), 0x00];
        bits.extend(&compressed);
        let mut spki = vec![0x30, u8::try_from(alg.len() + bits.len()).unwrap()];
        spki.extend(alg);
        spki.extend(&bits);
        let variant = Key::new(public.keytype.clone(), public.scheme.clone(), pem(&spki));
        assert_ne!(variant.keyval.public, public.keyval.public);

        let usual = PublicKey::from_key(&public).unwrap();
        let other = PublicKey::from_key(&variant).expect("compressed points parse");
        assert_eq!(other.material(), usual.material(), "{spec:?}");
        assert!(other.verify(MSG, &key.sign(MSG).unwrap()));
    }
}

#[test]
fn ed25519_hex_case_does_not_make_a_second_key() {
    let public = keys()[0].1.public_key();
    let upper = Key::new("ed25519", "ed25519", public.keyval.public.to_uppercase());
    assert_ne!(upper.keyval.public, public.keyval.public);
    assert_eq!(
        PublicKey::from_key(&upper).unwrap().material(),
        PublicKey::from_key(&public).unwrap().material()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// verify() is a yes/no answer for any bytes: never a panic, never a
    /// false yes.
    #[test]
    fn verify_never_panics_and_rejects_arbitrary_signatures(
        sig in proptest::collection::vec(any::<u8>(), 0..600),
        msg in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        for (_, key) in keys() {
            prop_assert!(!verifier(key).verify(&msg, &sig));
        }
    }

    /// Every signature length from empty to one past the real one.
    #[test]
    fn verify_rejects_every_prefix_of_a_valid_signature(cut in 0usize..512) {
        for (_, key) in keys() {
            let sig = key.sign(MSG).unwrap();
            let cut = cut.min(sig.len() - 1);
            prop_assert!(!verifier(key).verify(MSG, &sig[..cut]));
        }
    }
}

fn pem_body(text: &str) -> Vec<u8> {
    pem::decode_vec(text.as_bytes()).expect("PEM").1
}

fn pem(der: &[u8]) -> String {
    pem::encode_string("PUBLIC KEY", pem::LineEnding::LF, der).expect("PEM")
}
