//! Helpers shared by the large-document tests.

use tuf_core::crypto::{PrivateKey, Signer};
use tuf_core::metadata::{Metadata, RoleType, Root, Targets};
use tuf_core::verify::parse_and_verify;
use tuf_core::{DateTime, Error};

/// `bytes` through `verify::parse_and_verify` (the path the client takes) as
/// a targets role that a root trusts `key` for, threshold 1.
pub fn verify_targets(key: &PrivateKey, bytes: &[u8]) -> Result<Metadata<Targets>, Error> {
    let mut root = Root::new(DateTime::parse("2030-01-01T00:00:00Z").unwrap());
    let public = key.public_key();
    root.add_key_with_id(RoleType::Targets, public.compute_keyid(), public);
    let role_keys = root.role_keys(RoleType::Targets);
    parse_and_verify::<Targets>(bytes, "targets", &[&role_keys]).map(|v| v.into_inner())
}
