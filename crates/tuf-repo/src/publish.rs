//! Publishing: sign what changed, then write it in an order no reader can
//! trip over (architecture decision 11, spec §6.1, F-76..F-79).
//!
//! Contract:
//! - **Everything is decided before anything is written.** Expiry checks,
//!   signing and thresholds, serialization, snapshot and timestamp
//!   regeneration: an error in any of them leaves disk and memory untouched.
//! - **Order.** New root versions first (`N.root.json`, then `root.json`);
//!   then target copies and targets metadata (one durable batch); then
//!   snapshot; then timestamp. A client that reads the new timestamp finds
//!   every file it points at.
//! - **Only what changed.** A role is re-signed and written only when its
//!   content changed; snapshot only when a targets role changed (or it was
//!   edited); timestamp only when snapshot changed (or it was edited) (F-79).
//! - Signing of many roles runs on every core (`std::thread::scope`).
//! - A successful publish removes the staged changes (crate::staging):
//!   everything pending, staged or not, has just been published.

use tuf_core::metadata::{MetaFile, Metadata, SignedMeta, Targets};
use tuf_core::{DateTime, RoleType};

use crate::error::{RepoError, Result};
use crate::fsio::{self, BatchItem};
use crate::repository::{Repository, SignerEntry, SigningGroup};
use crate::role_state::RoleState;
use crate::signing::{Prepared, prepare};

/// What [`Repository::publish`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PublishReport {
    /// New root version, if any.
    pub root: Option<u64>,
    /// Targets roles written, with their new versions.
    pub targets: Vec<(String, u64)>,
    /// New snapshot version, if any.
    pub snapshot: Option<u64>,
    /// New timestamp version, if any.
    pub timestamp: Option<u64>,
    /// Hash-prefixed target copies ensured (F-71).
    pub target_copies: usize,
}

impl PublishReport {
    /// Whether nothing needed publishing.
    pub fn is_empty(&self) -> bool {
        self.root.is_none() && self.targets.is_empty() && self.timestamp.is_none()
    }
}

fn expired_check<T: SignedMeta>(role: &str, t: &T, now: DateTime) -> Result<()> {
    if t.is_expired(now) {
        return Err(RepoError::Expired {
            role: role.to_owned(),
            expires: t.expires(),
        });
    }
    Ok(())
}

/// Sign and serialize many targets roles on every core. Threads take the
/// next few roles as they finish (the machine may be shared, so equal
/// shares would wait on the slowest); results keep the order of `work`.
fn prepare_parallel(
    work: Vec<(&str, &Metadata<Targets>, Vec<SigningGroup>)>,
    signers: &[SignerEntry],
) -> Result<Vec<Prepared>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if work.len() < 8 || threads == 1 {
        return work
            .iter()
            .map(|(role, md, groups)| prepare(role, md, groups, signers))
            .collect();
    }
    const BATCH: usize = 16;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = &work;
    let parts: Vec<Vec<(usize, Result<Prepared>)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let from = next.fetch_add(BATCH, std::sync::atomic::Ordering::Relaxed);
                        if from >= work.len() {
                            return done;
                        }
                        for (i, (role, md, groups)) in
                            work.iter().enumerate().skip(from).take(BATCH)
                        {
                            done.push((i, prepare(role, md, groups, signers)));
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("signing thread panicked"))
            .collect()
    });
    let mut slots: Vec<Option<Result<Prepared>>> = (0..work.len()).map(|_| None).collect();
    for (i, r) in parts.into_iter().flatten() {
        slots[i] = Some(r);
    }
    slots
        .into_iter()
        .map(|r| r.expect("every role prepared"))
        .collect()
}

