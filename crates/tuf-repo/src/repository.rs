//! [`Repository`]: a TUF repository on disk, opened for editing.
//!
//! Contract:
//! - `open` loads root, timestamp, snapshot and top-level targets, each
//!   verified against the keys that delegate to it (a tampered or corrupt
//!   file is a typed error). Delegated roles are loaded lazily, when an edit
//!   or a lookup needs them, and verified the same way, so a change to one
//!   of 16,384 bins reads, signs and writes only that bin.
//! - Edits change memory only; nothing reaches the disk before
//!   [`Repository::publish`], or [`Repository::stage`], which keeps the
//!   unpublished changes under `REPO/.tuf-repo/staged/` for a later session
//!   (see crate::staging). An edit that fails changes nothing.
//! - `open` continues from the staged changes, if any;
//!   [`Repository::open_published`] ignores them.
//! - Time is read once, at `init`/`open` (or set with [`Repository::set_time`]),
//!   and used for every expiry this session writes.
//! - Private keys are never read from or written under the repository
//!   directory: signers come from a [`KeyStore`] or any [`Signer`].

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use tuf_core::crypto::{KeySpec, Signer};
use tuf_core::metadata::{
    Key, KeyId, MetaFile, Metadata, RawMetadata, RoleKeys, Root, SignedMeta, Snapshot, Targets,
    Threshold, Timestamp,
};
use tuf_core::{DateTime, RoleType};
use zeroize::Zeroizing;

use crate::config::RepoConfig;
use crate::error::{RepoError, Result};
use crate::fsio;
use crate::keystore::KeyStore;
use crate::layout::Layout;
use crate::role_state::RoleState;
use crate::target_path::TargetPath;
use crate::targets::AddedFile;

/// Keys to generate for one top-level role at `init`.
#[derive(Debug, Clone)]
pub struct RoleKeySetup {
    /// One key is generated per entry.
    pub keys: Vec<KeySpec>,
    /// Signatures required; at most `keys.len()`.
    pub threshold: Threshold,
}

impl Default for RoleKeySetup {
    fn default() -> Self {
        RoleKeySetup {
            keys: vec![KeySpec::Ed25519],
            threshold: Threshold::ONE,
        }
    }
}

/// How [`Repository::init`] creates a repository.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// Root keys.
    pub root: RoleKeySetup,
    /// Top-level targets keys.
    pub targets: RoleKeySetup,
    /// Snapshot keys.
    pub snapshot: RoleKeySetup,
    /// Timestamp keys.
    pub timestamp: RoleKeySetup,
    /// Consistent snapshots (default on).
    pub consistent_snapshot: bool,
    /// Publishing policy: expiry periods, target digests.
    pub config: RepoConfig,
    /// Encrypt the generated key files with this passphrase.
    pub passphrase: Option<Zeroizing<Vec<u8>>>,
    /// Reference time; `None` reads the clock.
    pub now: Option<DateTime>,
}

impl Default for InitOptions {
    fn default() -> Self {
        InitOptions {
            root: RoleKeySetup::default(),
            targets: RoleKeySetup::default(),
            snapshot: RoleKeySetup::default(),
            timestamp: RoleKeySetup::default(),
            consistent_snapshot: true,
            config: RepoConfig::default(),
            passphrase: None,
            now: None,
        }
    }
}

/// A loaded signer and the public key it signs for.
pub(crate) struct SignerEntry {
    pub signer: Arc<dyn Signer>,
    pub key: Key,
}

