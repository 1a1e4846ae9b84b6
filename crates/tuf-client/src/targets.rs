//! The local target directory: where verified target files land.
//!
//! Contract:
//! - A target path maps to one file directly in the directory, named by
//!   percent-encoding the whole path with nothing kept but `A-Za-z0-9_.-~`
//!   (python-tuf's `quote(path, safe="")`), and `.`/`..` fully encoded, so
//!   no target path can name a file outside the directory.
//! - Nothing unverified ever sits at a final path (spec §5.7.3, architecture
//!   decision 7): a download streams into a temporary file in the same
//!   directory while hashing, reads at most the trusted length, and is
//!   renamed into place only when the length and every hash match; otherwise
//!   the temporary file is deleted.
//! - A cached copy is reused only if it matches the *current* trusted length
//!   and hashes; a corrupted or stale copy counts as absent.
//! - Concurrent downloads of one target (threads or processes) each write
//!   their own temporary file; every rename installs a complete, verified
//!   file, so the final file is always one of those.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tuf_core::VerifyError;
use tuf_core::metadata::TargetFile;
use tuf_core::metadata::encode_role_name;
use tuf_core::metadata::hashes::{Hasher, StreamError, verify_reader};

use crate::Fault;
use crate::fs::{LocalError, LocalOp, TempFile, create_dir};
use crate::transport::{Fetched, LimitedSink, Transport, TransportError};

/// The local file name of a target path: safe as a single path component.
///
/// `None` for the empty path, which names no file.
pub fn target_file_name(target_path: &str) -> Option<String> {
    // §5.7.3 / W-56: python-tuf applies the same quote(…, safe="") to role
    // and target names, so one encoder serves both.
    let encoded = encode_role_name(target_path);
    match encoded.as_str() {
        "" => None,
        // Left as is, these would name the directory or its parent.
        "." => Some("%2E".to_owned()),
        ".." => Some("%2E%2E".to_owned()),
        _ => Some(encoded),
    }
}

/// A target could not be provided.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The downloaded bytes do not match the trusted length or hashes; they
    /// were discarded.
    #[error("target {target_path:?} rejected: {source}")]
    Mismatch {
        /// The target path.
        target_path: String,
        /// Which check failed.
        #[source]
        source: VerifyError,
    },
    /// Trusted metadata lists the target but the server does not have it.
    #[error("target {target_path:?} not found at {url}")]
    NotFound {
        /// The target path.
        target_path: String,
        /// The URL tried.
        url: String,
    },
    /// Fetching failed (status, too large, too slow, connection).
    #[error(transparent)]
    Transport(TransportError),
    /// The local directory could not be read or written.
    #[error(transparent)]
    Local(#[from] LocalError),
    /// The empty target path names no file.
    #[error("the empty target path names no file")]
    EmptyPath,
}

impl TargetError {
    /// Who is at fault.
    pub fn fault(&self) -> Fault {
        match self {
            TargetError::Mismatch { .. } | TargetError::NotFound { .. } => Fault::Repository,
            TargetError::Transport(e) => e.fault(),
            TargetError::Local(e) => e.fault(),
            TargetError::EmptyPath => Fault::Caller,
        }
    }
}

/// A directory of verified target files.
#[derive(Debug, Clone)]
pub struct TargetDirectory {
    dir: PathBuf,
}

impl TargetDirectory {
    /// Use `dir`, creating it (with its parents) if missing.
    pub fn new(dir: impl Into<PathBuf>) -> Result<TargetDirectory, TargetError> {
        let dir = dir.into();
        create_dir(&dir)?;
        Ok(TargetDirectory { dir })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the verified copy of `target_path` lives (whether or not it
    /// exists yet).
    pub fn local_path(&self, target_path: &str) -> Result<PathBuf, TargetError> {
        let name = target_file_name(target_path).ok_or(TargetError::EmptyPath)?;
        Ok(self.dir.join(name))
    }

    /// The local copy of `target_path`, if one exists and matches `info`'s
    /// length and every hash (W-57). A corrupted copy is reported as absent
    /// and left for the next download to replace.
    pub fn cached(
        &self,
        target_path: &str,
        info: &TargetFile,
    ) -> Result<Option<PathBuf>, TargetError> {
        let path = self.local_path(target_path)?;
        let mut file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(LocalError::new(LocalOp::Read, path, e).into()),
        };
        match verify_reader(&mut file, info.length, &info.hashes) {
            Ok(()) => Ok(Some(path)),
            Err(StreamError::Mismatch(reason)) => {
                tracing::info!(target_path, %reason, "cached target does not match; ignoring it");
                Ok(None)
            }
            Err(StreamError::Io(e)) => Err(LocalError::new(LocalOp::Read, path, e).into()),
        }
    }

    /// Download `url` as `target_path`, verify it against `info`, and move
    /// it into place. Returns the final path. On any error nothing is left
    /// behind and an existing file at the final path is untouched.
    pub fn download_verified(
        &self,
        transport: &dyn Transport,
        url: &str,
        target_path: &str,
        info: &TargetFile,
    ) -> Result<PathBuf, TargetError> {
        let path = self.local_path(target_path)?;
        let mut temp = TempFile::create_in(&self.dir)?;
        let temp_path = temp.path().to_path_buf();

        let mut sink = LimitedSink::new(
            HashingWriter {
                file: temp.file(),
                hasher: Hasher::for_hashes(&info.hashes),
            },
            info.length,
        );
        // §5.7.3: the trusted length caps the download (endless data).
        let outcome = transport.fetch(url, info.length, &mut sink);
        match sink.check(url, outcome) {
            Ok(Fetched::Found { .. }) => {}
            Ok(Fetched::NotFound) => {
                return Err(TargetError::NotFound {
                    target_path: target_path.to_owned(),
                    url: url.to_owned(),
                });
            }
            Err(TransportError::Write { source, .. }) => {
                return Err(LocalError::new(LocalOp::Write, temp_path, source).into());
            }
            Err(e) => return Err(TargetError::Transport(e)),
        }
        let hasher = sink.into_inner().hasher;
        // §5.7.3: exact length and every listed hash, unknown algorithms failing.
        hasher
            .verify(Some(info.length), &info.hashes)
            .map_err(|source| TargetError::Mismatch {
                target_path: target_path.to_owned(),
                source: VerifyError::LengthOrHash {
                    what: target_path.to_owned(),
                    source,
                },
            })?;
        temp.persist(&path)?;
        Ok(path)
    }
}

/// Writes to a file while hashing what was written.
struct HashingWriter<'a> {
    file: &'a mut File,
    hasher: Hasher,
}

impl Write for HashingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_names_become_one_plain_file_name() {
        let cases = [
            ("file.txt", "file.txt"),
            ("a/b/c.tar.gz", "a%2Fb%2Fc.tar.gz"),
            ("../../etc/passwd", "..%2F..%2Fetc%2Fpasswd"),
            ("/abs", "%2Fabs"),
            (".", "%2E"),
            ("..", "%2E%2E"),
            ("...", "..."),
            ("a\\b", "a%5Cb"),
            ("nul\0", "nul%00"),
            ("%2E", "%252E"),
        ];
        for (path, want) in cases {
            assert_eq!(target_file_name(path).as_deref(), Some(want), "{path:?}");
        }
        assert_eq!(target_file_name(""), None);
    }
}
