//! `tuf-core`: the pure heart of a Rust implementation of The Update Framework
//! (TUF, specification 1.0.34).
//!
//! # Contract
//!
//! - **No I/O.** This crate never touches the network, the filesystem or the
//!   clock. Time is an argument ([`DateTime`]); bytes come in as `&[u8]`.
//! - **Verify the bytes received.** Signatures are checked over the canonical
//!   JSON of the `signed` member *as received* (unknown fields included), never
//!   over a re-serialized struct. Typed, trusted metadata can only be obtained
//!   as [`Verified`] values built by the verifier.
//! - **Lossless.** Unknown fields at any depth survive parse, edit and
//!   serialize.
//! - **Security decisions live in one place:** [`TrustedMetadataSet`] (spec §5).
//!
//! # Map
//!
//! - [`canonical`]: canonical JSON exactly as securesystemslib writes it.
//! - [`json`]: the human-readable writer (byte-identical to python-tuf's).
//! - [`crypto`]: public-key verification, private keys, signing.
//! - [`metadata`]: the typed model of every role, builders and editors.
//! - [`verify`]: threshold verification and the [`Verified`] proof type.
//! - [`trust`]: the trusted-metadata state machine of the client workflow.
#![forbid(unsafe_code)]

pub mod canonical;
pub mod crypto;
mod error;
pub mod json;
pub mod metadata;
mod serialize;
mod time;
pub mod trust;
pub mod verify;

// Public interface:
pub use error::{ApiMisuse, Error, FormatError, LengthOrHashError, VerifyError};
pub use metadata::RoleType;
pub use time::DateTime;
pub use trust::TrustedMetadataSet;
pub use verify::Verified;