/// A repository opened for editing (see the module contract).
pub struct Repository {
    pub(crate) layout: Layout,
    pub(crate) config: RepoConfig,
    pub(crate) now: DateTime,
    pub(crate) root: RoleState<Root>,
    /// The newest published root; the next root must also satisfy its keys (F-74).
    pub(crate) published_root: Option<Metadata<Root>>,
    pub(crate) timestamp: RoleState<Timestamp>,
    pub(crate) snapshot: RoleState<Snapshot>,
    /// `targets` and every delegated role loaded so far.
    pub(crate) targets: BTreeMap<String, RoleState<Targets>>,
    pub(crate) signers: Vec<SignerEntry>,
    /// Targets added from files (this session or staged): linked under
    /// their hash names at publish (F-71).
    pub(crate) file_targets: BTreeMap<TargetPath, AddedFile>,
    /// Whether `REPO/.tuf-repo/staged/` holds staged changes.
    pub(crate) staged: bool,
}

impl std::fmt::Debug for Repository {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repository")
            .field("dir", &self.layout.root())
            .field("root_version", &self.root.version())
            .field("loaded_targets_roles", &self.targets.len())
            .finish_non_exhaustive()
    }
}

pub(crate) const TARGETS: &str = "targets";

fn clock() -> DateTime {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    DateTime::from_unix(secs)
}

/// `now` plus a validity period.
pub(crate) fn expiry(now: DateTime, period: std::time::Duration) -> DateTime {
    now.plus_seconds(i64::try_from(period.as_secs()).unwrap_or(i64::MAX / 2))
}

/// Parse and verify one metadata file against `keys`; check it against the
/// version (and length/hashes, if pinned) its referrer gives.
pub(crate) fn load_verified<T: SignedMeta>(
    path: &Path,
    role: &str,
    bytes: &[u8],
    keys: &RoleKeys<'_>,
    pinned: Option<&MetaFile>,
) -> Result<Metadata<T>> {
    let untrusted = |source: tuf_core::Error| RepoError::Untrusted {
        path: path.to_path_buf(),
        source,
    };
    if let Some(meta) = pinned {
        meta.verify_bytes(bytes).map_err(|source| {
            untrusted(
                tuf_core::VerifyError::LengthOrHash {
                    what: role.to_owned(),
                    source,
                }
                .into(),
            )
        })?;
    }
    let raw = RawMetadata::parse(bytes, role).map_err(|source| RepoError::Metadata {
        path: path.to_path_buf(),
        source,
    })?;
    let verified = tuf_core::verify::verify::<T>(&raw, &[keys]).map_err(|e| match e {
        tuf_core::Error::Format(source) => RepoError::Metadata {
            path: path.to_path_buf(),
            source,
        },
        other => untrusted(other),
    })?;
    let md = verified.into_inner();
    if let Some(meta) = pinned
        && md.signed.version() != meta.version
    {
        return Err(untrusted(
            tuf_core::VerifyError::VersionMismatch {
                role: role.to_owned(),
                expected: meta.version.get(),
                got: md.signed.version().get(),
            }
            .into(),
        ));
    }
    Ok(md)
}

