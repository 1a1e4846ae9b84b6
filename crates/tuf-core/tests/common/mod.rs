//! Helpers shared by the large-document tests.

use tuf_core::crypto::{PrivateKey, Signer};
use tuf_core::metadata::{Metadata, RoleType, Root, Targets};
use tuf_core::verify::{parse_and_verify, parse_and_verify_owned};
use tuf_core::{DateTime, Error};

/// `bytes` through `verify::parse_and_verify` as a targets role that a root
/// trusts `key` for, threshold 1; `verify::parse_and_verify_owned` (the
/// client's path: it frees the bytes early) must give the same outcome.
pub fn verify_targets(key: &PrivateKey, bytes: &[u8]) -> Result<Metadata<Targets>, Error> {
    let mut root = Root::new(DateTime::parse("2030-01-01T00:00:00Z").unwrap());
    let public = key.public_key();
    root.add_key_with_id(RoleType::Targets, public.compute_keyid(), public);
    let role_keys = root.role_keys(RoleType::Targets);
    let borrowed =
        parse_and_verify::<Targets>(bytes, "targets", &[&role_keys]).map(|v| v.into_inner());
    let owned = parse_and_verify_owned::<Targets, _>(bytes.to_vec(), "targets", &[&role_keys])
        .map(|v| v.into_inner());
    match (&borrowed, &owned) {
        (Ok(a), Ok(b)) => assert!(a == b, "the two paths parsed differently"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!(
            "the paths disagree: borrowed {:?}, owned {:?}",
            a.as_ref().err(),
            b.as_ref().err()
        ),
    }
    borrowed
}
