//! Where trusted metadata is kept between runs.
//!
//! Contract of every [`MetadataStore`]:
//! - It stores exactly the bytes it is given, under plain file names that the
//!   caller has already made safe (role names percent-encoded, spec §5.6.7.2).
//! - A reader never sees a partially written file.
//! - [`MetadataStore::lock`] serializes refreshes among every process that
//!   shares the store; the returned guard holds the lock until dropped.
//!
//! [`DirectoryStore`] keeps one file per name in a directory, replaces files
//! atomically (temporary file in the same directory, fsync, rename, fsync the
//! directory: architecture decision 7; for a series of writes, the directory
//! once at the end: ADR 0008) and locks `<dir>/.lock` with an
//! advisory exclusive lock. It refuses names that are not a single plain
//! path component, so no name can reach outside the directory.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::Fault;
use crate::fs::{LocalError, LocalOp, TEMP_PREFIX, TempFile, create_dir, sync_dir};

/// Name of the lock file inside a [`DirectoryStore`].
pub const LOCK_FILE_NAME: &str = ".lock";

/// Persistent storage for metadata files, by file name.
pub trait MetadataStore: Send + Sync {
    /// The stored bytes, or `None` if there is no such file.
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Store `bytes` under `name`, replacing any previous content atomically.
    fn put(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError>;
    /// Delete `name`; deleting a missing file succeeds.
    fn remove(&self, name: &str) -> Result<(), StoreError>;
    /// [`put`](Self::put) for one of a series of writes of which only the
    /// last has to survive a crash (the roots of a chain, §5.3.8): `bytes`
    /// replace the old content atomically, and are never seen partial even
    /// after a crash, but only [`sync`](Self::sync) guarantees that a crash
    /// does not bring the old content back. The default is `put`.
    fn put_in_series(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.put(name, bytes)
    }
    /// Make every earlier [`put_in_series`](Self::put_in_series) survive a
    /// crash. The default does nothing, as the default `put_in_series` is a
    /// `put`.
    fn sync(&self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Wait for exclusive use of the store (for the duration of a refresh).
    fn lock(&self) -> Result<RefreshLock, StoreError>;
    /// Begin storing `bytes` under `name` where no reader looks, so that the
    /// slow part of a write (for a file: writing it, and flushing it in
    /// [`StagedWrite::flush`]) can run
    /// while the bytes are still being verified. Nothing changes under
    /// `name` until the returned write is [committed](StagedWrite::commit);
    /// dropping it discards it. `Ok(None)`, the default: this store has no
    /// such step, and the caller [`put`](Self::put)s the bytes once they are
    /// trusted.
    fn stage(
        &self,
        name: &str,
        bytes: &[u8],
    ) -> Result<Option<Box<dyn StagedWrite + '_>>, StoreError> {
        let _ = (name, bytes);
        Ok(None)
    }
}

/// A write begun by [`MetadataStore::stage`]. Dropping it without
/// committing discards the staged bytes.
pub trait StagedWrite: Send {
    /// Make the staged bytes durable where they are (for a file: fsync),
    /// without changing what their name holds. Optional: the updater calls
    /// it once it has let go of the bytes, so a large file is not held in
    /// memory during a slow flush, and [`commit`](Self::commit) must flush
    /// anyway when it was not called. The default does nothing.
    fn flush(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Make the staged bytes the content of their name, replacing any
    /// previous content atomically (what [`MetadataStore::put`] does).
    fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// Exclusive use of a store; released when dropped.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RefreshLock {
    _held: Box<dyn Send>,
}

impl RefreshLock {
    /// A guard that keeps `held` (a lock file, a mutex guard made `'static`,
    /// …) alive until it is dropped. For stores that implement their own
    /// locking.
    pub fn new(held: impl Send + 'static) -> RefreshLock {
        RefreshLock {
            _held: Box::new(held),
        }
    }
}

impl std::fmt::Debug for RefreshLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshLock").finish_non_exhaustive()
    }
}

/// Why a name cannot be a metadata file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameProblem {
    /// The name is empty.
    Empty,
    /// `.` or `..`: not a file in the directory.
    DotSegment,
    /// The name contains a path separator (`/`, or `\` on any platform).
    Separator,
    /// The name contains a NUL byte.
    Nul,
    /// The name is the lock file or a temporary file of this store.
    Reserved,
}

impl std::fmt::Display for NameProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NameProblem::Empty => "empty name",
            NameProblem::DotSegment => "`.` and `..` are not file names",
            NameProblem::Separator => "contains a path separator",
            NameProblem::Nul => "contains a NUL byte",
            NameProblem::Reserved => "reserved for the store's own files",
        })
    }
}

/// A metadata store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The caller passed a name that is not a plain file name.
    #[error("invalid metadata file name {name:?}: {problem}")]
    InvalidName {
        /// The rejected name.
        name: String,
        /// What is wrong with it.
        problem: NameProblem,
    },
    /// The local filesystem failed.
    #[error(transparent)]
    Local(#[from] LocalError),
}

impl StoreError {
    /// Who is at fault: the caller for a bad name, otherwise local storage.
    pub fn fault(&self) -> Fault {
        match self {
            StoreError::InvalidName { .. } => Fault::Caller,
            StoreError::Local(e) => e.fault(),
        }
    }
}

