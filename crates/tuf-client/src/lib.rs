//! `tuf-client`: the TUF client workflow (spec §5) over a transport and a
//! metadata store. Every security decision is delegated to
//! [`tuf_core::TrustedMetadataSet`]; this crate only moves bytes.
//!
//! # Map
//!
//! - [`Transport`] fetches a URL with a byte limit; [`HttpTransport`] is the
//!   default (ureq, rustls on aws-lc-rs), bounded in size and time.
//! - [`MetadataStore`] keeps verified metadata; [`DirectoryStore`] writes
//!   atomically and serializes refreshes across processes with a lock file.
//! - [`TargetDirectory`] downloads targets into place only once verified,
//!   and reuses a cached copy only if it still matches.
//! - [`Updater`] runs the workflow of spec §5 and finds targets through
//!   delegations.
//! - Every error answers [`Fault`]: who is to blame.
#![forbid(unsafe_code)]

mod config;
mod error;
mod fault;
mod fs;
mod store;
mod targets;
mod transport;
mod updater;
mod write_behind;

// Public interface:
pub use config::UpdaterConfig;
pub use error::Error;
pub use fault::Fault;
pub use fs::{LocalError, LocalOp};
pub use store::{
    DirectoryStore, LOCK_FILE_NAME, MetadataStore, NameProblem, RefreshLock, StagedWrite,
    StoreError,
};
pub use targets::{TargetDirectory, TargetError, target_file_name};
pub use transport::{
    ConnectionFailure, Fetched, HttpConfig, HttpConfigError, HttpTransport, RedirectProblem,
    SlowPhase, Transport, TransportError, UrlProblem, fetch_bytes,
};
pub use updater::{TargetInfo, Updater};
