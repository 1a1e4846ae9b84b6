//! Atomic, durable file writes (architecture decision 7).
//!
//! Contract:
//! - A file appears at its final name only complete: bytes go to a temporary
//!   file in the same directory, which is flushed and renamed into place.
//!   The one exception: [`write_batch`] creates files that do not exist yet
//!   directly, because nothing references them before the batch's barrier.
//! - [`write_one`] flushes each file (`fsync`) before the rename and the
//!   directory after it.
//! - [`write_batch`] writes many files from several threads and makes them
//!   durable with one barrier (`syncfs` on Linux, else one `fsync` per file)
//!   before returning, so metadata written afterwards (snapshot, timestamp)
//!   can never reach the disk before the files it points at.
//! - On error, files this call created are removed again; files it replaced
//!   stay replaced (each replacement is atomic).
//! - Private files ([`create_private`]) are created with mode 0600 and never
//!   replace an existing file.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{IoOp, RepoError, Result};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Threads used for a batch: writes are I/O-bound, so more than the cores.
const WRITERS: usize = 8;

fn temp_path(dest: &Path) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dest.with_file_name(format!(".{name}.tmp-{}-{n}", std::process::id()))
}

/// Write `bytes` to a temporary sibling of `dest` and rename it into place.
fn write_renamed(dest: &Path, bytes: &[u8], fsync: bool) -> Result<()> {
    let tmp = temp_path(dest);
    let result = (|| {
        let mut f = File::create(&tmp).map_err(|e| RepoError::io(IoOp::Write, &tmp, e))?;
        f.write_all(bytes)
            .map_err(|e| RepoError::io(IoOp::Write, &tmp, e))?;
        if fsync {
            f.sync_all()
                .map_err(|e| RepoError::io(IoOp::Sync, &tmp, e))?;
        }
        drop(f);
        fs::rename(&tmp, dest).map_err(|e| RepoError::io(IoOp::Rename, dest, e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Create `dest` directly when no file has that name yet (returns false
/// if one has). A batch only writes files that nothing references until a
/// later snapshot or timestamp does, so a half-written new file is never
/// read; skipping the temporary name halves the directory operations of a
/// 16,384-bin publish. On error the partial file is removed.
fn write_new(dest: &Path, bytes: &[u8], fsync: bool) -> Result<bool> {
    let mut f = match OpenOptions::new().write(true).create_new(true).open(dest) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(RepoError::io(IoOp::Write, dest, e)),
    };
    let r = f
        .write_all(bytes)
        .and_then(|()| if fsync { f.sync_all() } else { Ok(()) })
        .map_err(|e| RepoError::io(IoOp::Write, dest, e));
    if r.is_err() {
        drop(f);
        let _ = fs::remove_file(dest);
    }
    r.map(|()| true)
}

/// Flush a directory's entries (a rename is durable only then).
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| RepoError::io(IoOp::Sync, dir, e))
}

/// Write one file atomically and durably.
pub(crate) fn write_one(dest: &Path, bytes: &[u8]) -> Result<()> {
    write_renamed(dest, bytes, true)?;
    sync_dir(dest.parent().unwrap_or(Path::new(".")))
}

/// Create a directory (and parents).
pub(crate) fn create_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| RepoError::io(IoOp::CreateDir, dir, e))
}

/// Read a whole file.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| RepoError::io(IoOp::Read, path, e))
}

/// Read a file that may be absent.
pub(crate) fn read_optional(path: &Path) -> Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(RepoError::io(IoOp::Read, path, e)),
    }
}

/// What a batch did, so a caller can undo it if a later step fails.
#[derive(Debug, Default)]
pub(crate) struct Written {
    /// Files that did not exist before.
    pub created: Vec<PathBuf>,
}

impl Written {
    /// Remove the files this batch created (best effort: used on error paths).
    pub(crate) fn undo(&self) {
        for p in &self.created {
            let _ = fs::remove_file(p);
        }
    }
}

/// One item of a batch.
#[derive(Debug)]
pub(crate) enum BatchItem {
    /// Write these bytes at this path.
    Bytes(PathBuf, Vec<u8>),
    /// Make `dest` a hard link to (or else a copy of) `src`, unless it exists.
    Link {
        /// Existing file.
        src: PathBuf,
        /// New name.
        dest: PathBuf,
    },
}

impl BatchItem {
    fn dest(&self) -> &Path {
        match self {
            BatchItem::Bytes(p, _) => p,
            BatchItem::Link { dest, .. } => dest,
        }
    }
}