/// Check that `name` is one plain path component that is not ours.
fn check_name(name: &str) -> Result<(), StoreError> {
    let problem = if name.is_empty() {
        Some(NameProblem::Empty)
    } else if name == "." || name == ".." {
        Some(NameProblem::DotSegment)
    } else if name.contains(['/', '\\']) {
        Some(NameProblem::Separator)
    } else if name.contains('\0') {
        Some(NameProblem::Nul)
    } else if name == LOCK_FILE_NAME || name.starts_with(TEMP_PREFIX) {
        Some(NameProblem::Reserved)
    } else {
        None
    };
    match problem {
        Some(problem) => Err(StoreError::InvalidName {
            name: name.to_owned(),
            problem,
        }),
        None => Ok(()),
    }
}

/// Metadata files in one local directory, shared safely between processes.
#[derive(Debug, Clone)]
pub struct DirectoryStore {
    dir: PathBuf,
}

impl DirectoryStore {
    /// A store in `dir`, created (with its parents) if missing.
    pub fn new(dir: impl Into<PathBuf>) -> Result<DirectoryStore, StoreError> {
        let dir = dir.into();
        create_dir(&dir)?;
        Ok(DirectoryStore { dir })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of `name` inside the directory, once `name` is checked.
    pub fn path_of(&self, name: &str) -> Result<PathBuf, StoreError> {
        check_name(name)?;
        Ok(self.dir.join(name))
    }

    /// Take the lock without waiting: `None` if another holder has it.
    pub fn try_lock(&self) -> Result<Option<RefreshLock>, StoreError> {
        let (path, file) = self.open_lock_file()?;
        match file.try_lock() {
            Ok(()) => Ok(Some(RefreshLock::new(file))),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(LocalError::new(LocalOp::Lock, path, e).into()),
        }
    }

    fn open_lock_file(&self) -> Result<(PathBuf, File), StoreError> {
        let path = self.dir.join(LOCK_FILE_NAME);
        // Never truncate: the file's content is irrelevant, only its lock.
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| LocalError::new(LocalOp::Lock, &path, e))?;
        Ok((path, file))
    }
}

impl DirectoryStore {
    /// The bytes written and flushed to a temporary file beside `name`.
    fn stage_file(&self, name: &str, bytes: &[u8]) -> Result<StagedFile, StoreError> {
        let dest = self.path_of(name)?;
        let mut temp = TempFile::create_in(&self.dir)?;
        let temp_path = temp.path().to_path_buf();
        temp.file()
            .write_all(bytes)
            .map_err(|e| LocalError::new(LocalOp::Write, temp_path, e))?;
        // Flushed by `flush`, or by `commit` (`TempFile::persist`).
        Ok(StagedFile { temp, dest })
    }
}

/// A written temporary file of a [`DirectoryStore`], flushed by `flush` or
/// on commit, renamed over its destination on commit, deleted if dropped.
struct StagedFile {
    temp: TempFile,
    dest: PathBuf,
}

impl StagedWrite for StagedFile {
    fn flush(&mut self) -> Result<(), StoreError> {
        Ok(self.temp.sync()?)
    }

    fn commit(self: Box<Self>) -> Result<(), StoreError> {
        let StagedFile { temp, dest } = *self;
        Ok(temp.persist(&dest)?)
    }
}

impl MetadataStore for DirectoryStore {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let path = self.path_of(name)?;
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(LocalError::new(LocalOp::Read, path, e).into()),
        }
    }

    fn put(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        Box::new(self.stage_file(name, bytes)?).commit()
    }

    fn put_in_series(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        // The file is flushed before its rename; the directory, in `sync`.
        let StagedFile { temp, dest } = self.stage_file(name, bytes)?;
        Ok(temp.persist_leaving_dir(&dest)?)
    }

    fn sync(&self) -> Result<(), StoreError> {
        Ok(sync_dir(&self.dir)?)
    }

    fn stage(
        &self,
        name: &str,
        bytes: &[u8],
    ) -> Result<Option<Box<dyn StagedWrite + '_>>, StoreError> {
        Ok(Some(Box::new(self.stage_file(name, bytes)?)))
    }

    fn remove(&self, name: &str) -> Result<(), StoreError> {
        let path = self.path_of(name)?;
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(sync_dir(&self.dir)?),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(LocalError::new(LocalOp::Remove, path, e).into()),
        }
    }

    fn lock(&self) -> Result<RefreshLock, StoreError> {
        let (path, file) = self.open_lock_file()?;
        // Advisory and per open file: also excludes other handles in this
        // process, so threads with their own store serialize too.
        file.lock()
            .map_err(|e| LocalError::new(LocalOp::Lock, path, e))?;
        Ok(RefreshLock::new(file))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_could_leave_the_directory_are_refused() {
        let cases = [
            ("", NameProblem::Empty),
            (".", NameProblem::DotSegment),
            ("..", NameProblem::DotSegment),
            ("../root.json", NameProblem::Separator),
            ("a/b.json", NameProblem::Separator),
            ("/etc/passwd", NameProblem::Separator),
            ("..\\x.json", NameProblem::Separator),
            ("a\0.json", NameProblem::Nul),
            (".lock", NameProblem::Reserved),
            (".tuf-tmp+1.2.3", NameProblem::Reserved),
        ];
        for (name, want) in cases {
            match check_name(name) {
                Err(StoreError::InvalidName { problem, .. }) => {
                    assert_eq!(problem, want, "{name:?}")
                }
                other => panic!("{name:?}: {other:?}"),
            }
        }
        for ok in [
            "root.json",
            "1.root.json",
            "...json",
            ".hidden.json",
            "..%2Fa.json",
        ] {
            assert!(check_name(ok).is_ok(), "{ok:?}");
        }
    }
}