impl Repository {
    /// Sign and write every pending change, regenerating snapshot and
    /// timestamp as needed (see the module contract). Publishing with
    /// nothing pending writes nothing.
    pub fn publish(&mut self) -> Result<PublishReport> {
        let now = self.now;
        let consistent = self.consistent_snapshot();
        let pending: Vec<String> = self
            .targets
            .iter()
            .filter(|(_, s)| s.is_pending())
            .map(|(n, _)| n.clone())
            .collect();
        let snapshot_needed = self.snapshot.is_pending() || !pending.is_empty();
        let timestamp_needed = self.timestamp.is_pending() || snapshot_needed;

        // Roles that keep their current version must still be valid; new
        // versions get fresh expiries below but may have been edited long ago.
        expired_check("root", &self.root.md.signed, now)?;
        for (name, s) in &self.targets {
            expired_check(name, &s.md.signed, now)?;
        }
        // Snapshot and timestamp get a fresh expiry whenever they are re-signed.
        if !snapshot_needed {
            expired_check("snapshot", &self.snapshot.md.signed, now)?;
        }
        if !timestamp_needed {
            expired_check("timestamp", &self.timestamp.md.signed, now)?;
        }

        let root = if self.root.is_pending() {
            if let Some(prev) = &self.published_root {
                let (p, n) = (prev.signed.version, self.root.version());
                if n != p.next() {
                    return Err(RepoError::Rollback {
                        role: "root.json".into(),
                        published: p.get(),
                        offered: n.get(),
                    });
                }
            }
            let groups = self.signing_groups("root")?;
            Some(prepare("root", &self.root.md, &groups, &self.signers)?)
        } else {
            None
        };

        let work_groups = self.signing_groups_many(&pending)?;
        let work: Vec<_> = pending
            .iter()
            .zip(work_groups)
            .map(|(n, g)| (n.as_str(), &self.targets[n].md, g))
            .collect();
        let mut prepared_targets = prepare_parallel(work, &self.signers)?;

        let snapshot = if snapshot_needed {
            let mut next: RoleState<_> = self.snapshot.clone();
            next.touch(self.expires_for("snapshot"));
            for p in &prepared_targets {
                let file = format!("{}.json", p.role);
                if let Some(old) = next.md.signed.meta.get(&file)
                    && old.version > p.version
                {
                    // F-79: a targets version must never go backwards.
                    return Err(RepoError::Rollback {
                        role: file,
                        published: old.version.get(),
                        offered: p.version.get(),
                    });
                }
                let entry = if self.config.snapshot_meta_hashes {
                    MetaFile::for_bytes(p.version, &p.bytes, &["sha256"])
                        .expect("sha256 is supported")
                } else {
                    MetaFile::new(p.version)
                };
                next.md.signed.meta.insert(file, entry);
            }
            let groups = self.signing_groups("snapshot")?;
            let prepared = prepare("snapshot", &next.md, &groups, &self.signers)?;
            Some((next, prepared))
        } else {
            None
        };

        let timestamp = if timestamp_needed {
            let mut next = self.timestamp.clone();
            next.touch(self.expires_for("timestamp"));
            if let Some((snap, p)) = &snapshot {
                let meta = MetaFile::for_bytes(snap.version(), &p.bytes, &["sha256"])
                    .expect("sha256 is supported");
                if meta.version < next.md.signed.snapshot_meta().version {
                    return Err(RepoError::Rollback {
                        role: "snapshot.json".into(),
                        published: next.md.signed.snapshot_meta().version.get(),
                        offered: meta.version.get(),
                    });
                }
                next.md.signed.set_snapshot_meta(meta);
            }
            let groups = self.signing_groups("timestamp")?;
            let prepared = prepare("timestamp", &next.md, &groups, &self.signers)?;
            Some((next, prepared))
        } else {
            None
        };

        let links = self.target_links(consistent)?;
        // Role names from metadata made elsewhere are checked here too,
        // before anything is written.
        let target_files = prepared_targets
            .iter()
            .map(|p| self.layout.role_file(&p.role, p.version, consistent))
            .collect::<Result<Vec<_>>>()?;

        // Nothing has been written yet: from here on only I/O can fail.
        let mut report = PublishReport {
            target_copies: 0,
            ..PublishReport::default()
        };
        let mut created: Vec<std::path::PathBuf> = Vec::new();
        let write = (|| -> Result<()> {
            if let Some(p) = &root {
                let versioned = self.layout.versioned_root(p.version);
                if !versioned.exists() {
                    created.push(versioned.clone());
                }
                fsio::write_one(&versioned, &p.bytes)?;
                fsio::write_one(&self.layout.plain("root"), &p.bytes)?;
            }
            let mut batch = links;
            let copies = batch.len();
            for (p, path) in prepared_targets.iter_mut().zip(&target_files) {
                batch.push(BatchItem::Bytes(path.clone(), std::mem::take(&mut p.bytes)));
            }
            let written = fsio::write_batch(batch)?;
            report.target_copies = copies;
            created.extend(written.created);
            if let Some((s, p)) = &snapshot {
                let path = self.layout.role_file("snapshot", s.version(), consistent)?;
                if consistent {
                    created.push(path.clone());
                }
                fsio::write_one(&path, &p.bytes)?;
            }
            if let Some((_, p)) = &timestamp {
                fsio::write_one(&self.layout.plain("timestamp"), &p.bytes)?;
            }
            Ok(())
        })();
        if let Err(e) = write {
            for p in &created {
                let _ = fsio::remove(p);
            }
            return Err(e);
        }

        // Commit: memory now matches disk.
        if let Some(p) = root {
            report.root = Some(p.version.get());
            self.root.md.signatures = p.signatures;
            self.root.published = Some(p.version);
            self.published_root = Some(self.root.md.clone());
        }
        for p in prepared_targets {
            report.targets.push((p.role.clone(), p.version.get()));
            let s = self.targets.get_mut(&p.role).expect("prepared from here");
            s.md.signatures = p.signatures;
            s.published = Some(p.version);
        }
        if let Some((mut s, p)) = snapshot {
            report.snapshot = Some(p.version.get());
            s.md.signatures = p.signatures;
            s.published = Some(p.version);
            self.snapshot = s;
        }
        if let Some((mut t, p)) = timestamp {
            report.timestamp = Some(p.version.get());
            t.md.signatures = p.signatures;
            t.published = Some(p.version);
            self.timestamp = t;
        }
        self.file_targets.clear();
        // Everything staged is published now. Should removing the staging
        // fail, it is refused as stale at the next open: its roles no
        // longer follow the published versions.
        if let Err(e) = self.clear_staged() {
            tracing::warn!(error = %e, "published, but the staged changes could not be removed");
        }
        tracing::debug!(?report, "published");
        Ok(report)
    }

