//! [`Updater`]: the client workflow of spec §5, moving bytes between a
//! [`Transport`], a [`MetadataStore`] and [`TrustedMetadataSet`], which makes
//! every security decision.
//!
//! # Contract
//!
//! - The clock is read once per refresh (§5.1), unless a reference time is
//!   fixed with [`Updater::set_reference_time`].
//! - Metadata is persisted only after the state machine trusts it, as the
//!   exact bytes received, under unversioned names (`root.json`,
//!   `timestamp.json`, `<percent-encoded role>.json`).
//! - Cached metadata is offered first (as python-tuf does) so unchanged
//!   files are not downloaded again; cached files the state machine refuses
//!   are ignored, or deleted when it says they must go (§5.3.11).
//! - A refresh holds the store's exclusive lock, so processes sharing one
//!   metadata directory update it one at a time.
//! - Each new root is written before the next is requested (§5.3.8), and
//!   the store synced once the chain ends, well or not (ADR 0008). Other
//!   files are written by a second thread while the next one is fetched
//!   ([`WriteBehind`]); a downloaded snapshot or targets file is even
//!   written to a temporary file while it is being verified, and renamed
//!   into place only once trusted. Every write is finished before the lock
//!   is released and before `refresh` or a target lookup returns.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use tuf_core::metadata::{TargetFile, encode_role_name};
use tuf_core::trust::{Origin, Outcome, SearchStep, TargetSearch};
use tuf_core::{DateTime, TrustedMetadataSet, VerifyError};

use crate::config::UpdaterConfig;
use crate::error::Error;
use crate::store::MetadataStore;
use crate::targets::TargetDirectory;
use crate::transport::{Transport, fetch_bytes, fetch_exact};
use crate::write_behind::WriteBehind;

/// A target the trusted metadata lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetInfo {
    /// The target path, as metadata names it.
    pub path: String,
    /// Trusted length and hashes.
    pub file: TargetFile,
    /// Delegation path of the role that listed it (`["targets", ...]`).
    pub role_path: Vec<String>,
}

/// Updates trusted metadata from one repository and looks up targets.
pub struct Updater {
    config: UpdaterConfig,
    metadata_base: String,
    transport: Box<dyn Transport>,
    store: Box<dyn MetadataStore>,
    reference_time: Option<DateTime>,
    trusted: Option<TrustedMetadataSet>,
}

/// Downloaded bytes also held by the write-behind thread, handed to the
/// trusted set by value: whichever of the two is done with them last frees
/// them, so a large role's text is gone before its model's largest map is
/// built (`tuf_core::verify::parse_and_verify_owned`).
struct Shared(Arc<Vec<u8>>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Updater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Updater")
            .field("metadata_base", &self.metadata_base)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The WHATWG URL "path percent-encode set".
const URL_PATH: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

fn with_slash(url: &str) -> String {
    if url.ends_with('/') {
        url.to_owned()
    } else {
        format!("{url}/")
    }
}

fn now() -> DateTime {
    let secs = match SystemTime::now().duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    };
    DateTime::from_unix(secs)
}

impl Updater {
    /// An updater for the repository whose metadata lives at `metadata_url`,
    /// keeping trusted metadata in `store` (which must hold a trusted
    /// `root.json`, see [`MetadataStore::put`]).
    pub fn new(
        metadata_url: &str,
        store: Box<dyn MetadataStore>,
        transport: Box<dyn Transport>,
        config: UpdaterConfig,
    ) -> Self {
        Updater {
            config,
            metadata_base: with_slash(metadata_url),
            transport,
            store,
            reference_time: None,
            trusted: None,
        }
    }

    /// Use `time` instead of the clock for expiry checks (tests, or auditing
    /// a repository as of a given moment).
    pub fn set_reference_time(&mut self, time: DateTime) {
        self.reference_time = Some(time);
    }

    /// The metadata trusted by the last refresh, if any.
    pub fn trusted(&self) -> Option<&TrustedMetadataSet> {
        self.trusted.as_ref()
    }

    /// The store.
    pub fn store(&self) -> &dyn MetadataStore {
        self.store.as_ref()
    }

    /// The transport.
    pub fn transport(&self) -> &dyn Transport {
        self.transport.as_ref()
    }

    /// Run the top-level workflow: root chain, timestamp, snapshot, targets (§5.2–5.6.6).
    pub fn refresh(&mut self) -> Result<(), Error> {
        self.trusted = None;
        let _lock = self.store.lock()?;
        let root = self.store.get("root.json")?.ok_or(Error::NoTrustedRoot)?;
        let time = self.reference_time.unwrap_or_else(now);
        let mut trusted = TrustedMetadataSet::new(&root, time)?;
        self.update_root(&mut trusted)?;
        WriteBehind::run(self.store.as_ref(), |w| {
            self.update_timestamp(&mut trusted, w)?;
            self.update_snapshot(&mut trusted, w)?;
            self.load_targets(&mut trusted, w, &[], "targets")
        })?;
        self.trusted = Some(trusted);
        Ok(())
    }

