//! Who is at fault for an error (architecture decision 6).
//!
//! Every error type of this crate answers [`Fault`] so that a caller (the
//! updater, the CLI) can decide what to tell the user and whether retrying
//! can help, without matching every variant.

/// The party responsible for a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fault {
    /// The repository served data that fails a security check (an attack or
    /// bad data): wrong length or hash, a listed file that does not exist.
    Repository,
    /// The network path to the repository: HTTP error status, endless or slow
    /// data, a refused or dropped connection.
    Transport,
    /// The local machine: a file or directory could not be read or written.
    LocalStorage,
    /// The caller asked for something impossible (a malformed URL, a name that
    /// cannot be a file name). No repository data can cause this.
    Caller,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Fault::Repository => "repository",
            Fault::Transport => "transport",
            Fault::LocalStorage => "local storage",
            Fault::Caller => "caller",
        })
    }
}