    /// Hash-prefixed copies of the target files added this session (F-71),
    /// after checking that none changed since it was hashed.
    fn target_links(&self, consistent: bool) -> Result<Vec<BatchItem>> {
        let mut items = Vec::new();
        if !consistent {
            return Ok(items);
        }
        let base = self.layout.targets_dir();
        for (path, added) in &self.file_targets {
            let src = path.to_fs_path(&base);
            let now = crate::targets::stamp(&src)?;
            if now != added.stamp {
                return Err(RepoError::TargetChanged {
                    path: path.to_string(),
                });
            }
            for prefixed in &added.prefixed {
                items.push(BatchItem::Link {
                    src: src.clone(),
                    dest: prefixed.to_fs_path(&base),
                });
            }
        }
        Ok(items)
    }

    /// Give `role` (top-level or delegated) a new version with a fresh expiry
    /// at the next publish, without other changes.
    pub fn refresh_expiry(&mut self, role: &str) -> Result<()> {
        match RoleType::from_name(role) {
            Some(RoleType::Root) => {
                let e = self.expires_for(role);
                self.root.touch(e);
            }
            Some(RoleType::Snapshot) => {
                let e = self.expires_for(role);
                self.snapshot.touch(e);
            }
            Some(RoleType::Timestamp) => {
                let e = self.expires_for(role);
                self.timestamp.touch(e);
            }
            _ => {
                self.touch_targets(role)?;
            }
        }
        Ok(())
    }
}