    /// Download `name`: exactly `length` bytes when trusted metadata gives
    /// it, else at most `limit`.
    fn fetch_required(
        &self,
        name: &str,
        length: Option<u64>,
        limit: u64,
    ) -> Result<Vec<u8>, Error> {
        let url = format!("{}{name}", self.metadata_base);
        let transport = self.transport.as_ref();
        match length {
            Some(length) => fetch_exact(transport, &url, length)?,
            None => fetch_bytes(transport, &url, limit)?,
        }
        .ok_or(Error::MissingRemote { url })
    }

    fn update_root(&self, trusted: &mut TrustedMetadataSet) -> Result<(), Error> {
        let mut wrote = false;
        let walked = self.walk_root_chain(trusted, &mut wrote);
        // Each root was in place before the next was fetched; one directory
        // flush makes the last of them survive a crash (ADR 0008), also
        // when a later root failed. No new root: nothing to flush.
        let synced = if wrote { self.store.sync() } else { Ok(()) };
        walked?;
        synced?;
        trusted.check_final_root()?;
        Ok(())
    }

    /// Sets `wrote` once it begins to put a root in place, also when that
    /// or a later step fails.
    fn walk_root_chain(
        &self,
        trusted: &mut TrustedMetadataSet,
        wrote: &mut bool,
    ) -> Result<(), Error> {
        for _ in 0..self.config.max_root_rotations {
            let next = trusted.root().version.get() + 1;
            // §5.3.3: always versioned, whatever consistent_snapshot says; 404/403 ends the chain.
            let url = format!("{}{next}.root.json", self.metadata_base);
            let Some(bytes) =
                fetch_bytes(self.transport.as_ref(), &url, self.config.root_max_length)?
            else {
                break;
            };
            trusted.update_root(&bytes)?;
            if trusted.fast_forward_recovery_needed() {
                // §5.3.11, done before the new root is persisted: a later
                // refresh starts from that root and could no longer tell
                // that the cached timestamp and snapshot predate a rotation.
                self.store.remove("timestamp.json")?;
                self.store.remove("snapshot.json")?;
            }
            // §5.3.8: persist each root before fetching the next.
            *wrote = true;
            self.store.put_in_series("root.json", &bytes)?;
        }
        Ok(())
    }

    fn update_timestamp(
        &self,
        trusted: &mut TrustedMetadataSet,
        w: &WriteBehind<'_>,
    ) -> Result<(), Error> {
        if let Some(bytes) = w.get("timestamp.json")? {
            match trusted.update_timestamp(&bytes, Origin::Cached) {
                Ok(Outcome::Discarded) => w.remove("timestamp.json")?,
                Ok(_) => {}
                Err(e) => tracing::debug!("cached timestamp ignored: {e}"),
            }
        }
        let bytes =
            self.fetch_required("timestamp.json", None, self.config.timestamp_max_length)?;
        if let Outcome::Accepted { .. } = trusted.update_timestamp(&bytes, Origin::Remote)? {
            w.put("timestamp.json", bytes)?;
        }
        Ok(())
    }

    fn update_snapshot(
        &self,
        trusted: &mut TrustedMetadataSet,
        w: &WriteBehind<'_>,
    ) -> Result<(), Error> {
        if let Some(bytes) = w.get("snapshot.json")? {
            match trusted.update_snapshot(bytes, Origin::Cached) {
                Ok(Outcome::Accepted { is_final: true }) => return Ok(()),
                Ok(Outcome::Discarded) => w.remove("snapshot.json")?,
                Ok(_) => {}
                Err(e) => tracing::debug!("cached snapshot ignored: {e}"),
            }
        }
        let meta = trusted
            .timestamp()
            .expect("timestamp trusted before snapshot")
            .snapshot_meta()
            .clone();
        let name = self.versioned(trusted, "snapshot", meta.version.get());
        let bytes = self.fetch_required(&name, meta.length(), self.config.snapshot_max_length)?;
        // Written (not yet under its name) while it is verified; committed
        // only once trusted (§5.5.7).
        let bytes = Arc::new(bytes);
        let staged = w.stage("snapshot.json", Arc::clone(&bytes))?;
        let _ = trusted.update_snapshot(Shared(bytes), Origin::Remote)?;
        Ok(staged.commit()?)
    }

    /// `<V>.<encoded role>.json` with consistent snapshots, else `<encoded role>.json` (§5.5.1, §5.6.1).
    fn versioned(&self, trusted: &TrustedMetadataSet, role: &str, version: u64) -> String {
        let encoded = encode_role_name(role);
        if trusted.root().consistent_snapshot() {
            format!("{version}.{encoded}.json")
        } else {
            format!("{encoded}.json")
        }
    }

