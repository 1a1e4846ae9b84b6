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

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
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
            .insert(path.as_str(), file);
        Ok(())
    }

    /// Add (or replace) many targets at once, each placed as
    /// [`add_target`](Self::add_target) would place it, at a fraction of
    /// the cost per target: paths are checked and placed in one pass (the
    /// bin of each is computed on every core), and each role's new entries
    /// are merged into it at once.
    ///
    /// All or nothing: every path is checked and every role placed (and
    /// loaded) before the first role changes. A path given twice keeps its
    /// last entry, as successive `add_target` calls would. Returns how many
    /// of the given targets went to each role.
    pub fn add_targets<I>(&mut self, targets: I) -> Result<BTreeMap<String, usize>>
    where
        I: IntoIterator<Item = (String, TargetFile)>,
    {
        let mut entries: Vec<Entry> = targets.into_iter().map(|e| Mutex::new(Some(e))).collect();
        let placement = {
            let mut paths = Vec::with_capacity(entries.len());
            for entry in &mut entries {
                let (path, _) = entry_mut(entry).as_ref().expect("not taken yet");
                TargetPath::check(path).map_err(|reason| RepoError::InvalidTargetPath {
                    path: path.clone(),
                    reason,
                })?;
                paths.push(path.as_str());
            }
            self.place_paths(&paths)?
        };
        let counts = self.add_placed(entries, &placement)?;
        Ok(placement.roles.into_iter().zip(counts).collect())
    }

    /// Add `entries` (paths checked) to the roles `placement` gives them
    /// (all loaded); returns how many each role received. Each role's
    /// entries are gathered, sorted by path (the last entry for a path
    /// wins, as with successive inserts) and made a map on every core, then
    /// merged into the role in one go.
    fn add_placed(&mut self, entries: Vec<Entry>, placement: &Placement) -> Result<Vec<usize>> {
        // Entry indices grouped by role (a counting sort), in input order.
        let counts = placement.counts();
        let mut starts = Vec::with_capacity(counts.len() + 1);
        starts.push(0);
        for c in &counts {
            starts.push(starts.last().copied().unwrap_or(0) + c);
        }
        let mut next = starts.clone();
        let mut order = vec![0usize; entries.len()];
        for (i, &role) in placement.of.iter().enumerate() {
            let slot = &mut next[role as usize];
            order[*slot] = i;
            *slot += 1;
        }
        let groups: Vec<&[usize]> = starts.windows(2).map(|w| &order[w[0]..w[1]]).collect();
        for (r, map) in build_maps(&entries, &groups) {
            self.merge_targets(&placement.roles[r], map)?;
        }
        Ok(counts)
    }

    /// Add `new` to `role` (loaded): a new version, as
    /// [`add_target_to`](Self::add_target_to) makes it. Entries of `new`
    /// replace those listed for the same paths.
    fn merge_targets(&mut self, role: &str, new: BTreeMap<String, TargetFile>) -> Result<()> {
        // One merge pass over both, whatever their sizes.
        self.touch_targets(role)?.md.signed.targets.extend(new);
        Ok(())
    }

    /// The role each of `paths` (already checked) belongs in, as
    /// [`role_for_target`](Self::role_for_target) finds it, for many paths
    /// in one walk of the delegations: each delegator is loaded and
    /// consulted once for all the paths that reach it. Every role returned
    /// is loaded.
    pub(crate) fn place_paths(&mut self, paths: &[&str]) -> Result<Placement> {
        let mut placement = Placement {
            roles: Vec::new(),
            of: vec![0; paths.len()],
        };
        let mut index: HashMap<String, u32> = HashMap::new();
        // (role, delegations followed to reach it, paths that reached it)
        let mut work: Vec<(String, usize, Vec<usize>)> =
            vec![(TARGETS.to_owned(), 0, (0..paths.len()).collect())];
        while let Some((role, depth, idx)) = work.pop() {
            if idx.is_empty() {
                continue;
            }
            let mut here = Vec::new();
            if depth < MAX_DEPTH {
                self.ensure_loaded(&role)?;
                match &self.targets[&role].md.signed.delegations {
                    None => here = idx,
                    Some(d) => {
                        if let Some(bins) = d.succinct_roles() {
                            let mut by_bin = bin_indices(bins, paths, &idx);
                            by_bin.sort_unstable();
                            for run in by_bin.chunk_by(|a, b| a.0 == b.0) {
                                let name = bins.bin_name(run[0].0);
                                work.push((name, depth + 1, run.iter().map(|r| r.1).collect()));
                            }
                        } else {
                            let roles = d.roles().unwrap_or(&[]);
                            let mut by_role = vec![Vec::new(); roles.len()];
                            for i in idx {
                                match roles.iter().position(|r| r.is_delegated_path(paths[i])) {
                                    Some(r) => by_role[r].push(i),
                                    None => here.push(i),
                                }
                            }
                            for (r, idx) in roles.iter().zip(by_role) {
                                work.push((r.name.clone(), depth + 1, idx));
                            }
                        }
                    }
                }
            } else {
                // As far as a lookup goes (MAX_DEPTH delegations); loaded
                // now so that adding to it cannot fail later.
                self.ensure_loaded(&role)?;
                here = idx;
            }
            if here.is_empty() {
                continue;
            }
            let n = match index.get(&role) {
                Some(&n) => n,
                None => {
                    let n = u32::try_from(placement.roles.len()).expect("fewer than 2^32 roles");
                    index.insert(role.clone(), n);
                    placement.roles.push(role);
                    n
                }
            };
            for i in here {
                placement.of[i] = n;
            }
        }
        Ok(placement)
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
    /// it must lie inside it) as a target, in path order, each with `custom`
    /// as its `custom` field.
    pub fn add_target_tree(
        &mut self,
        dir: &Path,
        custom: Option<Value>,
    ) -> Result<Vec<AddedTarget>> {
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
        let mut hashed = self.hash_files(resolved)?;
        if custom.is_some() {
            for (_, info, _) in &mut hashed {
                info.custom = custom.clone();
            }
        }
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

    /// Place hashed files: every role is chosen (and loaded) before any is
    /// changed.
    fn place(
        &mut self,
        files: Vec<(TargetPath, TargetFile, FileStamp)>,
    ) -> Result<Vec<AddedTarget>> {
        let placement = {
            let paths: Vec<&str> = files.iter().map(|(p, _, _)| p.as_str()).collect();
            self.place_paths(&paths)?
        };
        let mut out = Vec::with_capacity(files.len());
        let mut added = Vec::with_capacity(files.len());
        let mut entries = Vec::with_capacity(files.len());
        for ((path, info, stamp), &role) in files.into_iter().zip(&placement.of) {
            let prefixed = info
                .hash_prefixed_paths(path.as_str())
                .iter()
                .map(|p| TargetPath::new(p).expect("a hex prefix keeps a valid path valid"))
                .collect();
            out.push(AddedTarget {
                path: path.to_string(),
                role: placement.roles[role as usize].clone(),
                length: info.length,
            });
            entries.push(Mutex::new(Some((path.as_str().to_owned(), info))));
            added.push((path, AddedFile { stamp, prefixed }));
        }
        self.add_placed(entries, &placement)?;
        self.file_targets.extend(added);
        Ok(out)
    }
}

/// One target of a bulk add. Each is taken exactly once, by whichever
/// thread builds its role's map; the lock is never contended.
type Entry = Mutex<Option<(String, TargetFile)>>;

fn entry_mut(entry: &mut Entry) -> &mut Option<(String, TargetFile)> {
    entry.get_mut().unwrap_or_else(PoisonError::into_inner)
}

/// The map of each group of entry indices, by group number: entries taken,
/// sorted by path, the last entry for a path kept. On every core when
/// there are many.
fn build_maps(
    entries: &[Entry],
    groups: &[&[usize]],
) -> Vec<(usize, BTreeMap<String, TargetFile>)> {
    let build = |(r, idx): (usize, &&[usize])| {
        let mut group: Vec<(usize, String, TargetFile)> = idx
            .iter()
            .filter_map(|&i| {
                let taken = entries[i]
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take();
                taken.map(|(path, file)| (i, path, file))
            })
            .collect();
        // By path, and for one path the last given first: kept by dedup.
        group.sort_unstable_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)));
        group.dedup_by(|a, b| a.1 == b.1);
        let map: BTreeMap<String, TargetFile> = group
            .into_iter()
            .map(|(_, path, file)| (path, file))
            .collect();
        (r, map)
    };
    let total: usize = groups.iter().map(|g| g.len()).sum();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if total < 8192 || threads == 1 {
        return groups.iter().enumerate().map(build).collect();
    }
    // Contiguous runs of groups with about the same number of entries each.
    let share = total.div_ceil(threads);
    let build = &build;
    std::thread::scope(|s| {
        let mut handles = Vec::new();
        let mut from = 0;
        while from < groups.len() {
            let mut to = from;
            let mut count = 0;
            while to < groups.len() && count < share {
                count += groups[to].len();
                to += 1;
            }
            let part = &groups[from..to];
            handles.push(s.spawn(move || {
                part.iter()
                    .enumerate()
                    .map(|(k, g)| build((from + k, g)))
                    .collect::<Vec<_>>()
            }));
            from = to;
        }
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("sorting thread panicked"))
            .collect()
    })
}

/// Where many target paths belong: path `i` goes to `roles[of[i]]`.
#[derive(Debug)]
pub(crate) struct Placement {
    pub roles: Vec<String>,
    pub of: Vec<u32>,
}

impl Placement {
    /// How many paths go to each of `roles`.
    fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.roles.len()];
        for &r in &self.of {
            counts[r as usize] += 1;
        }
        counts
    }
}

/// `(bin, i)` for each path index `i` in `idx`: one SHA-256 per path, on
/// every core when there are many.
fn bin_indices(
    bins: &tuf_core::metadata::SuccinctRoles,
    paths: &[&str],
    idx: &[usize],
) -> Vec<(u64, usize)> {
    let one = |i: &usize| (bins.bin_for_target(paths[*i]), *i);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if idx.len() < 8192 || threads == 1 {
        return idx.iter().map(one).collect();
    }
    let chunk = idx.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = idx
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(one).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("hashing thread panicked"))
            .collect()
    })
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