impl Repository {
    /// Create a repository in `dir` (which must not hold one), generating
    /// keys into `keys_dir` (which must lie outside `dir`), and publish
    /// version 1 of the four top-level roles.
    pub fn init(dir: &Path, keys_dir: &Path, options: InitOptions) -> Result<Repository> {
        let layout = Layout::new(dir);
        if layout.plain("root").exists() || layout.config_file().exists() {
            return Err(RepoError::AlreadyInitialized {
                path: dir.to_path_buf(),
            });
        }
        options.config.validate()?;
        for (role, setup) in [
            (RoleType::Root, &options.root),
            (RoleType::Targets, &options.targets),
            (RoleType::Snapshot, &options.snapshot),
            (RoleType::Timestamp, &options.timestamp),
        ] {
            if setup.keys.len() < setup.threshold.get() as usize {
                return Err(RepoError::TooFewKeys {
                    role: role.to_string(),
                    threshold: setup.threshold.get(),
                    keys: setup.keys.len(),
                });
            }
        }
        let now = options.now.unwrap_or_else(clock);
        let mut store = KeyStore::open(keys_dir)?;
        let exp = |role: &str| expiry(now, options.config.expiry.period(role));
        let mut root = Root::new(exp("root"));
        root.consistent_snapshot = Some(options.consistent_snapshot);
        let pass = options.passphrase.as_ref().map(|p| p.as_slice());
        let mut signers = Vec::new();
        for (role, setup) in [
            (RoleType::Root, &options.root),
            (RoleType::Targets, &options.targets),
            (RoleType::Snapshot, &options.snapshot),
            (RoleType::Timestamp, &options.timestamp),
        ] {
            for spec in &setup.keys {
                let (id, key, private) = store.generate_signer(role.as_str(), *spec, pass)?;
                root.add_key_with_id(role, id, key);
                signers.push(private);
            }
            root.set_threshold(role, setup.threshold);
        }
        let targets = Targets::new(exp("targets"));
        let snapshot = Snapshot::new(exp("snapshot"));
        let timestamp = Timestamp::new(MetaFile::new(snapshot.version), exp("timestamp"));
        let mut repo = Repository {
            layout,
            config: options.config,
            now,
            root: RoleState::new(root),
            published_root: None,
            timestamp: RoleState::new(timestamp),
            snapshot: RoleState::new(snapshot),
            targets: BTreeMap::from([(TARGETS.to_owned(), RoleState::new(targets))]),
            signers: Vec::new(),
            file_targets: BTreeMap::new(),
            staged: false,
        };
        for s in signers {
            repo.add_signer(Arc::new(s));
        }
        let created_meta = !repo.layout.metadata_dir().exists();
        let result = (|| {
            fsio::create_dir(&repo.layout.metadata_dir())?;
            fsio::create_dir(&repo.layout.targets_dir())?;
            fsio::create_dir(&repo.layout.state_dir())?;
            repo.publish()?;
            repo.config.save(&repo.layout.config_file())
        })();
        if let Err(e) = result {
            if created_meta {
                let _ = std::fs::remove_dir_all(repo.layout.metadata_dir());
            }
            let _ = std::fs::remove_dir_all(repo.layout.state_dir());
            return Err(e);
        }
        Ok(repo)
    }

    /// Open the repository in `dir`, reading the clock once, and continue
    /// from its staged changes if it has any ([`RepoError::Staged`] if they
    /// cannot be loaded).
    pub fn open(dir: &Path) -> Result<Repository> {
        let mut repo = Repository::open_published(dir)?;
        repo.load_staged()?;
        Ok(repo)
    }

