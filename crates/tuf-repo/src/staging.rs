//! Staging: unpublished changes kept on disk between sessions, so that
//! signatures can be collected in separate runs (detached signing) before
//! anything is published.
//!
//! Contract:
//! - [`Repository::stage`] writes every pending role (its metadata with
//!   whatever signatures it has so far) and the target copies publish
//!   still has to make under `REPO/.tuf-repo/staged/`, never under
//!   `metadata/`. Role files are content-addressed (`roles/SHA256.json`)
//!   and written durably first; then `staged.json`, which names them, is
//!   replaced atomically. It is the commit point: a crash leaves the
//!   previous staging or the new one, never a mix. Staging with nothing
//!   pending removes the staging.
//! - [`Repository::open`] loads the staging back. Every file must match
//!   its hash and parse as its role; every role must be the next version
//!   of what is published now (else [`RepoError::StagedStale`]); every
//!   signature must verify by a key authorized for the role. Any failure
//!   is a [`RepoError::Staged`]. Staged roles stay untrusted drafts:
//!   publishing still needs every threshold met.
//! - A successful [`Repository::publish`] removes the staging;
//!   [`Repository::discard_staged`] drops it and the pending changes.

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tuf_core::RoleType;
use tuf_core::metadata::{Metadata, Root, SignedMeta, Snapshot, Targets, Timestamp, Version};

use crate::error::{RepoError, Result};
use crate::fsio::{self, BatchItem};
use crate::repository::Repository;
use crate::role_state::RoleState;
use crate::target_path::TargetPath;
use crate::targets::{AddedFile, FileStamp};

/// Version of the `staged.json` format.
const FORMAT: u32 = 1;

/// `staged.json`: everything staged, by reference to the role files.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    format: u32,
    roles: Vec<StagedRole>,
    target_files: Vec<StagedFile>,
}

/// One staged role version.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StagedRole {
    role: String,
    /// The staged version (also inside the file; here for readers).
    version: u64,
    /// The published version it follows; `None` for a role never published.
    published: Option<u64>,
    /// SHA-256 of the file `roles/SHA256.json`.
    sha256: String,
}

/// A target file added but not yet linked under its hash names (F-71).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StagedFile {
    path: String,
    length: u64,
    /// Modification time when it was hashed, if the system reports one.
    modified: Option<Modified>,
}

/// A modification time as seconds and nanoseconds since the Unix epoch.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Modified {
    secs: u64,
    nanos: u32,
}

