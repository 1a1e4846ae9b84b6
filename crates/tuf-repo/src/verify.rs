//! Checking the published repository as a client would (spec §5), with
//! tuf-core's [`TrustedMetadataSet`]: every security rule is the client's.
//!
//! Contract:
//! - The root chain starts at `1.root.json` and follows `N.root.json` while
//!   it exists; `root.json` must equal the newest. Then timestamp,
//!   snapshot, top-level targets and every delegated role reachable from it
//!   (named roles and every succinct bin), each through its delegator.
//! - Every target file each role lists is checked for length and every
//!   hash, under its hash-prefixed names with consistent snapshots (F-71).
//! - Problems are data in the [`VerifyReport`]; an `Err` means only that
//!   local storage failed. Verification never writes.

use std::path::PathBuf;

use tuf_core::metadata::{Delegations, Metadata, Targets, Version};
use tuf_core::trust::Origin;
use tuf_core::{DateTime, TrustedMetadataSet};

use crate::error::{IoOp, RepoError, Result};
use crate::fsio;
use crate::repository::{Repository, TARGETS};

/// One problem found by [`Repository::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// A metadata file a client needs is missing.
    MissingMetadata {
        /// The file.
        file: PathBuf,
    },
    /// A metadata file a client would reject; checks below it stop.
    Metadata {
        /// The file.
        file: PathBuf,
        /// The client's reason.
        error: tuf_core::Error,
    },
    /// A delegated role whose name cannot be a metadata file a static web
    /// server serves (see [`check_role_name`](crate::check_role_name));
    /// checks below it stop.
    InvalidRoleName {
        /// The name.
        role: String,
        /// What is wrong with it.
        reason: crate::RoleNameError,
    },
    /// `root.json` differs from the newest `N.root.json`.
    RootJsonStale,
    /// A listed target file is missing.
    TargetMissing {
        /// The target path.
        target: String,
        /// The file a client would download.
        file: PathBuf,
    },
    /// A target file whose length or a hash differs from metadata.
    TargetMismatch {
        /// The target path.
        target: String,
        /// The file.
        file: PathBuf,
        /// Which check failed.
        error: tuf_core::VerifyError,
    },
}

/// A role as the client accepted it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedRole {
    /// Role name.
    pub role: String,
    /// Version.
    pub version: u64,
    /// Expiry.
    pub expires: DateTime,
}

