//! [`TargetPath`]: a target name that is safe to join under `targets/`.
//!
//! Contract: a `TargetPath` is a non-empty, `/`-separated relative path with
//! no empty, `.` or `..` segment, no backslash and no NUL, so joining it to a
//! directory can never leave that directory. It deliberately does not deref
//! to `str`: code that builds a file path must go through [`TargetPath::to_fs_path`].

use std::fmt;
use std::path::{Path, PathBuf};

/// Why a string is not a valid target path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TargetPathError {
    /// The path is empty.
    #[error("empty path")]
    Empty,
    /// It starts with `/`.
    #[error("absolute path")]
    Absolute,
    /// It has an empty segment (`a//b`, trailing `/`).
    #[error("empty path segment")]
    EmptySegment,
    /// It has a `.` or `..` segment.
    #[error("`.` or `..` segment")]
    DotSegment,
    /// It holds a backslash or NUL, which mean different things on different systems.
    #[error("backslash or NUL character")]
    ForbiddenChar,
}

/// A validated target path (see the module contract).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TargetPath(String);

impl TargetPath {
    /// Validate `path`.
    pub fn new(path: &str) -> Result<Self, TargetPathError> {
        Self::check(path)?;
        Ok(TargetPath(path.to_owned()))
    }

    /// Validate `path` without keeping it (for bulk adds, which keep the
    /// caller's `String`).
    pub(crate) fn check(path: &str) -> Result<(), TargetPathError> {
        if path.is_empty() {
            return Err(TargetPathError::Empty);
        }
        if path.starts_with('/') {
            return Err(TargetPathError::Absolute);
        }
        if path.contains(['\\', '\0']) {
            return Err(TargetPathError::ForbiddenChar);
        }
        for seg in path.split('/') {
            match seg {
                "" => return Err(TargetPathError::EmptySegment),
                "." | ".." => return Err(TargetPathError::DotSegment),
                _ => {}
            }
        }
        Ok(())
    }

    /// The name as metadata lists it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// This path below `base`.
    pub fn to_fs_path(&self, base: &Path) -> PathBuf {
        let mut p = base.to_path_buf();
        p.extend(self.0.split('/'));
        p
    }
}

impl fmt::Display for TargetPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a file name looks like a consistent-snapshot copy `HEX.name`
/// (§5.7.3): such files are published copies, never targets of their own.
pub(crate) fn is_hash_prefixed(file_name: &str) -> bool {
    let Some((prefix, rest)) = file_name.split_once('.') else {
        return false;
    };
    // sha224, sha256, sha384, sha512 digests in hex.
    matches!(prefix.len(), 56 | 64 | 96 | 128)
        && !rest.is_empty()
        && prefix
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_and_ambiguous_paths_are_refused() {
        for (bad, why) in [
            ("", TargetPathError::Empty),
            ("/etc/passwd", TargetPathError::Absolute),
            ("a/../../b", TargetPathError::DotSegment),
            ("./a", TargetPathError::DotSegment),
            ("a//b", TargetPathError::EmptySegment),
            ("a/", TargetPathError::EmptySegment),
            ("a\\..\\b", TargetPathError::ForbiddenChar),
        ] {
            assert_eq!(TargetPath::new(bad), Err(why), "{bad}");
        }
        let ok = TargetPath::new("dir/sub/file.tgz").unwrap();
        assert_eq!(
            ok.to_fs_path(Path::new("/r")),
            PathBuf::from("/r/dir/sub/file.tgz")
        );
    }

    #[test]
    fn hash_prefixed_copies_are_recognized() {
        let h = "a".repeat(64);
        assert!(is_hash_prefixed(&format!("{h}.file.txt")));
        assert!(!is_hash_prefixed(&format!("{}.file.txt", "a".repeat(63))));
        assert!(!is_hash_prefixed(&format!("{}.file", "A".repeat(64))));
        assert!(!is_hash_prefixed("file.txt"));
    }
}
