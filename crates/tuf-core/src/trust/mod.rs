//! [`TrustedMetadataSet`]: the trusted-metadata state machine of the client
//! workflow (spec §5). Every security decision of an update lives here; the
//! updater only moves bytes between the network, the disk and this type.
//!
//! # Contract
//!
//! - **No I/O, no clock.** Inputs are bytes and one reference time, fixed at
//!   construction (§5.1), used for every expiry check of the update.
//! - **Order.** root → timestamp → snapshot → targets → delegated targets.
//!   Calling out of order is [`ApiMisuse`]; no input data can cause it.
//! - **Nothing changes on error.** A method that returns `Err` leaves the set
//!   exactly as it was; expected outcomes (an unchanged timestamp, a cached
//!   file that must be forgotten) are [`Outcome`] values.
//! - **Origin.** Bytes are [`Origin::Remote`] (just downloaded: every check)
//!   or [`Origin::Cached`] (read back from the local store: used as the
//!   baseline for rollback checks even when expired, as python-tuf does).
//!
//! # Rules enforced
//!
//! - Initial root self-signed (§5.2); each new root signed by a threshold of
//!   the old *and* the new root keys, version exactly N+1 (§5.3.4-5); final
//!   root unexpired (§5.3.10).
//! - Fast-forward recovery (§5.3.11): if the timestamp or snapshot keys
//!   changed since the update began, cached timestamp and snapshot are
//!   discarded instead of serving as rollback baselines.
//! - Timestamp: signed, no rollback of its version or of the snapshot version
//!   it names, equal version = unchanged, unexpired (§5.4).
//! - Snapshot: length/hashes from timestamp (remote only), signed, no meta
//!   entry removed or rolled back, version = timestamp's, unexpired (§5.5).
//! - Targets and delegated roles: length/hashes and version from snapshot,
//!   signed by the keys *of the delegator that led to them* (cached per
//!   delegator, so a diamond cannot borrow another path's trust), unexpired (§5.6).
//! - Thresholds count distinct public keys; duplicate signature key ids are a
//!   format error (see [`crate::metadata::RoleKeys::verify`]).

mod search;

use std::collections::BTreeMap;

use crate::error::{ApiMisuse, Error, VerifyError};
use crate::metadata::{
    MetaFile, RawMetadata, RoleKeys, RoleType, Root, SignedMeta, Snapshot, Targets, Timestamp,
};
use crate::verify::{self, Verified};
use crate::{DateTime, FormatError};

pub use search::{SearchStep, TargetSearch};

/// Where bytes handed to the set came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Just downloaded from the repository.
    Remote,
    /// Read back from the local metadata store (verified on an earlier run).
    Cached,
}

/// The result of offering metadata that did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Outcome {
    /// Now trusted. For a cached file, `is_final` says whether it is also
    /// valid as the final version for this update (no download needed).
    Accepted {
        /// Whether it passed every check for final metadata (unexpired,
        /// version as referenced).
        is_final: bool,
    },
    /// A remote timestamp with the version already trusted (§5.4.3.1): not
    /// loaded, not to be persisted; the update continues with what is trusted.
    Unchanged,
    /// A cached file that must not be used (keys rotated, §5.3.11): not
    /// loaded; the caller should delete it.
    Discarded,
}

/// Name of the top-level targets role.
const TARGETS: &str = "targets";

/// The metadata trusted so far in one update.
#[derive(Debug)]
pub struct TrustedMetadataSet {
    reference_time: DateTime,
    root: Verified<Root>,
    initial_root: Verified<Root>,
    timestamp: Option<Verified<Timestamp>>,
    snapshot: Option<Verified<Snapshot>>,
    /// Targets roles keyed by their delegation path from the top-level
    /// targets (`["targets", "A", "C"]`): a role is trusted only through the
    /// exact chain of delegators whose keys verified it.
    targets: BTreeMap<Vec<String>, Verified<Targets>>,
}

fn parse<'a>(bytes: &'a [u8], role: &str) -> Result<RawMetadata<'a>, FormatError> {
    RawMetadata::parse(bytes, role)
}

fn length_or_hash(what: &str, meta: &MetaFile, bytes: &[u8]) -> Result<(), VerifyError> {
    meta.verify_bytes(bytes)
        .map_err(|source| VerifyError::LengthOrHash {
            what: what.to_owned(),
            source,
        })
}

fn unexpired<T: SignedMeta>(role: &str, m: &T, now: DateTime) -> Result<(), VerifyError> {
    if m.is_expired(now) {
        Err(VerifyError::Expired {
            role: role.to_owned(),
            expires: m.expires(),
        })
    } else {
        Ok(())
    }
}

impl TrustedMetadataSet {
    /// Start an update from the locally trusted root (§5.2). The root must be
    /// signed by a threshold of its own keys; its expiry does not matter yet.
    pub fn new(root_bytes: &[u8], reference_time: DateTime) -> Result<Self, Error> {
        let raw = parse(root_bytes, "root")?;
        let root = verify::verify_root_self(&raw)?;
        Ok(TrustedMetadataSet {
            reference_time,
            initial_root: root.clone(),
            root,
            timestamp: None,
            snapshot: None,
            targets: BTreeMap::new(),
        })
    }

