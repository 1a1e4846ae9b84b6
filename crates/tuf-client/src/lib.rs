//! `tuf-client`: the TUF client workflow (spec §5) over a transport and a
//! metadata store. Every security decision is delegated to
//! [`tuf_core::TrustedMetadataSet`]; this crate only moves bytes.
//!
//! # Map
//!
//! - [`Transport`] fetches a URL with a byte limit; [`HttpTransport`] is the
//!   default (ureq, rustls on aws-lc-rs), bounded in size and time.
//! - Every error answers [`Fault`]: who is to blame.
#![forbid(unsafe_code)]

mod fault;
mod transport;

// Public interface:
pub use fault::Fault;
pub use transport::{
    ConnectionFailure, Fetched, HttpConfig, HttpConfigError, HttpTransport, RedirectProblem,
    SlowPhase, Transport, TransportError, UrlProblem, fetch_bytes,
};
