//! `tuf-repo`: repository tooling — create, edit, sign and publish TUF
//! repositories (spec §6, architecture decision 11).
//!
//! # Contract
//!
//! - **Keys stay out of the repository.** Private keys live in a
//!   [`KeyStore`] directory of their own (PKCS#8 PEM, optionally encrypted,
//!   mode 0600); signing goes through [`Signer`](tuf_core::crypto::Signer)
//!   trait objects, so hardware or remote keys plug in the same way.
//! - **Safe publishing.** [`Repository::publish`] decides and signs
//!   everything first, then writes roots, target copies and targets
//!   metadata, then snapshot, then timestamp, each file atomically (temp
//!   file, flush, rename). A reader never sees a timestamp pointing at files
//!   that do not exist yet.
//! - **Nothing changes on error.** Bad input (a missing key, a wrong
//!   passphrase, an expired role, a target outside the repository, a corrupt
//!   file) is a typed [`RepoError`] and leaves the repository on disk and
//!   in memory as it was.
//! - **Scale.** Delegated roles load lazily and only changed roles are
//!   re-signed and re-written: changing one target among a million in
//!   16,384 succinct bins touches that bin, snapshot and timestamp.
//!   [`Repository::add_targets`] places many targets in one pass, and
//!   publishing signs and serializes roles on every core, straight from
//!   the model (byte-identical to the `serde_json::Value` path).
//! - **Detached signing across sessions.** [`Repository::stage`] keeps
//!   unpublished changes and the signatures collected so far under
//!   `REPO/.tuf-repo/staged/`; [`Repository::open`] continues from them as
//!   untrusted drafts (every staged signature re-verified), and a
//!   successful publish clears them.
//! - **Verified like a client.** [`Repository::verify`] runs tuf-core's
//!   client state machine over the published files.
//!
//! # Layout
//!
//! `REPO/metadata/` and `REPO/targets/` are what a web server publishes;
//! `REPO/.tuf-repo/` holds the publishing policy ([`RepoConfig`]) and the
//! staged changes.
#![forbid(unsafe_code)]

mod config;
mod delegation;
mod error;
mod fsio;
mod keystore;
mod layout;
mod prune;
mod publish;
mod repository;
mod role_name;
mod role_state;
mod root_keys;
mod signing;
mod staging;
mod status;
mod target_path;
mod targets;
mod verify;

// Public interface:
pub use config::{ExpiryPolicy, RepoConfig};
pub use delegation::{BinsSpec, DelegationSpec};
pub use error::{IoOp, RepoError, Result};
pub use keystore::{KeyEntry, KeyStore};
pub use prune::PruneReport;
pub use publish::PublishReport;
pub use repository::{InitOptions, Repository, RoleKeySetup};
pub use role_name::{RoleNameError, check_role_name};
pub use signing::{GroupStatus, SignatureStatus};
pub use status::{RoleStatus, Status};
pub use target_path::{TargetPath, TargetPathError};
pub use targets::AddedTarget;
pub use verify::{Problem, VerifiedRole, VerifyReport};