    /// The reference time of this update.
    pub fn reference_time(&self) -> DateTime {
        self.reference_time
    }

    /// The trusted root.
    pub fn root(&self) -> &Verified<Root> {
        &self.root
    }

    /// The trusted timestamp, if loaded.
    pub fn timestamp(&self) -> Option<&Verified<Timestamp>> {
        self.timestamp.as_ref()
    }

    /// The trusted snapshot, if loaded.
    pub fn snapshot(&self) -> Option<&Verified<Snapshot>> {
        self.snapshot.as_ref()
    }

    /// The trusted top-level targets, if loaded.
    pub fn targets(&self) -> Option<&Verified<Targets>> {
        self.targets.get([TARGETS.to_owned()].as_slice())
    }

    /// A targets role as trusted through the delegation path `path`
    /// (`["targets"]`, `["targets", "A"]`, ...).
    pub fn targets_at(&self, path: &[String]) -> Option<&Verified<Targets>> {
        self.targets.get(path)
    }

    /// Offer root version N+1 (§5.3.4–5.3.8). Its expiry is not checked here:
    /// intermediate roots may be expired (§5.3.6).
    pub fn update_root(&mut self, bytes: &[u8]) -> Result<&Verified<Root>, Error> {
        if self.timestamp.is_some() {
            return Err(ApiMisuse::RootAfterTimestamp.into());
        }
        let raw = parse(bytes, "root")?;
        let new = verify::verify_root_update(&raw, &self.root)?;
        let expected = self.root.version.get() + 1;
        if new.version.get() != expected {
            return Err(VerifyError::VersionMismatch {
                role: "root".into(),
                expected,
                got: new.version.get(),
            }
            .into());
        }
        self.root = new;
        Ok(&self.root)
    }

    /// §5.3.10: the final root must not be expired. The updater calls this
    /// once the root chain is done, before requesting the timestamp.
    pub fn check_final_root(&self) -> Result<(), Error> {
        Ok(unexpired("root", &*self.root, self.reference_time)?)
    }

    /// §5.3.11: whether the timestamp or snapshot keys changed during this
    /// update's root rotation, so cached timestamp and snapshot must go.
    pub fn fast_forward_recovery_needed(&self) -> bool {
        [RoleType::Timestamp, RoleType::Snapshot]
            .into_iter()
            .any(|r| {
                !self
                    .initial_root
                    .role_keys(r)
                    .same_as(&self.root.role_keys(r))
            })
    }

    /// Offer a timestamp (§5.4).
    pub fn update_timestamp(&mut self, bytes: &[u8], origin: Origin) -> Result<Outcome, Error> {
        if self.snapshot.is_some() {
            return Err(ApiMisuse::TimestampAfterSnapshot.into());
        }
        self.check_final_root()?;
        if origin == Origin::Cached && self.fast_forward_recovery_needed() {
            return Ok(Outcome::Discarded);
        }
        let keys = self.root.role_keys(RoleType::Timestamp);
        let new = verify::parse_and_verify::<Timestamp>(bytes, "timestamp", &[&keys])?;
        let now = self.reference_time;
        if origin == Origin::Cached {
            // A cached timestamp is a rollback baseline even when expired (W-25).
            let is_final = !new.is_expired(now);
            self.timestamp = Some(new);
            return Ok(Outcome::Accepted { is_final });
        }
        if let Some(old) = &self.timestamp {
            if new.version < old.version {
                return Err(VerifyError::Rollback {
                    role: "timestamp".into(),
                    trusted: old.version.get(),
                    offered: new.version.get(),
                }
                .into());
            }
            if new.version == old.version {
                return Ok(Outcome::Unchanged);
            }
            let (old_snap, new_snap) = (old.snapshot_meta().version, new.snapshot_meta().version);
            if new_snap < old_snap {
                return Err(VerifyError::Rollback {
                    role: "snapshot".into(),
                    trusted: old_snap.get(),
                    offered: new_snap.get(),
                }
                .into());
            }
        }
        unexpired("timestamp", &*new, now)?;
        self.timestamp = Some(new);
        Ok(Outcome::Accepted { is_final: true })
    }

    fn final_timestamp(&self) -> Result<&Verified<Timestamp>, Error> {
        let ts = self
            .timestamp
            .as_ref()
            .ok_or(ApiMisuse::SnapshotBeforeTimestamp)?;
        unexpired("timestamp", &**ts, self.reference_time)?;
        Ok(ts)
    }