    /// Open the published state of the repository in `dir`, ignoring any
    /// staged changes (to inspect, or to
    /// [`discard_staged`](Self::discard_staged) a staging that no longer
    /// loads). Publishing from here discards the staging.
    pub fn open_published(dir: &Path) -> Result<Repository> {
        let layout = Layout::new(dir);
        let config = RepoConfig::load(&layout.config_file())?;
        let root_path = layout.plain("root");
        let root_bytes = fsio::read(&root_path)?;
        let raw =
            RawMetadata::parse(&root_bytes, "root").map_err(|source| RepoError::Metadata {
                path: root_path.clone(),
                source,
            })?;
        let root = tuf_core::verify::verify_root_self(&raw)
            .map_err(|e| match e {
                tuf_core::Error::Format(source) => RepoError::Metadata {
                    path: root_path.clone(),
                    source,
                },
                other => RepoError::Untrusted {
                    path: root_path.clone(),
                    source: other,
                },
            })?
            .into_inner();
        let consistent = root.signed.consistent_snapshot();

        let ts_path = layout.plain("timestamp");
        let ts_bytes = fsio::read(&ts_path)?;
        let timestamp: Metadata<Timestamp> = load_verified(
            &ts_path,
            "timestamp",
            &ts_bytes,
            &root.signed.role_keys(RoleType::Timestamp),
            None,
        )?;

        let snap_meta = timestamp.signed.snapshot_meta().clone();
        let snap_path = layout.role_file("snapshot", snap_meta.version, consistent)?;
        let snap_bytes = fsio::read(&snap_path)?;
        let snapshot: Metadata<Snapshot> = load_verified(
            &snap_path,
            "snapshot",
            &snap_bytes,
            &root.signed.role_keys(RoleType::Snapshot),
            Some(&snap_meta),
        )?;

        let t_meta =
            snapshot
                .signed
                .role_meta(TARGETS)
                .cloned()
                .ok_or_else(|| RepoError::Untrusted {
                    path: snap_path.clone(),
                    source: tuf_core::VerifyError::MissingMeta {
                        referrer: "snapshot".into(),
                        name: "targets.json".into(),
                    }
                    .into(),
                })?;
        let t_path = layout.role_file(TARGETS, t_meta.version, consistent)?;
        let t_bytes = fsio::read(&t_path)?;
        let targets: Metadata<Targets> = load_verified(
            &t_path,
            TARGETS,
            &t_bytes,
            &root.signed.role_keys(RoleType::Targets),
            Some(&t_meta),
        )?;

        Ok(Repository {
            config,
            now: clock(),
            published_root: Some(root.clone()),
            root: RoleState::published(root),
            timestamp: RoleState::published(timestamp),
            snapshot: RoleState::published(snapshot),
            targets: BTreeMap::from([(TARGETS.to_owned(), RoleState::published(targets))]),
            signers: Vec::new(),
            file_targets: BTreeMap::new(),
            staged: layout.staged_manifest().exists(),
            layout,
        })
    }

    /// The repository directory.
    pub fn dir(&self) -> &Path {
        self.layout.root()
    }

    /// The published metadata directory (`REPO/metadata`).
    pub fn metadata_dir(&self) -> std::path::PathBuf {
        self.layout.metadata_dir()
    }

    /// The target files directory (`REPO/targets`).
    pub fn targets_dir(&self) -> std::path::PathBuf {
        self.layout.targets_dir()
    }

    /// The reference time used for expiries.
    pub fn now(&self) -> DateTime {
        self.now
    }

    /// Use `now` as the reference time from here on.
    pub fn set_time(&mut self, now: DateTime) {
        self.now = now;
    }

    /// The publishing policy.
    pub fn config(&self) -> &RepoConfig {
        &self.config
    }

    /// Change the publishing policy; saved at once (it is tooling state,
    /// not published metadata).
    pub fn set_config(&mut self, config: RepoConfig) -> Result<()> {
        config.validate()?;
        config.save(&self.layout.config_file())?;
        self.config = config;
        Ok(())
    }

    /// Whether the repository uses consistent snapshots.
    pub fn consistent_snapshot(&self) -> bool {
        self.root.md.signed.consistent_snapshot()
    }

    /// The current root (possibly an unpublished new version).
    pub fn root(&self) -> &Metadata<Root> {
        &self.root.md
    }