fn sha256_hex(bytes: &[u8]) -> String {
    let hashes =
        tuf_core::metadata::hashes::digest_bytes(bytes, &["sha256"]).expect("sha256 is supported");
    let (_, hex) = hashes.iter().next().expect("one algorithm asked for");
    hex.to_owned()
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn bad(path: &Path, detail: impl Into<String>) -> RepoError {
    RepoError::BadStateFile {
        path: path.to_path_buf(),
        detail: detail.into(),
    }
}

fn parse<T: SignedMeta>(path: &Path, role: &str, bytes: &[u8]) -> Result<Metadata<T>> {
    Metadata::from_bytes(bytes, role).map_err(|source| RepoError::Metadata {
        path: path.to_path_buf(),
        source,
    })
}

/// The staged version must follow the published one it was made from,
/// which must still be the published one.
fn check_follows(
    path: &Path,
    role: &str,
    staged_from: Option<u64>,
    published: Option<Version>,
    staged: Version,
) -> Result<()> {
    let published = published.map(Version::get);
    let stale = || RepoError::StagedStale {
        role: role.to_owned(),
        staged_from,
        published,
    };
    let expected = match staged_from {
        Some(base) if published != Some(base) => return Err(stale()),
        Some(base) => base.saturating_add(1),
        // A new role; snapshot may remember a removed one of that name (F-79).
        None => match published {
            Some(p) if p >= staged.get() => return Err(stale()),
            p => p.map_or(1, |p| p.saturating_add(1)),
        },
    };
    if staged.get() != expected {
        return Err(bad(
            path,
            format!(
                "{role} version {staged} does not follow published {}",
                published.map_or_else(|| "nothing".to_owned(), |p| p.to_string())
            ),
        ));
    }
    Ok(())
}

impl Repository {
    /// Write every unpublished change under `REPO/.tuf-repo/staged/` (see
    /// the module contract), so a later [`open`](Self::open) continues from
    /// here: pending roles with the signatures they have, and the target
    /// files publish still has to link. Nothing pending removes the staging.
    pub fn stage(&mut self) -> Result<()> {
        let mut roles: Vec<(StagedRole, Vec<u8>)> = Vec::new();
        fn entry<T: SignedMeta>(role: &str, s: &RoleState<T>) -> (StagedRole, Vec<u8>) {
            let bytes = s.md.to_bytes();
            let staged = StagedRole {
                role: role.to_owned(),
                version: s.version().get(),
                published: s.published.map(Version::get),
                sha256: sha256_hex(&bytes),
            };
            (staged, bytes)
        }
        if self.root.is_pending() {
            roles.push(entry("root", &self.root));
        }
        if self.timestamp.is_pending() {
            roles.push(entry("timestamp", &self.timestamp));
        }
        if self.snapshot.is_pending() {
            roles.push(entry("snapshot", &self.snapshot));
        }
        for (name, s) in &self.targets {
            if s.is_pending() {
                roles.push(entry(name, s));
            }
        }
        if roles.is_empty() && self.file_targets.is_empty() {
            return self.clear_staged();
        }
        let target_files = self
            .file_targets
            .iter()
            .map(|(path, added)| StagedFile {
                path: path.to_string(),
                length: added.stamp.len,
                modified: added
                    .stamp
                    .modified
                    .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
                    .map(|d| Modified {
                        secs: d.as_secs(),
                        nanos: d.subsec_nanos(),
                    }),
            })
            .collect();

        let dir = self.layout.staged_roles_dir();
        let mut keep = HashSet::new();
        let mut batch = Vec::new();
        let mut manifest = Manifest {
            format: FORMAT,
            roles: Vec::with_capacity(roles.len()),
            target_files,
        };
        for (staged, bytes) in roles {
            let file = format!("{}.json", staged.sha256);
            if keep.insert(file.clone()) {
                batch.push(BatchItem::Bytes(dir.join(file), bytes));
            }
            manifest.roles.push(staged);
        }
        fsio::create_dir(&dir)?;
        let written = fsio::write_batch(batch)?;
        let text = serde_json::to_vec_pretty(&manifest).expect("the manifest serializes");
        if let Err(e) = fsio::write_one(&self.layout.staged_manifest(), &text) {
            written.undo();
            return Err(e);
        }
        self.staged = true;
        // Files of the previous staging: unreferenced now, so harmless if
        // this clean-up is interrupted.
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                if !keep.contains(&*e.file_name().to_string_lossy()) {
                    let _ = fsio::remove(&e.path());
                }
            }
        }
        Ok(())
    }

    /// Drop the staged changes: from disk, and from memory by going back
    /// to the published state (loaded signers and the reference time stay).
    pub fn discard_staged(&mut self) -> Result<()> {
        let mut fresh = Repository::open_published(self.layout.root())?;
        self.clear_staged()?;
        fresh.signers = std::mem::take(&mut self.signers);
        fresh.now = self.now;
        fresh.staged = false;
        *self = fresh;
        Ok(())
    }

    /// Whether the repository holds staged changes on disk (as of the last
    /// open, stage, publish or discard).
    pub fn has_staged_changes(&self) -> bool {
        self.staged
    }

    /// Roles whose current version is not published yet: root, timestamp
    /// and snapshot first, then targets roles by name.
    pub fn pending_roles(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, pending) in [
            ("root", self.root.is_pending()),
            ("timestamp", self.timestamp.is_pending()),
            ("snapshot", self.snapshot.is_pending()),
        ] {
            if pending {
                out.push(name.to_owned());
            }
        }
        out.extend(
            self.targets
                .iter()
                .filter(|(_, s)| s.is_pending())
                .map(|(n, _)| n.clone()),
        );
        out
    }

    /// Remove the staging: the manifest first (the commit point), then
    /// the files it named.
    pub(crate) fn clear_staged(&mut self) -> Result<()> {
        let dir = self.layout.staged_dir();
        if fsio::remove(&self.layout.staged_manifest())? {
            fsio::sync_dir(&dir)?;
        }
        if dir.exists() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        self.staged = false;
        Ok(())
    }

    /// Load the staging, if there is one, over the published state.
    pub(crate) fn load_staged(&mut self) -> Result<()> {
        let path = self.layout.staged_manifest();
        let Some(bytes) = fsio::read_optional(&path)? else {
            return Ok(());
        };
        self.staged = true;
        self.load_manifest(&path, &bytes)
            .map_err(|source| RepoError::Staged {
                path: self.layout.staged_dir(),
                source: Box::new(source),
            })
    }

    fn load_manifest(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        let manifest: Manifest =
            serde_json::from_slice(bytes).map_err(|e| bad(path, e.to_string()))?;
        if manifest.format != FORMAT {
            return Err(bad(
                path,
                format!("unsupported staging format {}", manifest.format),
            ));
        }
        let dir = self.layout.staged_roles_dir();
        let mut seen = HashSet::new();
        for entry in &manifest.roles {
            if !seen.insert(entry.role.as_str()) {
                return Err(bad(path, format!("{} is staged twice", entry.role)));
            }
            // Checked before it becomes part of a path.
            if !is_sha256_hex(&entry.sha256) {
                return Err(bad(path, format!("{}: bad sha256", entry.role)));
            }
            let file = dir.join(format!("{}.json", entry.sha256));
            let bytes = fsio::read(&file)?;
            if sha256_hex(&bytes) != entry.sha256 {
                return Err(bad(&file, "content does not match its SHA-256 name"));
            }
            let role = entry.role.as_str();
            let from = entry.published;
            match RoleType::from_name(role) {
                Some(RoleType::Root) => {
                    let md: Metadata<Root> = parse(&file, role, &bytes)?;
                    check_follows(&file, role, from, self.root.published, md.signed.version)?;
                    self.root.md = md;
                }
                Some(RoleType::Timestamp) => {
                    let md: Metadata<Timestamp> = parse(&file, role, &bytes)?;
                    let p = self.timestamp.published;
                    check_follows(&file, role, from, p, md.signed.version())?;
                    self.timestamp.md = md;
                }
                Some(RoleType::Snapshot) => {
                    let md: Metadata<Snapshot> = parse(&file, role, &bytes)?;
                    let p = self.snapshot.published;
                    check_follows(&file, role, from, p, md.signed.version())?;
                    self.snapshot.md = md;
                }
                _ => {
                    let md: Metadata<Targets> = parse(&file, role, &bytes)?;
                    let listed = self.snapshot.md.signed.role_meta(role).map(|m| m.version);
                    check_follows(&file, role, from, listed, md.signed.version)?;
                    let published = from.and(listed);
                    self.targets
                        .insert(role.to_owned(), RoleState { md, published });
                }
            }
        }
        // Signatures are checked once every staged role is in place: a
        // staged delegator decides who may sign its staged roles.
        for entry in &manifest.roles {
            let sigs = self.signatures_of(&entry.role).to_vec();
            for sig in &sigs {
                self.check_signature(&entry.role, sig)?;
            }
        }
        for f in manifest.target_files {
            let target =
                TargetPath::new(&f.path).map_err(|reason| RepoError::InvalidTargetPath {
                    path: f.path.clone(),
                    reason,
                })?;
            let modified = match f.modified {
                None => None,
                Some(m) if m.nanos < 1_000_000_000 => {
                    UNIX_EPOCH.checked_add(Duration::new(m.secs, m.nanos))
                }
                Some(_) => return Err(bad(path, format!("{}: bad modification time", f.path))),
            };
            // The copies to make follow from the staged listing, not from
            // anything the staging says about them; a file no staged role
            // lists any more needs no copies.
            let listed = manifest.roles.iter().find_map(|r| {
                self.targets
                    .get(&r.role)
                    .and_then(|s| s.md.signed.targets.get(target.as_str()))
            });
            let Some(info) = listed else { continue };
            let prefixed = info
                .hash_prefixed_paths(target.as_str())
                .iter()
                .map(|p| TargetPath::new(p).expect("a hex prefix keeps a valid path valid"))
                .collect();
            let stamp = FileStamp {
                len: f.length,
                modified,
            };
            self.file_targets
                .insert(target, AddedFile { stamp, prefixed });
        }
        Ok(())
    }
}
