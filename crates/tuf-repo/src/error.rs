//! [`RepoError`]: everything the repository tooling reports, grouped by who
//! is at fault.
//!
//! - **Local storage** ([`RepoError::Io`]): the disk failed us.
//! - **Repository data** ([`RepoError::Metadata`], [`RepoError::Untrusted`]):
//!   a published or staged file is corrupt or does not verify.
//! - **Keys** ([`RepoError::Key`], [`RepoError::ThresholdNotMet`],
//!   [`RepoError::BadSignature`], ...): a key is missing, locked or wrong.
//! - **The caller** (everything else): an invalid name, an unknown role, an
//!   operation that the current state does not allow.
//!
//! Every operation that returns one of these leaves the repository on disk
//! as it was (see the crate contract).

use std::path::PathBuf;

use tuf_core::DateTime;
use tuf_core::crypto::KeyError;

use crate::role_name::RoleNameError;
use crate::target_path::TargetPathError;

/// What a failed file-system call was doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IoOp {
    /// Reading a file or directory.
    Read,
    /// Writing or creating a file.
    Write,
    /// Creating a directory.
    CreateDir,
    /// Flushing data to stable storage.
    Sync,
    /// Renaming a temporary file into place.
    Rename,
    /// Creating a hard link or copy of a target.
    Link,
    /// Removing a file.
    Remove,
}

impl std::fmt::Display for IoOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            IoOp::Read => "read",
            IoOp::Write => "write",
            IoOp::CreateDir => "create directory",
            IoOp::Sync => "sync",
            IoOp::Rename => "rename",
            IoOp::Link => "link",
            IoOp::Remove => "remove",
        })
    }
}

