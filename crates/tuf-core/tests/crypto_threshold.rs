//! F-28 end to end: a threshold counts distinct keys, so one key listed under
//! two keyids (legacy keytype spelling, or an extra unknown field) and
//! signing twice is still one signer. Exercises [`RoleKeys::verify`] with
//! real keys from [`tuf_core::crypto`].

use tuf_core::DateTime;
use tuf_core::VerifyError;
use tuf_core::crypto::{KeySpec, PrivateKey, Signer};
use tuf_core::metadata::{Key, KeyId, Metadata, RawMetadata, RoleType, Root, Threshold};

/// A root whose root role lists `keys` (each under its own keyid) with
/// threshold 2, signed by every listed key under its keyid.
fn root_signed_by(signers: Vec<(KeyId, PrivateKey)>) -> Vec<u8> {
    let mut root = Root::new(DateTime::parse("2030-01-01T00:00:00Z").unwrap());
    for (id, signer) in &signers {
        root.add_key_with_id(RoleType::Root, id.clone(), signer.public_key());
    }
    root.set_threshold(RoleType::Root, Threshold::new(2).unwrap());
    let mut md = Metadata::new(root);
    for (id, signer) in &signers {
        md.sign_as(signer, id.clone(), true).unwrap();
    }
    md.to_bytes()
}

fn verify_root(bytes: &[u8]) -> Result<(), VerifyError> {
    let raw = RawMetadata::parse(bytes, "root").unwrap();
    let root: Metadata<Root> = raw.to_metadata().unwrap();
    root.signed.role_keys(RoleType::Root).verify(&raw)
}

fn reload(key: &PrivateKey) -> PrivateKey {
    PrivateKey::from_pem(&key.to_pem(None).unwrap(), None).unwrap()
}

#[test]
fn one_key_under_legacy_and_modern_ecdsa_keytypes_is_one_signature_toward_threshold() {
    let key = PrivateKey::generate(KeySpec::EcdsaP256).unwrap();
    let mut legacy: Key = key.public_key();
    legacy.keytype = "ecdsa-sha2-nistp256".into();
    let modern = reload(&key);
    let legacy_signer = reload(&key).for_key(&legacy).unwrap();
    let (id_a, id_b) = (modern.public_key().compute_keyid(), legacy.compute_keyid());
    assert_ne!(id_a, id_b, "two keyids");

    let bytes = root_signed_by(vec![(id_a, modern), (id_b, legacy_signer)]);
    assert_eq!(
        verify_root(&bytes),
        Err(VerifyError::ThresholdNotMet {
            role: "root".into(),
            verified: 1,
            threshold: 2
        })
    );
}

#[test]
fn one_key_with_an_extra_unknown_field_is_one_signature_toward_threshold() {
    let key = PrivateKey::generate(KeySpec::Ed25519).unwrap();
    let mut variant: Key = key.public_key();
    variant
        .unrecognized
        .insert("x-note".into(), serde_json::json!("same key"));
    let plain = reload(&key);
    let variant_signer = reload(&key).for_key(&variant).unwrap();
    let (id_a, id_b) = (plain.public_key().compute_keyid(), variant.compute_keyid());
    assert_ne!(id_a, id_b);

    let bytes = root_signed_by(vec![(id_a, plain), (id_b, variant_signer)]);
    assert!(matches!(
        verify_root(&bytes),
        Err(VerifyError::ThresholdNotMet { verified: 1, .. })
    ));
}

#[test]
fn two_distinct_keys_meet_the_same_threshold() {
    // Control for the two tests above: the setup can succeed.
    let a = PrivateKey::generate(KeySpec::EcdsaP256).unwrap();
    let b = PrivateKey::generate(KeySpec::Ed25519).unwrap();
    let signers = vec![
        (a.public_key().compute_keyid(), a),
        (b.public_key().compute_keyid(), b),
    ];
    assert_eq!(verify_root(&root_signed_by(signers)), Ok(()));
}