    /// The current timestamp.
    pub fn timestamp(&self) -> &Metadata<Timestamp> {
        &self.timestamp.md
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> &Metadata<Snapshot> {
        &self.snapshot.md
    }

    /// A targets role (`targets` or a delegated name), loading it if needed.
    pub fn targets_role(&mut self, role: &str) -> Result<&Metadata<Targets>> {
        self.ensure_loaded(role)?;
        Ok(&self.targets[role].md)
    }

    /// Add a signer; it signs every role whose authorized keys include its
    /// public key (matched by key type, scheme and value, so loaded key ids
    /// that are not SHA-256 of the key still match).
    pub fn add_signer(&mut self, signer: Arc<dyn Signer>) {
        let key = signer.public_key();
        if !self.signers.iter().any(|s| same_key(&s.key, &key)) {
            self.signers.push(SignerEntry { signer, key });
        }
    }

    /// Load every key the store has for `role` as signers; returns how many.
    pub fn load_signers(
        &mut self,
        store: &KeyStore,
        role: &str,
        passphrase: Option<&[u8]>,
    ) -> Result<usize> {
        let keys = store.load(role, passphrase)?;
        let n = keys.len();
        for k in keys {
            self.add_signer(Arc::new(k));
        }
        Ok(n)
    }

    pub(crate) fn signer_for(&self, key: &Key) -> Option<&Arc<dyn Signer>> {
        self.signers
            .iter()
            .find(|s| same_key(&s.key, key))
            .map(|s| &s.signer)
    }

    pub(crate) fn expires_for(&self, role: &str) -> DateTime {
        expiry(self.now, self.config.expiry.period(role))
    }

    /// Start (or continue) a new version of targets role `role`.
    pub(crate) fn touch_targets(&mut self, role: &str) -> Result<&mut RoleState<Targets>> {
        self.ensure_loaded(role)?;
        let expires = self.expires_for(role);
        let state = self.targets.get_mut(role).expect("loaded above");
        state.touch(expires);
        Ok(state)
    }

    /// Name of the role that delegates to `role`, loading roles as needed.
    pub(crate) fn delegator_of(&mut self, role: &str) -> Result<String> {
        if let Some(name) = self.loaded_delegator_of(role) {
            return Ok(name);
        }
        // Breadth-first over the delegation graph, loading as we go.
        let mut queue = vec![TARGETS.to_owned()];
        let mut seen = std::collections::HashSet::new();
        while let Some(name) = queue.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            match self.ensure_loaded(&name) {
                Ok(()) => {}
                // Delegated but never published: nothing below it to search.
                Err(RepoError::UnknownRole { .. }) => continue,
                Err(e) => return Err(e),
            }
            // Named roles and succinct bins alike.
            if self.targets[&name]
                .md
                .signed
                .delegations
                .as_ref()
                .is_some_and(|d| d.role_keys(role).is_some())
            {
                return Ok(name);
            }
            // Succinct bins never delegate further in what we write, but a
            // loaded repository may: only named roles are walked here.
            queue.extend(self.children_of(&name));
        }
        Err(RepoError::UnknownRole {
            role: role.to_owned(),
        })
    }

    fn loaded_delegator_of(&self, role: &str) -> Option<String> {
        self.targets.iter().find_map(|(name, state)| {
            let d = state.md.signed.delegations.as_ref()?;
            d.role_keys(role).map(|_| name.clone())
        })
    }

    /// [`signing_groups`](Self::signing_groups) for many targets roles at
    /// once: one pass over the loaded delegators instead of one per role,
    /// and one group per succinct delegation shared by all its bins.
    pub(crate) fn signing_groups_many(
        &mut self,
        roles: &[String],
    ) -> Result<Vec<Vec<SigningGroup>>> {
        let mut named: std::collections::HashMap<&str, SigningGroup> = Default::default();
        let mut succinct: Vec<(&tuf_core::metadata::SuccinctRoles, SigningGroup)> = Vec::new();
        for state in self.targets.values() {
            let Some(d) = &state.md.signed.delegations else {
                continue;
            };
            if let Some(s) = d.succinct_roles() {
                let bin0 = s.bin_name(0);
                let keys = d.role_keys(&bin0).expect("bin 0 exists");
                succinct.push((s, SigningGroup::from_keys(&keys, false)));
            }
            for r in d.roles().unwrap_or(&[]) {
                let keys = d.role_keys(&r.name).expect("listed role");
                named
                    .entry(&r.name)
                    .or_insert_with(|| SigningGroup::from_keys(&keys, false));
            }
        }
        let mut out = Vec::with_capacity(roles.len());
        let mut fallback = Vec::new();
        for (i, role) in roles.iter().enumerate() {
            let found = named.get(role.as_str()).cloned().or_else(|| {
                succinct
                    .iter()
                    .find(|(s, _)| s.is_bin(role))
                    .map(|(_, g)| g.clone())
            });
            match found {
                Some(g) if role != TARGETS => out.push(vec![g]),
                _ => {
                    out.push(Vec::new());
                    fallback.push(i);
                }
            }
        }
        for i in fallback {
            out[i] = self.signing_groups(&roles[i])?;
        }
        Ok(out)
    }

