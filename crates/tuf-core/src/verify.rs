//! Threshold verification and [`Verified`], the proof type for trusted metadata.
//!
//! # Contract
//!
//! A [`Verified<T>`] can only be built here, and only after a threshold of
//! distinct keys from every required delegator has signed the canonical bytes
//! of the `signed` member *as received*. Parsing into `T` happens from the
//! same received text. One function counts signatures for every role.

use crate::error::Error;
use crate::metadata::{Metadata, RawMetadata, RoleKeys, SignedMeta};

/// Metadata whose signatures have been verified. Only this module builds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified<T> {
    metadata: Metadata<T>,
}

impl<T> Verified<T> {
    /// The payload.
    pub fn signed(&self) -> &T {
        &self.metadata.signed
    }
    /// The whole document.
    pub fn metadata(&self) -> &Metadata<T> {
        &self.metadata
    }
    /// Give up the proof and take the document.
    pub fn into_inner(self) -> Metadata<T> {
        self.metadata
    }
}

impl<T> std::ops::Deref for Verified<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.metadata.signed
    }
}

/// Verify `raw` against every set of role keys in `delegators` (root updates
/// need two: the trusted root's and the new root's), then parse it as `T`.
pub fn verify<T: SignedMeta>(
    raw: &RawMetadata<'_>,
    delegators: &[&RoleKeys<'_>],
) -> Result<Verified<T>, Error> {
    let metadata = raw.to_metadata::<T>()?;
    for keys in delegators {
        keys.verify(raw)?;
    }
    Ok(Verified { metadata })
}

/// Verify a root against its own keys (§5.2: the trusted root must be self-signed).
pub fn verify_root_self(raw: &RawMetadata<'_>) -> Result<Verified<crate::metadata::Root>, Error> {
    let metadata = raw.to_metadata::<crate::metadata::Root>()?;
    metadata
        .signed
        .role_keys(crate::RoleType::Root)
        .verify(raw)?;
    Ok(Verified { metadata })
}

/// Verify a new root against the trusted root's keys and its own (§5.3.4).
pub fn verify_root_update(
    raw: &RawMetadata<'_>,
    trusted: &crate::metadata::Root,
) -> Result<Verified<crate::metadata::Root>, Error> {
    let metadata = raw.to_metadata::<crate::metadata::Root>()?;
    trusted.role_keys(crate::RoleType::Root).verify(raw)?;
    metadata
        .signed
        .role_keys(crate::RoleType::Root)
        .verify(raw)?;
    Ok(Verified { metadata })
}