    /// Load one targets role: the cached copy if it still verifies, else a download.
    fn load_targets(
        &self,
        trusted: &mut TrustedMetadataSet,
        w: &WriteBehind<'_>,
        parent: &[String],
        role: &str,
    ) -> Result<(), Error> {
        let offer = |trusted: &mut TrustedMetadataSet, bytes: Shared| {
            if parent.is_empty() {
                trusted.update_targets(bytes)
            } else {
                trusted.update_delegated_targets(bytes, parent, role)
            }
        };
        let file = format!("{}.json", encode_role_name(role));
        if let Some(bytes) = w.get(&file)? {
            match offer(trusted, Shared(Arc::new(bytes))) {
                Ok(()) => return Ok(()),
                Err(e) => tracing::debug!("cached {file} ignored: {e}"),
            }
        }
        let snapshot = trusted.snapshot().expect("snapshot trusted before targets");
        // §5.6.7.2: a delegated role absent from snapshot is an error, and is never requested.
        let meta = snapshot
            .role_meta(role)
            .ok_or_else(|| {
                tuf_core::Error::from(VerifyError::MissingMeta {
                    referrer: "snapshot".into(),
                    name: file.clone(),
                })
            })?
            .clone();
        let name = self.versioned(trusted, role, meta.version.get());
        let bytes = self.fetch_required(&name, meta.length(), self.config.targets_max_length)?;
        // As for snapshot: written while verified, committed once trusted (§5.6.6).
        let bytes = Arc::new(bytes);
        let staged = w.stage(&file, Arc::clone(&bytes))?;
        offer(trusted, Shared(bytes))?;
        Ok(staged.commit()?)
    }

    /// Find the trusted info for `target_path` by walking delegations
    /// (§5.6.7), refreshing first if this updater has not refreshed yet.
    /// `Ok(None)`: no trusted role lists it.
    pub fn get_targetinfo(&mut self, target_path: &str) -> Result<Option<TargetInfo>, Error> {
        if self.trusted.is_none() {
            self.refresh()?;
        }
        let mut trusted = self.trusted.take().expect("refreshed");
        let result = self.search(&mut trusted, target_path);
        self.trusted = Some(trusted);
        result
    }

    fn search(
        &self,
        trusted: &mut TrustedMetadataSet,
        target_path: &str,
    ) -> Result<Option<TargetInfo>, Error> {
        let _lock = self.store.lock()?;
        let mut search = TargetSearch::new(target_path, self.config.max_delegations);
        WriteBehind::run(self.store.as_ref(), |w| {
            loop {
                match search.next(trusted) {
                    SearchStep::NeedRole { parent, role } => {
                        self.load_targets(trusted, w, &parent, &role)?
                    }
                    SearchStep::Found { file, role_path } => {
                        return Ok(Some(TargetInfo {
                            path: target_path.to_owned(),
                            file,
                            role_path,
                        }));
                    }
                    SearchStep::NotFound => return Ok(None),
                }
            }
        })
    }

    /// The URL of a target below `targets_base` (§5.7.3): `dir/HASH.name`
    /// when consistent snapshots and hash prefixes are on.
    pub fn target_url(&self, targets_base: &str, info: &TargetInfo) -> String {
        let consistent = self
            .trusted
            .as_ref()
            .is_some_and(|t| t.root().consistent_snapshot());
        let path = if consistent && self.config.prefix_targets_with_hash {
            info.file
                .hash_prefixed_paths(&info.path)
                .into_iter()
                .next()
                .expect("hashes are never empty")
        } else {
            info.path.clone()
        };
        // A target path is a path-relative URL (F-52): encode what would
        // otherwise end the path (`?`, `#`) or make the URL invalid (space,
        // controls, non-ASCII), as a WHATWG URL parser does; `/` and `%`
        // keep their URL meaning.
        let path = percent_encoding::utf8_percent_encode(&path, URL_PATH);
        format!("{}{path}", with_slash(targets_base))
    }

    /// Provide `info` in `dir`: reuse a cached copy whose length and every
    /// hash still match (W-57), else download from `targets_base` (§5.7.3),
    /// verify, and move into place. Returns the local path.
    pub fn download_target(
        &self,
        info: &TargetInfo,
        dir: &TargetDirectory,
        targets_base: &str,
    ) -> Result<PathBuf, Error> {
        if let Some(path) = dir.cached(&info.path, &info.file)? {
            return Ok(path);
        }
        let url = self.target_url(targets_base, info);
        Ok(dir.download_verified(self.transport.as_ref(), &url, &info.path, &info.file)?)
    }

    /// Whether the final trusted root uses consistent snapshots.
    pub fn consistent_snapshot(&self) -> Option<bool> {
        self.trusted
            .as_ref()
            .map(|t| t.root().consistent_snapshot())
    }
}