/// Any error of the repository tooling.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RepoError {
    /// A file-system call failed.
    #[error("cannot {op} {}: {source}", path.display())]
    Io {
        /// What was being done.
        op: IoOp,
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A metadata file (published or staged) or a repository file is not
    /// valid: corrupt, truncated or hand-edited badly.
    #[error("{}: {source}", path.display())]
    Metadata {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: tuf_core::FormatError,
    },
    /// A repository-private file (key index, configuration) is not valid JSON
    /// of the expected shape.
    #[error("{}: {detail}", path.display())]
    BadStateFile {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        detail: String,
    },
    /// A published file parses but fails verification against the keys that
    /// delegate to it (tampered, or signed by the wrong keys).
    #[error("{}: {source}", path.display())]
    Untrusted {
        /// The file.
        path: PathBuf,
        /// The security check that failed.
        source: tuf_core::Error,
    },
    /// `init` on a directory that already holds a repository.
    #[error("{} already holds a TUF repository", path.display())]
    AlreadyInitialized {
        /// The repository directory.
        path: PathBuf,
    },
    /// A private key file could not be loaded (wrong passphrase, corrupt PEM).
    #[error("key file {}: {source}", path.display())]
    KeyFile {
        /// The key file.
        path: PathBuf,
        /// Why it could not be used.
        source: KeyError,
    },
    /// Generating or using a key failed.
    #[error("key error: {0}")]
    Key(#[from] KeyError),
    /// The key store has no key for this role.
    #[error("the key store has no key for role {role:?}")]
    MissingKey {
        /// The role.
        role: String,
    },
    /// Publishing needs more signatures than the loaded signers and imported
    /// signatures can give.
    #[error(
        "{role}: {signed} of {threshold} required signatures available{}",
        if *from_previous_root { " from the previous root's keys" } else { "" }
    )]
    ThresholdNotMet {
        /// The role (for root, the new version being published).
        role: String,
        /// Distinct authorized keys that signed or can sign.
        signed: u32,
        /// Required.
        threshold: u32,
        /// For root: the threshold is the previous root's (F-74 cross-signing).
        from_previous_root: bool,
    },
    /// A role would be published (or left published) expired.
    #[error("{role} expired at {expires}: refresh its expiry before publishing")]
    Expired {
        /// The role.
        role: String,
        /// Its expiry.
        expires: DateTime,
    },
    /// An imported signature does not verify over the role's signable bytes.
    #[error("{role}: signature by key {keyid} does not verify")]
    BadSignature {
        /// The role.
        role: String,
        /// The key id the signature claims.
        keyid: String,
    },
    /// A signature or signer for a key that the role does not authorize.
    #[error("{role}: key {keyid} is not authorized for this role")]
    KeyNotAuthorized {
        /// The role.
        role: String,
        /// The key id.
        keyid: String,
    },
    /// A target path that is not a clean relative path.
    #[error("invalid target path {path:?}: {reason}")]
    InvalidTargetPath {
        /// The path given.
        path: String,
        /// What is wrong with it.
        reason: TargetPathError,
    },
    /// A delegated role name that cannot be stored as a metadata file
    /// (see [`check_role_name`](crate::check_role_name)).
    #[error("role name {role:?} cannot be published: {reason}")]
    InvalidRoleName {
        /// The name.
        role: String,
        /// What is wrong with it.
        reason: RoleNameError,
    },
    /// A target file that resolves outside the repository's `targets/` directory.
    #[error("{} is outside the repository's targets directory", path.display())]
    TargetOutsideRepository {
        /// The file.
        path: PathBuf,
    },
    /// A target file changed between being added and being published.
    #[error("target {path:?} changed on disk since it was added")]
    TargetChanged {
        /// The target path.
        path: String,
    },
    /// No targets role of this name exists.
    #[error("no targets role named {role:?}")]
    UnknownRole {
        /// The name.
        role: String,
    },
    /// A delegated role of this name already exists.
    #[error("a role named {role:?} already exists")]
    RoleExists {
        /// The name.
        role: String,
    },
    /// A delegation change the delegator's current form does not allow
    /// (e.g. adding a named role next to succinct bins), or an invalid one.
    #[error("invalid delegation from {delegator:?}: {detail}")]
    InvalidDelegation {
        /// The delegating role.
        delegator: String,
        /// The model's explanation.
        detail: String,
    },
    /// The role holds no target at this path.
    #[error("{role} lists no target {path:?}")]
    NoSuchTarget {
        /// The role searched.
        role: String,
        /// The target.
        path: String,
    },
    /// A root edit that would leave a role without enough keys.
    #[error("root role {role}: threshold {threshold} but only {keys} keys")]
    TooFewKeys {
        /// The role.
        role: String,
        /// Its threshold.
        threshold: u32,
        /// Keys authorized.
        keys: usize,
    },
    /// The metadata could not be serialized canonically (a float in an
    /// unknown field).
    #[error("cannot canonicalize {role}: {source}")]
    Canonical {
        /// The role.
        role: String,
        /// Why.
        source: tuf_core::canonical::CanonicalError,
    },
    /// A new version would be lower than one already published (F-79).
    #[error("{role}: version rollback from {published} to {offered}")]
    Rollback {
        /// The metadata file name.
        role: String,
        /// Published version.
        published: u64,
        /// Version that would be published.
        offered: u64,
    },
    /// Hashing a target failed for an algorithm we cannot compute.
    #[error("unsupported hash algorithm {0:?}")]
    UnsupportedHash(String),
    /// The staged changes under `REPO/.tuf-repo/staged/` cannot be loaded:
    /// a file is corrupt or tampered with, or was staged against versions
    /// that are no longer the published ones. Open the repository with
    /// [`Repository::open_published`](crate::Repository::open_published)
    /// and [`discard_staged`](crate::Repository::discard_staged) them.
    #[error("staged changes in {}: {source}", path.display())]
    Staged {
        /// The staging directory.
        path: PathBuf,
        /// What is wrong with them.
        #[source]
        source: Box<RepoError>,
    },
    /// A role was staged as a new version of a published version that is
    /// no longer the current one (someone published since).
    #[error(
        "{role} was staged on top of {} but {} is published now",
        version_name(*staged_from),
        version_name(*published)
    )]
    StagedStale {
        /// The role.
        role: String,
        /// The published version the staged one continues (`None`: a new role).
        staged_from: Option<u64>,
        /// The version published now (`None`: not published).
        published: Option<u64>,
    },
    /// Detached signing of a role that has no unpublished version: there
    /// is nothing a new signature could be published with.
    #[error("{role} has no unpublished version to sign")]
    NothingToSign {
        /// The role.
        role: String,
    },
    /// Detached signing of snapshot or timestamp: publishing regenerates
    /// them and signs them with loaded (online) keys.
    #[error(
        "{role} is regenerated and signed at publish with loaded keys; it cannot be signed detached"
    )]
    SignedAtPublish {
        /// The role.
        role: String,
    },
}

fn version_name(v: Option<u64>) -> String {
    v.map_or_else(|| "no version".to_owned(), |v| format!("version {v}"))
}

impl RepoError {
    pub(crate) fn io(op: IoOp, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        RepoError::Io {
            op,
            path: path.into(),
            source,
        }
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = RepoError> = std::result::Result<T, E>;
