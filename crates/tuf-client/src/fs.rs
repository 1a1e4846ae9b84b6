//! Local filesystem edge shared by the metadata store and the target
//! directory: atomic replacement of a file, and the error type that names the
//! failed operation and path.
//!
//! Contract:
//! - A file reaches its final name only through [`TempFile::persist`]:
//!   written in the destination directory, flushed to disk, renamed over the
//!   final name, then the directory entry flushed. A reader sees the old file
//!   or the new one, never a prefix (architecture decision 7).
//! - A [`TempFile`] that is dropped without being persisted is deleted, so a
//!   failed or rejected write leaves nothing behind.
//! - Temporary names start with [`TEMP_PREFIX`], which contains `+`: a
//!   percent-encoded role or target name never does, so temporary files
//!   cannot collide with real ones.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::Fault;

/// Prefix of every temporary file this crate creates.
pub(crate) const TEMP_PREFIX: &str = ".tuf-tmp+";

/// The local filesystem operation that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LocalOp {
    /// Creating a directory.
    CreateDir,
    /// Opening or reading a file.
    Read,
    /// Creating or writing a file.
    Write,
    /// Flushing a file or directory to disk.
    Sync,
    /// Renaming a finished file into place.
    Rename,
    /// Deleting a file.
    Remove,
    /// Taking an advisory lock.
    Lock,
}

impl std::fmt::Display for LocalOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LocalOp::CreateDir => "creating directory",
            LocalOp::Read => "reading",
            LocalOp::Write => "writing",
            LocalOp::Sync => "syncing",
            LocalOp::Rename => "renaming into",
            LocalOp::Remove => "removing",
            LocalOp::Lock => "locking",
        })
    }
}

/// A local file or directory operation failed (the local machine's fault).
#[derive(Debug, thiserror::Error)]
#[error("{op} {}", path.display())]
pub struct LocalError {
    /// What was being done.
    pub op: LocalOp,
    /// The file or directory concerned.
    pub path: PathBuf,
    /// The operating system's error.
    #[source]
    pub source: io::Error,
}

impl LocalError {
    pub(crate) fn new(op: LocalOp, path: impl Into<PathBuf>, source: io::Error) -> Self {
        LocalError {
            op,
            path: path.into(),
            source,
        }
    }

    /// Always [`Fault::LocalStorage`].
    pub fn fault(&self) -> Fault {
        Fault::LocalStorage
    }
}

/// Create `dir` (and its parents) unless it exists.
pub(crate) fn create_dir(dir: &Path) -> Result<(), LocalError> {
    std::fs::create_dir_all(dir).map_err(|e| LocalError::new(LocalOp::CreateDir, dir, e))
}

/// Flush a directory entry change (a rename or unlink) to disk.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), LocalError> {
    // Directories cannot be opened as files on Windows; NTFS journals renames.
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| LocalError::new(LocalOp::Sync, dir, e))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// A uniquely named file in a destination directory, deleted on drop unless
/// persisted.
#[derive(Debug)]
pub(crate) struct TempFile {
    dir: PathBuf,
    path: PathBuf,
    file: File,
    synced: bool,
    persisted: bool,
}

impl TempFile {
    /// Create a new, empty temporary file in `dir`.
    pub(crate) fn create_in(dir: &Path) -> Result<TempFile, LocalError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let mut attempt = 0u32;
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let name = format!("{TEMP_PREFIX}{}.{n}.{nanos}", std::process::id());
            let path = dir.join(name);
            // create_new: never reuse a file another process is writing.
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => {
                    return Ok(TempFile {
                        dir: dir.to_path_buf(),
                        path,
                        file,
                        synced: false,
                        persisted: false,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 16 => {
                    attempt += 1;
                }
                Err(e) => return Err(LocalError::new(LocalOp::Write, path, e)),
            }
        }
    }

    /// The open file, for writing.
    pub(crate) fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// Where the temporary file lives.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Flush the file's content and metadata to disk.
    pub(crate) fn sync(&mut self) -> Result<(), LocalError> {
        self.file
            .sync_all()
            .map_err(|e| LocalError::new(LocalOp::Sync, &self.path, e))?;
        self.synced = true;
        Ok(())
    }

    /// Flush (unless [`sync`](Self::sync) already did), rename over `dest`
    /// (in the same directory), flush the directory.
    pub(crate) fn persist(self, dest: &Path) -> Result<(), LocalError> {
        let dir = self.dir.clone();
        self.persist_leaving_dir(dest)?;
        sync_dir(&dir)
    }

    /// [`persist`](Self::persist) without the directory flush: `dest` is
    /// never partial, even after a crash, but a crash before the directory
    /// is flushed may bring back its old content.
    pub(crate) fn persist_leaving_dir(mut self, dest: &Path) -> Result<(), LocalError> {
        if !self.synced {
            self.sync()?;
        }
        std::fs::rename(&self.path, dest).map_err(|e| LocalError::new(LocalOp::Rename, dest, e))?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.persisted {
            // Best effort: the file is unreachable garbage either way, and a
            // failure here must not hide the error that caused the drop.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
