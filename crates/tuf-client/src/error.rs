//! [`Error`]: what can go wrong in an update, grouped by who is at fault
//! (see [`Fault`]).

use crate::fault::Fault;
use crate::store::StoreError;
use crate::targets::TargetError;
use crate::transport::TransportError;

/// An update, lookup or download failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The repository served metadata that fails verification (an attack,
    /// or a broken repository).
    #[error(transparent)]
    Repository(#[from] tuf_core::Error),
    /// Fetching metadata failed: HTTP status, too large, too slow, connection.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The repository does not have a file the workflow requires.
    #[error("{url}: required metadata not found on the repository")]
    MissingRemote {
        /// The URL requested.
        url: String,
    },
    /// The local store has no trusted root to start from.
    #[error("no trusted root.json in the metadata store (initialize it first)")]
    NoTrustedRoot,
    /// The metadata store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A target could not be downloaded, verified or stored.
    #[error(transparent)]
    Target(#[from] TargetError),
}

impl Error {
    /// Who is at fault.
    pub fn fault(&self) -> Fault {
        match self {
            Error::Repository(tuf_core::Error::ApiMisuse(_)) => Fault::Caller,
            Error::Repository(_) | Error::MissingRemote { .. } => Fault::Repository,
            Error::Transport(e) => e.fault(),
            Error::NoTrustedRoot => Fault::LocalStorage,
            Error::Store(e) => e.fault(),
            Error::Target(e) => e.fault(),
        }
    }
}