/// What [`Repository::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct VerifyReport {
    /// Root versions verified along the chain.
    pub root_versions: Vec<u64>,
    /// Every other role accepted, in load order.
    pub roles: Vec<VerifiedRole>,
    /// Target files checked.
    pub targets_checked: u64,
    /// Everything wrong.
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    /// Whether a client would accept everything.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Repository {
    /// Verify the published directory as a client would, at the repository's
    /// reference time (see the module contract).
    pub fn verify(&self) -> Result<VerifyReport> {
        let mut report = VerifyReport::default();
        let dir = self.layout.metadata_dir();
        let Some(set) = self.verify_metadata(&mut report)? else {
            return Ok(report);
        };
        let consistent = set.root().consistent_snapshot();
        // Delegated roles, pre-order, each through the first delegator found.
        let mut stack: Vec<Vec<String>> = vec![vec![TARGETS.to_owned()]];
        let mut set = set;
        let mut visited = std::collections::HashSet::from([TARGETS.to_owned()]);
        let mut accepted: Vec<Vec<String>> = Vec::new();
        while let Some(path) = stack.pop() {
            accepted.push(path.clone());
            let t = set.targets_at(&path).expect("accepted before being pushed");
            let children: Vec<String> = t
                .delegations
                .as_ref()
                .map(Delegations::role_names)
                .unwrap_or_default();
            for child in children.into_iter().rev() {
                if !visited.insert(child.clone()) {
                    continue;
                }
                let Some(meta) = set.snapshot().and_then(|s| s.role_meta(&child)).cloned() else {
                    report.problems.push(Problem::Metadata {
                        file: dir.join(format!("{child}.json")),
                        error: tuf_core::VerifyError::MissingMeta {
                            referrer: "snapshot".into(),
                            name: format!("{child}.json"),
                        }
                        .into(),
                    });
                    continue;
                };
                let file = match self.layout.role_file(&child, meta.version, consistent) {
                    Ok(f) => f,
                    Err(RepoError::InvalidRoleName { role, reason }) => {
                        report
                            .problems
                            .push(Problem::InvalidRoleName { role, reason });
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                let Some(bytes) = self.read_meta(&file, &mut report)? else {
                    continue;
                };
                match set.update_delegated_targets(&bytes, &path, &child) {
                    Ok(()) => {
                        let mut p = path.clone();
                        p.push(child);
                        stack.push(p);
                    }
                    Err(error) => report.problems.push(Problem::Metadata { file, error }),
                }
            }
        }
        for path in &accepted {
            let t = set.targets_at(path).expect("accepted");
            report.roles.push(VerifiedRole {
                role: path.last().expect("non-empty").clone(),
                version: t.version.get(),
                expires: t.expires,
            });
            self.verify_target_files(t.metadata(), consistent, &mut report)?;
        }
        Ok(report)
    }

    fn read_meta(
        &self,
        file: &std::path::Path,
        report: &mut VerifyReport,
    ) -> Result<Option<Vec<u8>>> {
        let bytes = fsio::read_optional(file)?;
        if bytes.is_none() {
            report.problems.push(Problem::MissingMetadata {
                file: file.to_path_buf(),
            });
        }
        Ok(bytes)
    }

    /// Root chain, timestamp, snapshot and top-level targets.
    fn verify_metadata(&self, report: &mut VerifyReport) -> Result<Option<TrustedMetadataSet>> {
        let first = self.layout.versioned_root(Version::ONE);
        let Some(bytes) = self.read_meta(&first, report)? else {
            return Ok(None);
        };
        let mut set = match TrustedMetadataSet::new(&bytes, self.now) {
            Ok(s) => s,
            Err(error) => {
                report
                    .problems
                    .push(Problem::Metadata { file: first, error });
                return Ok(None);
            }
        };
        report.root_versions.push(1);
        let mut newest = bytes;
        loop {
            let next = set.root().version.next();
            let file = self.layout.versioned_root(next);
            let Some(bytes) = fsio::read_optional(&file)? else {
                break;
            };
            if let Err(error) = set.update_root(&bytes) {
                report.problems.push(Problem::Metadata { file, error });
                return Ok(None);
            }
            report.root_versions.push(next.get());
            newest = bytes;
        }
        let plain = self.layout.plain("root");
        if fsio::read_optional(&plain)?.as_deref() != Some(newest.as_slice()) {
            report.problems.push(Problem::RootJsonStale);
        }
        if let Err(error) = set.check_final_root() {
            report
                .problems
                .push(Problem::Metadata { file: plain, error });
            return Ok(None);
        }
        let consistent = set.root().consistent_snapshot();
        let ts_file = self.layout.plain("timestamp");
        let Some(bytes) = self.read_meta(&ts_file, report)? else {
            return Ok(None);
        };
        if let Err(error) = set.update_timestamp(&bytes, Origin::Remote) {
            report.problems.push(Problem::Metadata {
                file: ts_file,
                error,
            });
            return Ok(None);
        }
        let ts = set.timestamp().expect("just accepted");
        report.roles.push(VerifiedRole {
            role: "timestamp".into(),
            version: ts.version.get(),
            expires: ts.expires,
        });
        let snap_v = ts.snapshot_meta().version;
        let snap_file = self
            .layout
            .role_file("snapshot", snap_v, consistent)
            .expect("a top-level role name is a valid file name");
        let Some(bytes) = self.read_meta(&snap_file, report)? else {
            return Ok(None);
        };
        if let Err(error) = set.update_snapshot(&bytes, Origin::Remote) {
            report.problems.push(Problem::Metadata {
                file: snap_file,
                error,
            });
            return Ok(None);
        }
        let snap = set.snapshot().expect("just accepted");
        report.roles.push(VerifiedRole {
            role: "snapshot".into(),
            version: snap.version.get(),
            expires: snap.expires,
        });
        let Some(t_meta) = snap.role_meta(TARGETS).cloned() else {
            report.problems.push(Problem::Metadata {
                file: snap_file,
                error: tuf_core::VerifyError::MissingMeta {
                    referrer: "snapshot".into(),
                    name: "targets.json".into(),
                }
                .into(),
            });
            return Ok(None);
        };
        let t_file = self
            .layout
            .role_file(TARGETS, t_meta.version, consistent)
            .expect("a top-level role name is a valid file name");
        let Some(bytes) = self.read_meta(&t_file, report)? else {
            return Ok(None);
        };
        if let Err(error) = set.update_targets(&bytes) {
            report.problems.push(Problem::Metadata {
                file: t_file,
                error,
            });
            return Ok(None);
        }
        Ok(Some(set))
    }

    fn verify_target_files(
        &self,
        targets: &Metadata<Targets>,
        consistent: bool,
        report: &mut VerifyReport,
    ) -> Result<()> {
        let base = self.layout.targets_dir();
        for (name, info) in &targets.signed.targets {
            let names = if consistent {
                info.hash_prefixed_paths(name)
            } else {
                vec![name.to_owned()]
            };
            for n in names {
                let Ok(tp) = crate::target_path::TargetPath::new(&n) else {
                    // A client could not store it either; nothing to read.
                    report.problems.push(Problem::TargetMissing {
                        target: name.to_owned(),
                        file: base.join(&n),
                    });
                    continue;
                };
                let file = tp.to_fs_path(&base);
                report.targets_checked += 1;
                let mut f = match std::fs::File::open(&file) {
                    Ok(f) => f,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        report.problems.push(Problem::TargetMissing {
                            target: name.to_owned(),
                            file,
                        });
                        continue;
                    }
                    Err(e) => return Err(RepoError::io(IoOp::Read, &file, e)),
                };
                match info.verify_reader(&mut f) {
                    Ok(()) => {}
                    Err(tuf_core::metadata::hashes::StreamError::Io(e)) => {
                        return Err(RepoError::io(IoOp::Read, &file, e));
                    }
                    Err(tuf_core::metadata::hashes::StreamError::Mismatch(source)) => {
                        report.problems.push(Problem::TargetMismatch {
                            target: name.to_owned(),
                            file,
                            error: tuf_core::VerifyError::LengthOrHash {
                                what: name.to_owned(),
                                source,
                            },
                        });
                    }
                }
            }
        }
        Ok(())
    }
}
