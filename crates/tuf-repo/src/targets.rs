//! Adding and removing targets: from descriptions, from files under
//! `REPO/targets/`, and from whole directory trees.
//!
//! Contract:
//! - A target file must resolve (after symlinks) inside `REPO/targets/`;
//!   its target path is its path relative to that directory, `/`-separated
//!   and validated as a [`TargetPath`].
//! - Files are hashed streaming (64 KiB at a time) with the configured
//!   algorithms (sha256 by default), several files at once on every core.
//! - Placement follows the delegations as a client would search them: from
//!   `targets`, the first delegation whose paths, hash prefixes or succinct
//!   bin match is followed until a role delegates no further, and the
//!   target goes there (TAP 15 bins therefore get their targets
//!   automatically).
//! - Files named like consistent-snapshot copies (`HEX.name`) are skipped
//!   by tree walks: they are our own published copies.
//! - Adding many targets is all or nothing: every file is hashed and every
//!   role placed before the first one is changed.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::Value;
use tuf_core::metadata::TargetFile;

use crate::error::{IoOp, RepoError, Result};
use crate::repository::{Repository, TARGETS};
use crate::target_path::{TargetPath, is_hash_prefixed};

/// Python-tuf's limit on delegations followed for one target (decision 8).
const MAX_DEPTH: usize = 32;

/// Size and modification time of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileStamp {
    pub len: u64,
    pub modified: Option<SystemTime>,
}

/// A target added from a file (this session or a staged one), to be
/// linked at publish.
#[derive(Debug, Clone)]
pub(crate) struct AddedFile {
    pub stamp: FileStamp,
    /// Its `dir/HASH.name` copies (F-71).
    pub prefixed: Vec<TargetPath>,
}

pub(crate) fn stamp(path: &Path) -> Result<FileStamp> {
    let m = std::fs::metadata(path).map_err(|e| RepoError::io(IoOp::Read, path, e))?;
    Ok(FileStamp {
        len: m.len(),
        modified: m.modified().ok(),
    })
}

/// One target added from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AddedTarget {
    /// Its target path.
    pub path: String,
    /// The role that now lists it.
    pub role: String,
    /// Its length in bytes.
    pub length: u64,
}

impl Repository {
    /// The role a new target at `path` belongs in (see the module contract).
    pub fn role_for_target(&mut self, path: &str) -> Result<String> {
        let path = checked(path)?;
        let mut role = TARGETS.to_owned();
        for _ in 0..MAX_DEPTH {
            self.ensure_loaded(&role)?;
            let next = self.targets[&role]
                .md
                .signed
                .delegations
                .as_ref()
                .and_then(|d| d.roles_for_target(path.as_str()).into_iter().next());
            match next {
                Some(step) => role = step.name,
                None => break,
            }
        }
        Ok(role)
    }

    /// Add (or replace) a target described by `file`, placed automatically.
    /// Returns the role that lists it.
    pub fn add_target(&mut self, path: &str, file: TargetFile) -> Result<String> {
        let role = self.role_for_target(path)?;
        self.add_target_to(&role, path, file)?;
        Ok(role)
    }

    /// Add (or replace) a target in a chosen targets role.
    pub fn add_target_to(&mut self, role: &str, path: &str, file: TargetFile) -> Result<()> {
        let path = checked(path)?;
        self.touch_targets(role)?
            .md
            .signed
            .targets
            .insert(path.as_str().to_owned(), file);
        Ok(())
    }

    /// Remove the target at `path` from the role a client would find it in.
    /// Returns that role.
    pub fn remove_target(&mut self, path: &str) -> Result<String> {
        let target = checked(path)?;
        let Some((role, _)) = self.find_target(path)? else {
            return Err(RepoError::NoSuchTarget {
                role: TARGETS.to_owned(),
                path: path.to_owned(),
            });
        };
        self.touch_targets(&role)?
            .md
            .signed
            .targets
            .remove(target.as_str());
        self.file_targets.remove(&target);
        Ok(role)
    }

    /// The role and entry a client would find for `path` (pre-order
    /// depth-first search of delegations, terminating honoured, §5.6.7).
    pub fn find_target(&mut self, path: &str) -> Result<Option<(String, TargetFile)>> {
        let target = checked(path)?;
        let mut stack = vec![TARGETS.to_owned()];
        let mut visited = std::collections::HashSet::new();
        while let Some(role) = stack.pop() {
            if visited.len() > MAX_DEPTH || !visited.insert(role.clone()) {
                continue;
            }
            match self.ensure_loaded(&role) {
                Ok(()) => {}
                // Delegated but never published: a client finds nothing there.
                Err(RepoError::UnknownRole { .. }) if role != TARGETS => continue,
                Err(e) => return Err(e),
            }
            let signed = &self.targets[&role].md.signed;
            if let Some(f) = signed.targets.get(target.as_str()) {
                return Ok(Some((role, f.clone())));
            }
            let mut children = Vec::new();
            for step in signed
                .delegations
                .as_ref()
                .map(|d| d.roles_for_target(target.as_str()))
                .unwrap_or_default()
            {
                let terminating = step.terminating;
                children.push(step.name);
                if terminating {
                    // §5.6.7.2.1: nothing outside this subtree is considered.
                    stack.clear();
                    break;
                }
            }
            stack.extend(children.into_iter().rev());
        }
        Ok(None)
    }

    /// Add the file `file` (absolute, or relative to `REPO/targets/`) as a
    /// target, hashing it; `custom` becomes its `custom` field.
    pub fn add_target_file(&mut self, file: &Path, custom: Option<Value>) -> Result<AddedTarget> {
        let base = self.canonical_targets_dir()?;
        let (path, fs_path) = self.resolve_target_file(&base, file)?;
        let mut added = self.hash_files(vec![(path, fs_path)])?;
        let (path, mut info, stamp) = added.pop().expect("one file hashed");
        info.custom = custom;
        let placed = self.place(vec![(path, info, stamp)])?;
        Ok(placed.into_iter().next().expect("one target placed"))
    }

