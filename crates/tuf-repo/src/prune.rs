//! Pruning old consistent-snapshot metadata.
//!
//! Contract:
//! - Keeps the newest `keep` snapshot versions (at least one: the current)
//!   and every targets-role version any kept snapshot lists, so a client in
//!   the middle of an update from a recent timestamp still finds its files.
//! - Never removes a root version (F-68), `root.json` or `timestamp.json`,
//!   nor any file it does not recognize as `N.<role>.json` (role files of
//!   names with `/` lie in subdirectories, `N.apps/v1.json`; directories
//!   left empty are removed too).
//! - Reads every kept snapshot before removing anything: a corrupt one is
//!   an error and nothing is removed. Does nothing without consistent
//!   snapshots (files are overwritten in place there).

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use tuf_core::metadata::{Metadata, Snapshot};

use crate::error::{IoOp, RepoError, Result};
use crate::fsio;
use crate::repository::Repository;

/// What [`Repository::prune`] removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PruneReport {
    /// Files removed.
    pub removed: Vec<PathBuf>,
}

/// `N.<role>.json` (a path relative to `metadata/`, `/`-separated) split
/// into version and role name.
fn parse_name(name: &str) -> Option<(u64, &str)> {
    let (v, rest) = name.split_once('.')?;
    let role = rest.strip_suffix(".json")?;
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) || role.is_empty() {
        return None;
    }
    Some((v.parse().ok()?, role))
}

impl Repository {
    /// Remove consistent-snapshot metadata older than the `keep` newest
    /// snapshots need (see the module contract).
    pub fn prune(&mut self, keep: usize) -> Result<PruneReport> {
        let mut report = PruneReport::default();
        if !self.consistent_snapshot() {
            return Ok(report);
        }
        let dir = self.layout.metadata_dir();
        let mut found = Vec::new();
        let mut subdirs = Vec::new();
        walk(&dir, "", &mut found, &mut subdirs)?;
        let mut files = Vec::new();
        for (rel, path) in found {
            if let Some((v, role)) = parse_name(&rel)
                && role != "root"
                && role != "timestamp"
            {
                files.push((v, role.to_owned(), path));
            }
        }
        let current = self.snapshot.published.map_or(0, |v| v.get());
        let snapshots: BTreeSet<u64> = files
            .iter()
            .filter(|(v, r, _)| r == "snapshot" && *v <= current)
            .map(|(v, _, _)| *v)
            .collect();
        let kept: Vec<u64> = snapshots.iter().rev().take(keep.max(1)).copied().collect();

        let mut needed: HashSet<(u64, String)> = HashSet::new();
        for v in &kept {
            needed.insert((*v, "snapshot".to_owned()));
            let listing = if *v == current {
                self.snapshot.md.signed.meta.clone()
            } else {
                let path = dir.join(format!("{v}.snapshot.json"));
                let bytes = fsio::read(&path)?;
                Metadata::<Snapshot>::from_bytes(&bytes, "snapshot")
                    .map_err(|source| RepoError::Metadata { path, source })?
                    .signed
                    .meta
            };
            for (file, meta) in listing {
                let role = file.strip_suffix(".json").unwrap_or(&file);
                needed.insert((meta.version.get(), role.to_owned()));
            }
        }
        let newest: std::collections::HashMap<String, u64> = self
            .snapshot
            .md
            .signed
            .meta
            .iter()
            .map(|(f, m)| {
                (
                    f.strip_suffix(".json").unwrap_or(f).to_owned(),
                    m.version.get(),
                )
            })
            .collect();
        // Versions newer than the current snapshot knows (a publish that
        // failed half-way) are left alone too.
        for (v, role, path) in files {
            let newest = if role == "snapshot" {
                current
            } else {
                newest.get(&role).copied().unwrap_or(0)
            };
            if v < newest && !needed.contains(&(v, role.clone())) && fsio::remove(&path)? {
                report.removed.push(path);
            }
        }
        // Deepest first, so a parent emptied by its children goes too;
        // a directory that still holds anything stays.
        for d in subdirs.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
        report.removed.sort();
        Ok(report)
    }
}

/// Every file below `dir` as (path relative to the walk's start with `/`
/// separators, full path); directories are listed parents first.
fn walk(
    dir: &Path,
    prefix: &str,
    files: &mut Vec<(String, PathBuf)>,
    dirs: &mut Vec<PathBuf>,
) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| RepoError::io(IoOp::Read, dir, e))? {
        let entry = entry.map_err(|e| RepoError::io(IoOp::Read, dir, e))?;
        let rel = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let kind = entry
            .file_type()
            .map_err(|e| RepoError::io(IoOp::Read, entry.path(), e))?;
        if kind.is_dir() {
            dirs.push(entry.path());
            walk(&entry.path(), &format!("{rel}/"), files, dirs)?;
        } else if kind.is_file() {
            files.push((rel, entry.path()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_name;

    #[test]
    fn only_versioned_metadata_names_parse() {
        assert_eq!(parse_name("12.bin-0a.json"), Some((12, "bin-0a")));
        assert_eq!(parse_name("3.a.b.json"), Some((3, "a.b")));
        assert_eq!(parse_name("4.apps/v1.json"), Some((4, "apps/v1")));
        assert_eq!(parse_name("apps/4.v1.json"), None);
        assert_eq!(parse_name("root.json"), None);
        assert_eq!(parse_name("x1.targets.json"), None);
        assert_eq!(parse_name("1.targets.json.tmp"), None);
    }
}
