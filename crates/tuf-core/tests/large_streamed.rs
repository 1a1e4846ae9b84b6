//! Targets roles of plain names and digests over 256 KiB: signed with
//! Ed25519, the owned path hashes their canonical form piece by piece (ADR
//! 0011) instead of holding it whole, beside the parse; with another key it
//! keeps the whole form (and, under 4 MiB, checks before it parses, on one
//! thread). The verdicts must be the ones the borrowed path gives
//! (`common::verify_targets` runs both and compares them).

mod common;

use common::verify_targets;

use tuf_core::Error;
use tuf_core::crypto::{KeySpec, PrivateKey};
use tuf_core::metadata::{Metadata, TargetFile, Targets};

fn large(key: &PrivateKey) -> Vec<u8> {
    let bytes = signed(key, 30_000);
    assert!(bytes.len() > 4 << 20, "over OVERLAP_ABOVE: {}", bytes.len());
    bytes
}

/// Between PARALLEL_ABOVE (256 KiB) and OVERLAP_ABOVE (4 MiB).
fn mid_size(key: &PrivateKey) -> Vec<u8> {
    let bytes = signed(key, 3_000);
    assert!(
        (256 << 10..4 << 20).contains(&bytes.len()),
        "{}",
        bytes.len()
    );
    bytes
}

fn signed(key: &PrivateKey, count: u32) -> Vec<u8> {
    let mut targets = Targets::new(tuf_core::DateTime::parse("2030-01-01T00:00:00Z").unwrap());
    for i in 0..count {
        let file = TargetFile::from_bytes(&i.to_le_bytes(), &["sha256", "sha512"]).unwrap();
        targets.add_target(
            format!("packages/{:03}/package-{i:07}.tar.gz", i % 997),
            file,
        );
    }
    let mut md = Metadata::new(targets);
    md.sign(key, false).unwrap();
    md.to_bytes()
}

/// A digit in the second half changed.
fn tamper(bytes: &[u8]) -> Vec<u8> {
    let mut tampered = bytes.to_vec();
    let at = tampered.len() / 2;
    let digit = tampered[at..]
        .iter()
        .position(|b| b.is_ascii_digit())
        .unwrap()
        + at;
    tampered[digit] = if tampered[digit] == b'0' { b'1' } else { b'0' };
    tampered
}

#[test]
fn mid_size_roles_verify_and_refuse_tampering_with_either_kind_of_key() {
    for spec in [KeySpec::Ed25519, KeySpec::EcdsaP256] {
        let key = PrivateKey::generate(spec).unwrap();
        let bytes = mid_size(&key);
        assert_eq!(
            verify_targets(&key, &bytes).unwrap().signed.targets.len(),
            3_000
        );
        assert!(matches!(
            verify_targets(&key, &tamper(&bytes)),
            Err(Error::Verify(_))
        ));
    }
}

#[test]
fn a_large_ed25519_role_verifies_and_its_tampering_is_refused() {
    let key = PrivateKey::generate(KeySpec::Ed25519).unwrap();
    let bytes = large(&key);
    let md = verify_targets(&key, &bytes).unwrap();
    assert_eq!(md.signed.targets.len(), 30_000);

    // A digest changed near the end, past many streamed pieces.
    let text = String::from_utf8(bytes.clone()).unwrap();
    let at = text.rfind("\"sha256\": \"").unwrap() + "\"sha256\": \"".len();
    let mut tampered = text.clone().into_bytes();
    tampered[at] = if tampered[at] == b'0' { b'1' } else { b'0' };
    assert!(matches!(
        verify_targets(&key, &tampered),
        Err(Error::Verify(_))
    ));

    // The signature's last hex digit changed.
    let at = text.find("\"sig\": \"").unwrap() + "\"sig\": \"".len() + 127;
    let mut bad_sig = text.into_bytes();
    bad_sig[at] = if bad_sig[at] == b'0' { b'1' } else { b'0' };
    assert!(matches!(
        verify_targets(&key, &bad_sig),
        Err(Error::Verify(_))
    ));

    // Signed by another key than the one trusted.
    let other = PrivateKey::generate(KeySpec::Ed25519).unwrap();
    assert!(matches!(
        verify_targets(&other, &bytes),
        Err(Error::Verify(_))
    ));
}

#[test]
fn a_large_ecdsa_role_takes_the_whole_canonical_form_and_verifies() {
    let key = PrivateKey::generate(KeySpec::EcdsaP256).unwrap();
    let bytes = large(&key);
    assert!(verify_targets(&key, &bytes).is_ok());
    assert!(verify_targets(&key, &tamper(&bytes)).is_err());
}
