//! Helpers shared by the integration tests: a throw-away repository, a
//! byte-for-byte picture of a directory tree, and a minimal client built
//! on tuf-core's `TrustedMetadataSet` that reads a published repository.
#![allow(dead_code)] // each test binary uses a different subset

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tuf_core::metadata::TargetFile;
use tuf_core::trust::{Origin, SearchStep, TargetSearch};
use tuf_core::{DateTime, TrustedMetadataSet};
use tuf_repo::{InitOptions, Repository};

/// A fresh repository in a temporary directory, keys beside it.
pub struct Fixture {
    pub tmp: tempfile::TempDir,
    pub repo_dir: PathBuf,
    pub keys_dir: PathBuf,
}

impl Fixture {
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let repo_dir = tmp.path().join("repo");
        let keys_dir = tmp.path().join("keys");
        Fixture {
            tmp,
            repo_dir,
            keys_dir,
        }
    }

    pub fn init(&self, opts: InitOptions) -> Repository {
        Repository::init(&self.repo_dir, &self.keys_dir, opts).unwrap()
    }

    pub fn write_target(&self, rel: &str, data: &[u8]) -> PathBuf {
        let p = self.repo_dir.join("targets").join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, data).unwrap();
        p
    }
}

/// Every file below `dir` with its bytes (and unix mode bits).
pub fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.insert(
                    p.strip_prefix(base).unwrap().to_path_buf(),
                    b"<dir>".to_vec(),
                );
                walk(base, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(base).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Files present in `after` but not in `before`.
pub fn new_files(
    before: &BTreeMap<PathBuf, Vec<u8>>,
    after: &BTreeMap<PathBuf, Vec<u8>>,
) -> Vec<String> {
    after
        .keys()
        .filter(|k| !before.contains_key(*k))
        .map(|k| k.to_string_lossy().into_owned())
        .collect()
}

/// A minimal TUF client over the published directory: trusts `root`,
/// follows the root chain, loads timestamp, snapshot and targets, then
/// looks `target` up through delegations. All checks are tuf-core's.
pub fn client_lookup(
    repo_dir: &Path,
    trusted_root: &[u8],
    now: DateTime,
    target: &str,
) -> Result<Option<TargetFile>, tuf_core::Error> {
    let meta = repo_dir.join("metadata");
    let mut set = TrustedMetadataSet::new(trusted_root, now)?;
    loop {
        let next = set.root().version.get() + 1;
        match std::fs::read(meta.join(format!("{next}.root.json"))) {
            Ok(b) => {
                set.update_root(&b)?;
            }
            Err(_) => break,
        }
    }
    set.check_final_root()?;
    let consistent = set.root().consistent_snapshot();
    let name = |role: &str, v: u64| {
        if consistent {
            meta.join(format!("{v}.{role}.json"))
        } else {
            meta.join(format!("{role}.json"))
        }
    };
    let _ = set.update_timestamp(
        &std::fs::read(meta.join("timestamp.json")).unwrap(),
        Origin::Remote,
    )?;
    let sv = set.timestamp().unwrap().snapshot_meta().version.get();
    let _ = set.update_snapshot(std::fs::read(name("snapshot", sv)).unwrap(), Origin::Remote)?;
    let tv = set
        .snapshot()
        .unwrap()
        .role_meta("targets")
        .unwrap()
        .version
        .get();
    set.update_targets(std::fs::read(name("targets", tv)).unwrap())?;
    let mut search = TargetSearch::new(target, 32);
    loop {
        match search.next(&set) {
            SearchStep::Found { file, .. } => return Ok(Some(file)),
            SearchStep::NotFound => return Ok(None),
            SearchStep::NeedRole { parent, role } => {
                let v = set
                    .snapshot()
                    .unwrap()
                    .role_meta(&role)
                    .unwrap()
                    .version
                    .get();
                set.update_delegated_targets(
                    std::fs::read(name(&role, v)).unwrap(),
                    &parent,
                    &role,
                )?;
            }
        }
    }
}

/// Reference time `days` after the repository's.
pub fn later(repo: &Repository, days: i64) -> DateTime {
    repo.now().plus_days(days)
}
