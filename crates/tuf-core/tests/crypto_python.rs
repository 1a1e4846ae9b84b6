//! Python verifies what we make: our signatures, keyids, public key text and
//! (encrypted) private key PEMs, checked by securesystemslib and cryptography
//! through `scripts/check_crypto_interop.py`, run with the python that
//! `scripts/pyenv.sh` provides (set `TUF_PYENV` to reuse an environment).

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};
use tuf_core::crypto::{KeySpec, PrivateKey, RsaScheme, Signer};
use tuf_testkit::{project_root, python};

const MSG: &[u8] = "{\"_type\":\"root\",\"note\":\"signé par Rust\",\"version\":3}".as_bytes();
const PASSPHRASE: &[u8] = "interop ✓ passphrase".as_bytes();

fn run_check(python: &Path, manifest: &Value) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("manifest.json");
    std::fs::write(&path, serde_json::to_vec_pretty(manifest).unwrap()).unwrap();
    Command::new(python)
        .arg(project_root().join("scripts/check_crypto_interop.py"))
        .arg(&path)
        .output()
        .expect("the interop script runs")
}

fn case(name: &str, key: &PrivateKey) -> Value {
    let public = key.public_key();
    json!({
        "name": name,
        "public": public,
        "keyid": public.compute_keyid().as_str(),
        "signature": hex::encode(key.sign(MSG).unwrap()),
        "private_pem": key.to_pem(None).unwrap().as_str(),
        "private_pem_encrypted": key.to_pem(Some(PASSPHRASE)).unwrap().as_str(),
    })
}

fn manifest(cases: Vec<Value>) -> Value {
    json!({
        "message_hex": hex::encode(MSG),
        "passphrase_hex": hex::encode(PASSPHRASE),
        "keys": cases,
    })
}

#[test]
fn python_verifies_our_signatures_keyids_and_encrypted_pems() {
    let mut specs = vec![KeySpec::Ed25519, KeySpec::EcdsaP256, KeySpec::EcdsaP384];
    for (i, scheme) in RsaScheme::ALL.into_iter().enumerate() {
        let bits = if i == 0 { 3072 } else { 2048 };
        specs.push(KeySpec::Rsa { bits, scheme });
    }
    let mut cases: Vec<Value> = specs
        .into_iter()
        .map(|spec| case(&format!("{spec:?}"), &PrivateKey::generate(spec).unwrap()))
        .collect();
    // A P-256 key listed under the legacy keytype, signing through for_key.
    let p256 = PrivateKey::generate(KeySpec::EcdsaP256).unwrap();
    let mut legacy = p256.public_key();
    legacy.keytype = "ecdsa-sha2-nistp256".into();
    cases.push(case(
        "legacy ecdsa keytype",
        &p256.for_key(&legacy).unwrap(),
    ));
    let count = cases.len();

    let out = run_check(&python(), &manifest(cases));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "python rejected our keys:\n{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        report.contains(&format!("checked {count} keys, 0 failures")),
        "{report}"
    );
}

#[test]
fn the_interop_check_fails_on_a_bad_signature() {
    // Guard against a checker that passes everything.
    let key = PrivateKey::generate(KeySpec::Ed25519).unwrap();
    let mut bad = case("ed25519 signing another message", &key);
    bad["signature"] = json!(hex::encode(key.sign(b"another message").unwrap()));
    let out = run_check(&python(), &manifest(vec![bad]));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{report}");
    assert!(report.contains("our signature does not verify"), "{report}");
}