    /// Add every file below `dir` (absolute, or relative to `REPO/targets/`;
    /// it must lie inside it) as a target, in path order.
    pub fn add_target_tree(&mut self, dir: &Path) -> Result<Vec<AddedTarget>> {
        let base = self.canonical_targets_dir()?;
        let start = if dir.is_absolute() {
            dir.to_path_buf()
        } else {
            base.join(dir)
        };
        let start =
            std::fs::canonicalize(&start).map_err(|e| RepoError::io(IoOp::Read, &start, e))?;
        if !start.starts_with(&base) {
            return Err(RepoError::TargetOutsideRepository { path: start });
        }
        let mut files = Vec::new();
        walk(&start, &mut files)?;
        files.sort();
        let mut resolved = Vec::with_capacity(files.len());
        for f in files {
            resolved.push(self.resolve_target_file(&base, &f)?);
        }
        let hashed = self.hash_files(resolved)?;
        self.place(hashed)
    }

    fn canonical_targets_dir(&self) -> Result<PathBuf> {
        let dir = self.layout.targets_dir();
        std::fs::canonicalize(&dir).map_err(|e| RepoError::io(IoOp::Read, &dir, e))
    }

    fn resolve_target_file(&self, base: &Path, file: &Path) -> Result<(TargetPath, PathBuf)> {
        let joined = if file.is_absolute() {
            file.to_path_buf()
        } else {
            base.join(file)
        };
        let real =
            std::fs::canonicalize(&joined).map_err(|e| RepoError::io(IoOp::Read, &joined, e))?;
        let rel = real
            .strip_prefix(base)
            .map_err(|_| RepoError::TargetOutsideRepository { path: real.clone() })?;
        let name: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let name = name.join("/");
        let path = TargetPath::new(&name).map_err(|reason| RepoError::InvalidTargetPath {
            path: name.clone(),
            reason,
        })?;
        Ok((path, real))
    }

    /// Hash files on every core.
    fn hash_files(
        &self,
        files: Vec<(TargetPath, PathBuf)>,
    ) -> Result<Vec<(TargetPath, TargetFile, FileStamp)>> {
        let algorithms: Vec<&str> = self
            .config
            .target_hashes
            .iter()
            .map(String::as_str)
            .collect();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = files.len().div_ceil(threads).max(1);
        let algorithms = &algorithms;
        let parts: Vec<Result<Vec<_>>> = std::thread::scope(|s| {
            let handles: Vec<_> = files
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || {
                        part.iter()
                            .map(|(path, fs)| hash_one(path, fs, algorithms))
                            .collect::<Result<Vec<_>>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("hashing thread panicked"))
                .collect()
        });
        let mut out = Vec::with_capacity(files.len());
        for p in parts {
            out.extend(p?);
        }
        Ok(out)
    }

    /// Place hashed files: every role is chosen before any is changed.
    fn place(
        &mut self,
        files: Vec<(TargetPath, TargetFile, FileStamp)>,
    ) -> Result<Vec<AddedTarget>> {
        let mut roles = Vec::with_capacity(files.len());
        for (path, _, _) in &files {
            let role = self.role_for_target(path.as_str())?;
            self.ensure_loaded(&role)?;
            roles.push(role);
        }
        let mut out = Vec::with_capacity(files.len());
        for ((path, info, stamp), role) in files.into_iter().zip(roles) {
            let prefixed = info
                .hash_prefixed_paths(path.as_str())
                .iter()
                .map(|p| TargetPath::new(p).expect("a hex prefix keeps a valid path valid"))
                .collect();
            out.push(AddedTarget {
                path: path.to_string(),
                role: role.clone(),
                length: info.length,
            });
            self.add_target_to(&role, path.as_str(), info)?;
            self.file_targets
                .insert(path, AddedFile { stamp, prefixed });
        }
        Ok(out)
    }
}

fn checked(path: &str) -> Result<TargetPath> {
    TargetPath::new(path).map_err(|reason| RepoError::InvalidTargetPath {
        path: path.to_owned(),
        reason,
    })
}

fn hash_one(
    path: &TargetPath,
    fs_path: &Path,
    algorithms: &[&str],
) -> Result<(TargetPath, TargetFile, FileStamp)> {
    let mut f = std::fs::File::open(fs_path).map_err(|e| RepoError::io(IoOp::Read, fs_path, e))?;
    let info = TargetFile::from_reader(&mut f, algorithms).map_err(|e| match e {
        tuf_core::metadata::hashes::StreamError::Io(source) => {
            RepoError::io(IoOp::Read, fs_path, source)
        }
        tuf_core::metadata::hashes::StreamError::Mismatch(m) => {
            RepoError::UnsupportedHash(m.to_string())
        }
    })?;
    let stamp = stamp(fs_path)?;
    if stamp.len != info.length {
        return Err(RepoError::TargetChanged {
            path: path.to_string(),
        });
    }
    Ok((path.clone(), info, stamp))
}

/// Every regular file below `dir`, skipping our consistent-snapshot copies
/// and temporary files.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| RepoError::io(IoOp::Read, dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| RepoError::io(IoOp::Read, dir, e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let ft = std::fs::metadata(&path).map_err(|e| RepoError::io(IoOp::Read, &path, e))?;
        if ft.is_dir() {
            walk(&path, out)?;
        } else if ft.is_file() && !is_hash_prefixed(&name) && !is_temp(&name) {
            out.push(path);
        }
    }
    Ok(())
}

fn is_temp(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp-")
}
