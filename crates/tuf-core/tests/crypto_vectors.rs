//! Cross-language crypto vectors made by securesystemslib and Python
//! cryptography (`scripts/gen_crypto_vectors.py` → `vectors/crypto.json`):
//! we verify python's signatures and reject tampered ones, load python's
//! private keys in every PEM form, describe them exactly as python does (same
//! keyid), and refuse the keys python made to be refused.

use serde_json::Value;
use tuf_core::crypto::{KeyError, KeyFormat, PrivateKey, PublicKey, RsaScheme, Signer};
use tuf_core::metadata::Key;

const VECTORS: &str = include_str!("vectors/crypto.json");

fn vectors() -> Value {
    serde_json::from_str(VECTORS).expect("crypto.json is JSON")
}

fn key(v: &Value) -> Key {
    serde_json::from_value(v.clone()).expect("a key dict")
}

fn unhex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("a hex string")).expect("hex")
}

fn text(v: &Value) -> &str {
    v.as_str().expect("a string")
}

fn message() -> Vec<u8> {
    unhex(&vectors()["message_hex"])
}

fn passphrase() -> Vec<u8> {
    unhex(&vectors()["passphrase_hex"])
}

/// The key cases: (name, case).
fn cases() -> Vec<(String, Value)> {
    vectors()["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|case| (text(&case["name"]).to_owned(), case.clone()))
        .collect()
}

/// Load a python private key and give it the scheme python's public key names.
fn load_as(case: &Value, pem: &str, passphrase: Option<&[u8]>) -> PrivateKey {
    let public = key(&case["public"]);
    let private = PrivateKey::from_pem(pem, passphrase).expect("python's PEM loads");
    match RsaScheme::from_name(&public.scheme) {
        Some(scheme) => private.with_rsa_scheme(scheme).expect("an RSA key"),
        None => private,
    }
}

#[test]
fn python_signatures_verify() {
    let msg = message();
    let cases = cases();
    assert_eq!(cases.len(), 10);
    for (name, case) in cases {
        let public = PublicKey::from_key(&key(&case["public"])).expect(&name);
        assert!(public.verify(&msg, &unhex(&case["signature"])), "{name}");
    }
}

#[test]
fn tampered_or_misapplied_python_signatures_are_rejected() {
    let msg = message();
    let cases = cases();
    for (name, case) in &cases {
        let public = PublicKey::from_key(&key(&case["public"])).expect(name);
        let sig = unhex(&case["signature"]);
        assert!(
            !public.verify(&msg, &unhex(&case["tampered_signature"])),
            "{name}"
        );
        let mut other_msg = msg.clone();
        other_msg.push(b' ');
        assert!(!public.verify(&other_msg, &sig), "{name}: other message");
        assert!(
            !public.verify(&msg, &sig[..sig.len() - 1]),
            "{name}: truncated"
        );
        assert!(
            !public.verify(&msg, &[sig.as_slice(), &[0]].concat()),
            "{name}: extended"
        );
        assert!(!public.verify(&msg, &[]), "{name}: empty");
        // Another key's valid signature over the same message.
        for (other, other_case) in &cases {
            if other != name && other_case["public"] != case["public"] {
                let other_sig = unhex(&other_case["signature"]);
                assert!(
                    !public.verify(&msg, &other_sig),
                    "{name} with {other}'s sig"
                );
            }
        }
    }
}

#[test]
fn python_private_keys_load_in_every_pem_form_and_describe_themselves_as_python_does() {
    let pass = passphrase();
    for (name, case) in cases() {
        // The legacy-keytype case is a modern key pair listed under the old
        // spelling: our default description is the modern one.
        let expected = match case.get("same_key_modern") {
            Some(modern) => key(&modern["public"]),
            None => key(&case["public"]),
        };
        let mut forms = vec![
            ("plain", text(&case["private_pem"]), None),
            (
                "encrypted",
                text(&case["private_pem_encrypted"]),
                Some(pass.as_slice()),
            ),
        ];
        if let Some(traditional) = case.get("private_pem_traditional") {
            forms.push(("traditional", text(traditional), None));
        }
        for (form, pem, passphrase) in forms {
            let private = load_as(&case, pem, passphrase);
            assert_eq!(private.public_key(), expected, "{name} ({form})");
        }
    }
}

#[test]
fn wrong_missing_or_superfluous_passphrases_are_distinct_errors() {
    let pass = passphrase();
    for (name, case) in cases() {
        let encrypted = text(&case["private_pem_encrypted"]);
        let plain = text(&case["private_pem"]);
        assert_eq!(
            PrivateKey::from_pem(encrypted, Some(b"not the passphrase")).unwrap_err(),
            KeyError::WrongPassphrase,
            "{name}"
        );
        assert_eq!(
            PrivateKey::from_pem(encrypted, Some(&pass[..pass.len() - 1])).unwrap_err(),
            KeyError::WrongPassphrase,
            "{name}"
        );
        assert_eq!(
            PrivateKey::from_pem(encrypted, None).unwrap_err(),
            KeyError::PassphraseRequired,
            "{name}"
        );
        assert_eq!(
            PrivateKey::from_pem(plain, Some(&pass)).unwrap_err(),
            KeyError::UnexpectedPassphrase,
            "{name}"
        );
    }
}

#[test]
fn keyids_match_python() {
    for (name, case) in cases() {
        let public = key(&case["public"]);
        assert_eq!(
            public.compute_keyid().as_str(),
            text(&case["keyid"]),
            "{name}"
        );
        assert_eq!(case["keyid"], case["python_default_keyid"], "{name}");
        // Our description of python's private key hashes to python's keyid.
        let private = load_as(&case, text(&case["private_pem"]), None);
        let ours = match case.get("same_key_modern") {
            Some(modern) => &modern["keyid"],
            None => &case["keyid"],
        };
        assert_eq!(
            private.public_key().compute_keyid().as_str(),
            text(ours),
            "{name}"
        );
        for variant in ["same_key_modern", "same_key_unrecognized_field"] {
            if let Some(v) = case.get(variant) {
                let k = key(&v["public"]);
                assert_eq!(
                    k.compute_keyid().as_str(),
                    text(&v["keyid"]),
                    "{name} {variant}"
                );
            }
        }
    }
}

#[test]
fn our_signatures_with_python_keys_verify_against_python_public_keys() {
    let msg = message();
    for (name, case) in cases() {
        let private = load_as(&case, text(&case["private_pem"]), None);
        let private = private.for_key(&key(&case["public"])).expect(&name);
        let sig = private.sign(&msg).expect(&name);
        let public = PublicKey::from_key(&key(&case["public"])).expect(&name);
        assert!(public.verify(&msg, &sig), "{name}");
        assert!(!public.verify(b"another message", &sig), "{name}");
    }
}

#[test]
fn duplicate_key_under_legacy_keytype_or_extra_field_cannot_count_twice_toward_threshold() {
    // F-28: two keyids, one key. A threshold counts material(), which must match.
    let cases = cases();
    let find = |name: &str| cases.iter().find(|(n, _)| n == name).expect(name).1.clone();
    for (case, variant) in [
        (find("ecdsa-legacy-keytype"), "same_key_modern"),
        (find("ed25519"), "same_key_unrecognized_field"),
    ] {
        let a = key(&case["public"]);
        let b = key(&case[variant]["public"]);
        assert_ne!(case["keyid"], case[variant]["keyid"], "two keyids");
        assert_ne!(a, b);
        let (pa, pb) = (
            PublicKey::from_key(&a).unwrap(),
            PublicKey::from_key(&b).unwrap(),
        );
        assert_eq!(pa.material(), pb.material(), "{variant}");
        // And each verifies the one signature: without normalized material it
        // would be counted twice.
        let sig = unhex(&case["signature"]);
        assert!(pa.verify(&message(), &sig) && pb.verify(&message(), &sig));
    }
    let legacy = find("ecdsa-legacy-keytype");
    assert_eq!(legacy["public"]["keytype"], "ecdsa-sha2-nistp256");
    assert_eq!(legacy["same_key_modern"]["public"]["keytype"], "ecdsa");
}

#[test]
fn rsa_pss_salt_lengths_other_than_the_digest_length() {
    let msg = message();
    let signatures = vectors()["signatures"].clone();
    let signatures = signatures.as_array().unwrap();
    assert_eq!(signatures.len(), 3);
    for case in signatures {
        let name = text(&case["name"]);
        let public = PublicKey::from_key(&key(&case["public"])).expect(name);
        let valid = case["valid"].as_bool().unwrap();
        assert_eq!(
            public.verify(&msg, &unhex(&case["signature"])),
            valid,
            "{name}"
        );
    }
}

#[test]
fn rsa_1024_key_is_unusable() {
    let weak = vectors()["weak_rsa"].clone();
    assert_eq!(
        PublicKey::from_key(&key(&weak["public"])).unwrap_err(),
        KeyError::RsaKeySize { bits: 1024 }
    );
    assert_eq!(
        PrivateKey::from_pem(text(&weak["private_pem"]), None).unwrap_err(),
        KeyError::RsaKeySize { bits: 1024 }
    );
}

#[test]
fn unsupported_keytypes_and_schemes() {
    let unsupported = vectors()["unsupported"].clone();
    let unsupported = unsupported.as_array().unwrap();
    assert_eq!(unsupported.len(), 5);
    for v in unsupported {
        let k = key(v);
        assert_eq!(
            PublicKey::from_key(&k).unwrap_err(),
            KeyError::Unsupported {
                keytype: k.keytype.clone(),
                scheme: k.scheme.clone()
            }
        );
    }
}

#[test]
fn malformed_public_keys_are_typed_errors() {
    let malformed = vectors()["malformed"].clone();
    let malformed = malformed.as_array().unwrap();
    assert_eq!(malformed.len(), 11);
    for case in malformed {
        let why = text(&case["why"]);
        let err = PublicKey::from_key(&key(&case["public"])).unwrap_err();
        let variant = match err {
            KeyError::WrongKeyType { .. } => "WrongKeyType",
            KeyError::Malformed { .. } => "Malformed",
            KeyError::PemLabel { .. } => "PemLabel",
            other => panic!("{why}: unexpected {other:?}"),
        };
        assert_eq!(variant, text(&case["error"]), "{why}: {err}");
    }
}

#[test]
fn wrong_key_type_names_both_sides() {
    let malformed = vectors()["malformed"].clone();
    let p384_as_p256 = key(&malformed[0]["public"]);
    assert_eq!(
        PublicKey::from_key(&p384_as_p256).unwrap_err(),
        KeyError::WrongKeyType {
            expected: "an ECDSA P-256 key",
            found: "an ECDSA P-384 key"
        }
    );
    let short_hex = key(&malformed[4]["public"]);
    assert_eq!(
        PublicKey::from_key(&short_hex).unwrap_err(),
        KeyError::Malformed {
            format: KeyFormat::Ed25519Hex
        }
    );
}

#[test]
fn openssl_scrypt_encrypted_pkcs8_loads() {
    let v = vectors()["encrypted_pem_scrypt"].clone();
    let pem = text(&v["private_pem_encrypted"]);
    let private = PrivateKey::from_pem(pem, Some(&passphrase())).unwrap();
    assert_eq!(private.public_key(), key(&v["public"]));
    assert_eq!(
        PrivateKey::from_pem(pem, Some(b"wrong")).unwrap_err(),
        KeyError::WrongPassphrase
    );
}

#[test]
fn legacy_openssl_pem_encryption_is_unsupported() {
    let pem = vectors()["encrypted_pem_legacy_openssl"].clone();
    assert_eq!(
        PrivateKey::from_pem(text(&pem), Some(&passphrase())).unwrap_err(),
        KeyError::UnsupportedEncryption
    );
}