/// Hard-link `src` at `dest` (a copy where links are impossible). Returns
/// whether `dest` was created (false if it already existed).
fn link_or_copy(src: &Path, dest: &Path) -> Result<bool> {
    if dest.exists() {
        return Ok(false);
    }
    if let Some(dir) = dest.parent() {
        create_dir(dir)?;
    }
    match fs::hard_link(src, dest) {
        Ok(()) => return Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
        Err(_) => {}
    }
    let tmp = temp_path(dest);
    let r = fs::copy(src, &tmp)
        .map_err(|e| RepoError::io(IoOp::Link, dest, e))
        .and_then(|_| fs::rename(&tmp, dest).map_err(|e| RepoError::io(IoOp::Rename, dest, e)));
    if r.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    r.map(|()| true)
}

/// Write every item atomically from several threads, then make them all
/// durable with one barrier. Directories are created as needed.
pub(crate) fn write_batch(items: Vec<BatchItem>) -> Result<Written> {
    let mut written = Written::default();
    if items.is_empty() {
        return Ok(written);
    }
    let mut dirs: Vec<PathBuf> = items
        .iter()
        .filter_map(|i| i.dest().parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        create_dir(d)?;
    }
    // Below this size thread start-up costs more than it saves.
    let per_file_fsync = items.len() < 16 || !cfg!(any(target_os = "linux", target_os = "android"));
    let threads = if items.len() < 16 { 1 } else { WRITERS };
    let chunk = items.len().div_ceil(threads);
    let results: Vec<Result<Vec<PathBuf>>> = std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    let mut created = Vec::new();
                    for item in part {
                        let r = match item {
                            BatchItem::Bytes(dest, bytes) => write_new(dest, bytes, per_file_fsync)
                                .and_then(|created| {
                                    if created {
                                        Ok(true)
                                    } else {
                                        write_renamed(dest, bytes, per_file_fsync).map(|()| false)
                                    }
                                }),
                            BatchItem::Link { src, dest } => link_or_copy(src, dest),
                        };
                        match r {
                            Ok(true) => created.push(item.dest().to_path_buf()),
                            Ok(false) => {}
                            Err(e) => {
                                Written { created }.undo();
                                return Err(e);
                            }
                        }
                    }
                    Ok(created)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("writer thread panicked"))
            .collect()
    });
    let mut first_err = None;
    for r in results {
        match r {
            Ok(c) => written.created.extend(c),
            Err(e) => first_err = first_err.or(Some(e)),
        }
    }
    if let Some(e) = first_err {
        written.undo();
        return Err(e);
    }
    let barrier = barrier(&dirs, per_file_fsync, &items);
    if let Err(e) = barrier {
        written.undo();
        return Err(e);
    }
    Ok(written)
}

/// Make everything written so far durable: data and directory entries.
fn barrier(dirs: &[PathBuf], per_file_fsync: bool, items: &[BatchItem]) -> Result<()> {
    if !per_file_fsync {
        // `syncfs` flushes data and directory entries of a whole file system:
        // once per distinct device covers every directory of the batch.
        let mut devices = Vec::new();
        for d in dirs {
            let dev = device(d)?;
            if !devices.contains(&dev) {
                devices.push(dev);
                syncfs(d)?;
            }
        }
        return Ok(());
    }
    // Links made by copying were not flushed yet.
    for item in items {
        if let BatchItem::Link { dest, .. } = item {
            File::open(dest)
                .and_then(|f| f.sync_all())
                .map_err(|e| RepoError::io(IoOp::Sync, dest, e))?;
        }
    }
    for d in dirs {
        sync_dir(d)?;
    }
    Ok(())
}

#[cfg(unix)]
fn device(dir: &Path) -> Result<u64> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(dir)
        .map(|m| m.dev())
        .map_err(|e| RepoError::io(IoOp::Read, dir, e))
}

#[cfg(not(unix))]
fn device(_dir: &Path) -> Result<u64> {
    Ok(0)
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn syncfs(dir: &Path) -> Result<()> {
    let d = File::open(dir).map_err(|e| RepoError::io(IoOp::Sync, dir, e))?;
    rustix::fs::syncfs(&d).map_err(|e| RepoError::io(IoOp::Sync, dir, e.into()))
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn syncfs(dir: &Path) -> Result<()> {
    // Unreachable: other systems flush each file in `write_renamed`.
    sync_dir(dir)
}

/// Create a new private file (mode 0600 on Unix) holding `bytes`, durably.
/// Never replaces an existing file.
pub(crate) fn create_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .map_err(|e| RepoError::io(IoOp::Write, path, e))?;
    let r = f
        .write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| RepoError::io(IoOp::Write, path, e));
    if r.is_err() {
        let _ = fs::remove_file(path);
    }
    r
}

/// Remove a file; a missing file is fine.
pub(crate) fn remove(path: &Path) -> Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(RepoError::io(IoOp::Remove, path, e)),
    }
}