    /// Named roles `role` delegates to (not succinct bins).
    pub(crate) fn children_of(&self, role: &str) -> Vec<String> {
        self.targets
            .get(role)
            .and_then(|s| s.md.signed.delegations.as_ref())
            .and_then(|d| d.roles())
            .map(|r| r.iter().map(|r| r.name.clone()).collect())
            .unwrap_or_default()
    }

    /// Make sure targets role `role` is in memory, loading and verifying it.
    pub(crate) fn ensure_loaded(&mut self, role: &str) -> Result<()> {
        if self.targets.contains_key(role) {
            return Ok(());
        }
        let delegator = self.delegator_of(role)?;
        let meta = self.snapshot.md.signed.role_meta(role).cloned();
        let Some(meta) = meta else {
            // Delegated but never published: an empty role, as a client
            // would find it missing.
            return Err(RepoError::UnknownRole {
                role: role.to_owned(),
            });
        };
        let path = self
            .layout
            .role_file(role, meta.version, self.consistent_snapshot())?;
        let bytes = fsio::read(&path)?;
        let keys = self.targets[&delegator]
            .md
            .signed
            .delegated_role_keys(role)
            .expect("delegator found above");
        let md: Metadata<Targets> = load_verified(&path, role, &bytes, &keys, Some(&meta))?;
        self.targets
            .insert(role.to_owned(), RoleState::published(md));
        Ok(())
    }

    /// Key ids and keys authorized for `role`, with each threshold its
    /// signatures must meet: one group for most roles; for a new root
    /// version, its own keys and the previous root's (F-74).
    pub(crate) fn signing_groups(&mut self, role: &str) -> Result<Vec<SigningGroup>> {
        let top = RoleType::from_name(role);
        if let Some(r @ (RoleType::Root | RoleType::Timestamp | RoleType::Snapshot)) = top {
            let mut groups = vec![SigningGroup::from_keys(
                &self.root.md.signed.role_keys(r),
                false,
            )];
            if r == RoleType::Root
                && self.root.is_pending()
                && let Some(prev) = &self.published_root
            {
                groups.push(SigningGroup::from_keys(
                    &prev.signed.role_keys(RoleType::Root),
                    true,
                ));
            }
            return Ok(groups);
        }
        if role == TARGETS {
            return Ok(vec![SigningGroup::from_keys(
                &self.root.md.signed.role_keys(RoleType::Targets),
                false,
            )]);
        }
        let delegator = self.delegator_of(role)?;
        let keys = self.targets[&delegator]
            .md
            .signed
            .delegated_role_keys(role)
            .expect("delegator found above");
        Ok(vec![SigningGroup::from_keys(&keys, false)])
    }
}

/// Keys that may sign a role and how many of them must.
#[derive(Debug, Clone)]
pub(crate) struct SigningGroup {
    pub keys: Vec<(KeyId, Key)>,
    pub threshold: Threshold,
    /// The previous root's keys, for a root rotation (F-74).
    pub previous_root: bool,
}

impl SigningGroup {
    fn from_keys(keys: &RoleKeys<'_>, previous_root: bool) -> Self {
        SigningGroup {
            keys: keys
                .keys()
                .iter()
                .map(|(id, k)| ((*id).clone(), (*k).clone()))
                .collect(),
            threshold: keys.threshold(),
            previous_root,
        }
    }
}

/// Same public key, whatever unknown fields either carries.
pub(crate) fn same_key(a: &Key, b: &Key) -> bool {
    a.keytype == b.keytype && a.scheme == b.scheme && a.keyval.public == b.keyval.public
}