    /// Offer a snapshot (§5.5). Pass the bytes by value to have them freed
    /// before the model's largest map is built (see
    /// [`verify::parse_and_verify_owned`]); a reference works too.
    pub fn update_snapshot<B: AsRef<[u8]> + Send + Sync>(
        &mut self,
        bytes: B,
        origin: Origin,
    ) -> Result<Outcome, Error> {
        if !self.targets.is_empty() {
            return Err(ApiMisuse::SnapshotAfterTargets.into());
        }
        let meta = self.final_timestamp()?.snapshot_meta().clone();
        if origin == Origin::Cached && self.fast_forward_recovery_needed() {
            return Ok(Outcome::Discarded);
        }
        let keys = self.root.role_keys(RoleType::Snapshot);
        // §5.5.2: before parsing. A cached copy may predate the current timestamp.
        let pinned = |b: &[u8]| match origin {
            Origin::Remote => Ok(length_or_hash("snapshot.json", &meta, b)?),
            Origin::Cached => Ok(()),
        };
        let new =
            verify::parse_and_verify_pinned::<Snapshot, _>(bytes, "snapshot", &[&keys], pinned)?;
        if let Some(old) = &self.snapshot {
            // §5.5.5: no role may vanish or roll back.
            for (name, old_meta) in &old.meta {
                let Some(new_meta) = new.meta.get(name) else {
                    return Err(VerifyError::MissingMeta {
                        referrer: "snapshot".into(),
                        name: name.to_owned(),
                    }
                    .into());
                };
                if new_meta.version < old_meta.version {
                    return Err(VerifyError::Rollback {
                        role: name.to_owned(),
                        trusted: old_meta.version.get(),
                        offered: new_meta.version.get(),
                    }
                    .into());
                }
            }
        }
        let final_check = self.check_final_snapshot(&new, &meta);
        match origin {
            Origin::Cached => {
                self.snapshot = Some(new);
                Ok(Outcome::Accepted {
                    is_final: final_check.is_ok(),
                })
            }
            Origin::Remote => {
                final_check?;
                self.snapshot = Some(new);
                Ok(Outcome::Accepted { is_final: true })
            }
        }
    }

    fn check_final_snapshot(
        &self,
        snapshot: &Snapshot,
        meta: &MetaFile,
    ) -> Result<(), VerifyError> {
        unexpired("snapshot", snapshot, self.reference_time)?;
        if snapshot.version != meta.version {
            return Err(VerifyError::VersionMismatch {
                role: "snapshot".into(),
                expected: meta.version.get(),
                got: snapshot.version.get(),
            });
        }
        Ok(())
    }

    /// Offer the top-level targets (§5.6). As for [`Self::update_snapshot`],
    /// the bytes may be passed by value.
    pub fn update_targets<B: AsRef<[u8]> + Send + Sync>(&mut self, bytes: B) -> Result<(), Error> {
        self.load_targets(bytes, &[], TARGETS)
    }

    /// Offer targets role `role` as delegated by the role trusted at
    /// `parent` (a path from [`TrustedMetadataSet::targets_at`]), whose keys
    /// and threshold for `role` must verify it (§5.6.7.2). Cached and remote
    /// copies get the same checks: snapshot may have moved on since caching.
    pub fn update_delegated_targets<B: AsRef<[u8]> + Send + Sync>(
        &mut self,
        bytes: B,
        parent: &[String],
        role: &str,
    ) -> Result<(), Error> {
        if parent.is_empty() {
            return Err(ApiMisuse::DelegatorNotLoaded.into());
        }
        self.load_targets(bytes, parent, role)
    }

    fn load_targets<B: AsRef<[u8]> + Send + Sync>(
        &mut self,
        bytes: B,
        parent: &[String],
        role: &str,
    ) -> Result<(), Error> {
        let snapshot = self
            .snapshot
            .as_ref()
            .ok_or(ApiMisuse::TargetsBeforeSnapshot)?;
        self.check_final_snapshot(snapshot, self.final_timestamp()?.snapshot_meta())?;
        let keys: RoleKeys<'_> = if parent.is_empty() {
            self.root.role_keys(RoleType::Targets)
        } else {
            let delegator = self
                .targets
                .get(parent)
                .ok_or(ApiMisuse::DelegatorNotLoaded)?;
            delegator
                .delegated_role_keys(role)
                .ok_or_else(|| VerifyError::UnknownRole {
                    role: role.to_owned(),
                })?
        };
        let meta = snapshot
            .role_meta(role)
            .ok_or_else(|| VerifyError::MissingMeta {
                referrer: "snapshot".into(),
                name: format!("{role}.json"),
            })?;
        // §5.6.2: before parsing.
        let pinned = |b: &[u8]| Ok(length_or_hash(&format!("{role}.json"), meta, b)?);
        let new = verify::parse_and_verify_pinned::<Targets, _>(bytes, role, &[&keys], pinned)?;
        if new.version != meta.version {
            return Err(VerifyError::VersionMismatch {
                role: role.to_owned(),
                expected: meta.version.get(),
                got: new.version.get(),
            }
            .into());
        }
        unexpired(role, &*new, self.reference_time)?;
        let mut path = parent.to_vec();
        path.push(role.to_owned());
        self.targets.insert(path, new);
        Ok(())
    }
}
