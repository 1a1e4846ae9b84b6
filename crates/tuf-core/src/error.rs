//! Errors of `tuf-core`, grouped by who is at fault.
//!
//! - [`FormatError`]: the bytes are not valid TUF metadata (the repository's
//!   fault). Always names the role (or file) and the field.
//! - [`VerifyError`]: well-formed metadata that fails a security rule of the
//!   specification: a possible attack (the repository's fault).
//! - [`ApiMisuse`]: the caller broke the API contract; no input can cause it.
//!
//! Expected outcomes (an unchanged timestamp, a target that is not listed)
//! are values, not errors.

use crate::DateTime;

/// Any error `tuf-core` reports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Malformed metadata.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// Metadata that fails a security check.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// The caller used the API out of order or with impossible arguments.
    #[error("API misuse: {0}")]
    ApiMisuse(#[from] ApiMisuse),
}

/// Metadata that cannot be parsed or violates the format rules of spec §4.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{role}: invalid metadata at `{field}`: {detail}")]
pub struct FormatError {
    /// The role (or file name) the bytes were meant to be.
    pub role: String,
    /// Dotted path of the offending field, e.g. `signed.roles.root.threshold`
    /// (`.` for the document itself).
    pub field: String,
    /// What is wrong with it.
    pub detail: String,
}

impl FormatError {
    /// A new format error.
    pub fn new(
        role: impl Into<String>,
        field: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        FormatError {
            role: role.into(),
            field: field.into(),
            detail: detail.into(),
        }
    }
}

/// A hash or length check failed (spec §5.5.2, §5.6.2, §5.7.3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LengthOrHashError {
    /// The data has a different length than trusted metadata says.
    #[error("length mismatch: expected {expected} bytes, got {actual}")]
    Length {
        /// Trusted length.
        expected: u64,
        /// Observed length (may be a lower bound when reading stopped early).
        actual: u64,
    },
    /// A digest differs from trusted metadata.
    #[error("{algorithm} hash mismatch: expected {expected}, got {actual}")]
    Hash {
        /// Algorithm name as written in metadata.
        algorithm: String,
        /// Trusted digest (hex).
        expected: String,
        /// Observed digest (hex).
        actual: String,
    },
    /// The metadata lists an algorithm we cannot compute: treated as a mismatch.
    #[error("unsupported hash algorithm {0:?}")]
    UnsupportedAlgorithm(String),
}

/// Well-formed metadata that breaks a security rule of spec §5.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Fewer distinct trusted keys signed than the threshold requires.
    #[error(
        "{role}: signature threshold not met: {verified} of {threshold} required signatures verified"
    )]
    ThresholdNotMet {
        /// Role whose signatures were checked.
        role: String,
        /// Distinct keys whose signature verified.
        verified: u32,
        /// Threshold required.
        threshold: u32,
    },
    /// The delegator does not know this role at all.
    #[error("{role}: no delegation for this role")]
    UnknownRole {
        /// The role.
        role: String,
    },
    /// A version lower than the trusted one: rollback attack.
    #[error("{role}: rollback: version {offered} is lower than trusted version {trusted}")]
    Rollback {
        /// Role (or metafile) concerned.
        role: String,
        /// Trusted version.
        trusted: u64,
        /// Offered version.
        offered: u64,
    },
    /// A version other than the one required by referring metadata.
    #[error("{role}: version {got}, expected {expected}")]
    VersionMismatch {
        /// Role concerned.
        role: String,
        /// Version required.
        expected: u64,
        /// Version found.
        got: u64,
    },
    /// Freeze attack: the metadata has expired.
    #[error("{role}: expired at {expires}")]
    Expired {
        /// Role concerned.
        role: String,
        /// Its expiry time.
        expires: DateTime,
    },
    /// The bytes do not match the length or hashes trusted metadata gives.
    #[error("{what}: {source}")]
    LengthOrHash {
        /// The file or target concerned.
        what: String,
        /// Which check failed.
        source: LengthOrHashError,
    },
    /// Metadata of the wrong type where a role was expected.
    #[error("expected {expected} metadata, got {got:?}")]
    WrongType {
        /// The role type expected.
        expected: String,
        /// The `_type` found.
        got: String,
    },
    /// Referring metadata lacks a required entry (e.g. snapshot has no entry for a role).
    #[error("{referrer} has no entry for {name}")]
    MissingMeta {
        /// The metadata that should list it.
        referrer: String,
        /// The missing entry.
        name: String,
    },
}

/// Calls the API contract forbids. No repository data can cause these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiMisuse {
    /// Root cannot be updated once timestamp has been loaded.
    #[error("root cannot be updated after timestamp")]
    RootAfterTimestamp,
    /// Timestamp cannot be updated once snapshot has been loaded.
    #[error("timestamp cannot be updated after snapshot")]
    TimestampAfterSnapshot,
    /// Snapshot needs a trusted timestamp.
    #[error("snapshot cannot be loaded before timestamp")]
    SnapshotBeforeTimestamp,
    /// Snapshot cannot be updated once targets have been loaded.
    #[error("snapshot cannot be updated after targets")]
    SnapshotAfterTargets,
    /// Targets need a trusted snapshot.
    #[error("targets cannot be loaded before snapshot")]
    TargetsBeforeSnapshot,
    /// A delegated role needs its delegator loaded first.
    #[error("delegated role loaded before its delegator")]
    DelegatorNotLoaded,
    /// Signing was asked of metadata with an invalid state.
    #[error("a signer's key could not be used")]
    UnusableSigner,
}
