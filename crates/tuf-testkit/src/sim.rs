//! [`RepositorySimulator`]: an in-memory repository that signs and publishes
//! metadata the way a real repository would, serves it by URL path, records
//! every request, and lets a test play attacker (replace, re-sign, roll back
//! or corrupt any file).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tuf_core::DateTime;
use tuf_core::crypto::{KeySpec, PrivateKey, Signer};
use tuf_core::metadata::{
    DelegatedRole, Delegations, Key, KeyId, MetaFile, Metadata, PathScope, RoleType, Root,
    SignedMeta, Snapshot, TargetFile, Targets, Threshold, Timestamp, Version, encode_role_name,
};

/// Parse a `YYYY-MM-DDTHH:MM:SSZ` time (panics on bad input: tests only).
pub fn ts(s: &str) -> DateTime {
    DateTime::parse(s).expect("valid test time")
}

/// An in-memory TUF repository.
///
/// Metadata is held as editable [`Metadata`] values; `publish_*` signs and
/// stores bytes that [`RepositorySimulator::fetch`] then serves. Tests mutate
/// the fields directly (as an attacker or a repository owner would) and
/// publish again.
pub struct RepositorySimulator {
    /// Editable root.
    pub root: Metadata<Root>,
    /// Editable timestamp.
    pub timestamp: Metadata<Timestamp>,
    /// Editable snapshot.
    pub snapshot: Metadata<Snapshot>,
    /// Editable top-level and delegated targets, by role name.
    pub targets: BTreeMap<String, Metadata<Targets>>,
    /// Signing keys by role name (top-level and delegated).
    pub signers: BTreeMap<String, Vec<Arc<PrivateKey>>>,
    /// Published bytes by URL path below the repository base, e.g.
    /// `metadata/2.root.json`, `metadata/timestamp.json`, `targets/a.txt`.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Target contents by target path.
    pub target_contents: BTreeMap<String, Vec<u8>>,
    /// Whether snapshot and timestamp pin lengths and hashes of what they list.
    pub compute_metafile_hashes_length: bool,
    log: Mutex<Vec<String>>,
}

fn new_key() -> Arc<PrivateKey> {
    Arc::new(PrivateKey::generate(KeySpec::Ed25519).expect("ed25519 key generation"))
}

impl Default for RepositorySimulator {
    fn default() -> Self {
        Self::new()
    }
}

impl RepositorySimulator {
    /// A repository with one ed25519 key per top-level role, consistent
    /// snapshots on, everything expiring in 2100, root v1 published and the
    /// other roles published too.
    pub fn new() -> Self {
        let expires = ts("2100-01-01T00:00:00Z");
        let mut root = Root::new(expires);
        let mut signers = BTreeMap::new();
        for role in RoleType::ALL {
            let key = new_key();
            root.add_key(role, key.public_key());
            signers.insert(role.as_str().to_owned(), vec![key]);
        }
        let mut sim = RepositorySimulator {
            root: Metadata::new(root),
            timestamp: Metadata::new(Timestamp::new(MetaFile::new(Version::ONE), expires)),
            snapshot: Metadata::new(Snapshot::new(expires)),
            targets: BTreeMap::from([("targets".to_owned(), Metadata::new(Targets::new(expires)))]),
            signers,
            files: BTreeMap::new(),
            target_contents: BTreeMap::new(),
            compute_metafile_hashes_length: false,
            log: Mutex::new(Vec::new()),
        };
        sim.publish_root();
        sim.publish_all();
        sim
    }

    /// Sign `md` with every key held for `role`.
    pub fn sign<T: SignedMeta>(&self, role: &str, md: &mut Metadata<T>) {
        md.signatures.clear();
        for key in self.signers.get(role).into_iter().flatten() {
            md.sign(key.as_ref(), true).expect("signing");
        }
    }

    /// Sign the current root and publish it as `N.root.json` (and `root.json`).
    pub fn publish_root(&mut self) {
        let mut md = self.root.clone();
        self.sign("root", &mut md);
        let bytes = md.to_bytes();
        self.files.insert(
            format!("metadata/{}.root.json", md.signed.version),
            bytes.clone(),
        );
        self.files.insert("metadata/root.json".into(), bytes);
    }

    /// Bump root's version and publish it.
    pub fn bump_root(&mut self) {
        let v = self.root.signed.version.next();
        self.root.signed.version = v;
        self.publish_root();
    }

    /// The bytes of root version `v` as published.
    pub fn signed_root(&self, v: u64) -> Vec<u8> {
        self.files[&format!("metadata/{v}.root.json")].clone()
    }

    fn consistent(&self) -> bool {
        self.root.signed.consistent_snapshot()
    }

    fn metadata_name(&self, role: &str, version: Version) -> String {
        let encoded = encode_role_name(role);
        if self.consistent() {
            format!("metadata/{version}.{encoded}.json")
        } else {
            format!("metadata/{encoded}.json")
        }
    }

    fn meta_for(&self, version: Version, bytes: &[u8]) -> MetaFile {
        if self.compute_metafile_hashes_length {
            MetaFile::for_bytes(version, bytes, &["sha256"]).expect("sha256")
        } else {
            MetaFile::new(version)
        }
    }

    /// Sign and publish one targets role, recording it in snapshot meta.
    pub fn publish_targets(&mut self, role: &str) {
        let mut md = self.targets[role].clone();
        self.sign(role, &mut md);
        let bytes = md.to_bytes();
        let name = self.metadata_name(role, md.signed.version);
        let meta = self.meta_for(md.signed.version, &bytes);
        self.snapshot
            .signed
            .meta
            .insert(format!("{role}.json"), meta);
        self.files.insert(name, bytes);
    }

    /// Sign and publish snapshot, recording it in timestamp meta.
    pub fn publish_snapshot(&mut self) {
        let mut md = self.snapshot.clone();
        self.sign("snapshot", &mut md);
        let bytes = md.to_bytes();
        let name = self.metadata_name("snapshot", md.signed.version);
        let meta = self.meta_for(md.signed.version, &bytes);
        self.timestamp.signed.set_snapshot_meta(meta);
        self.files.insert(name, bytes);
    }

    /// Sign and publish timestamp (always unversioned).
    pub fn publish_timestamp(&mut self) {
        let mut md = self.timestamp.clone();
        self.sign("timestamp", &mut md);
        self.files
            .insert("metadata/timestamp.json".into(), md.to_bytes());
    }

    /// Publish every targets role, then snapshot, then timestamp, without
    /// changing versions.
    pub fn publish_all(&mut self) {
        let roles: Vec<String> = self.targets.keys().cloned().collect();
        for role in roles {
            self.publish_targets(&role);
        }
        self.publish_snapshot();
        self.publish_timestamp();
    }

    /// Bump the version of `role` (a targets role, "snapshot" or "timestamp").
    pub fn bump(&mut self, role: &str) {
        match role {
            "timestamp" => self.timestamp.signed.version = self.timestamp.signed.version.next(),
            "snapshot" => self.snapshot.signed.version = self.snapshot.signed.version.next(),
            r => {
                let t = self.targets.get_mut(r).expect("known targets role");
                t.signed.version = t.signed.version.next();
            }
        }
    }

    /// A new release: bump targets roles listed, snapshot and timestamp, and publish.
    pub fn release(&mut self, changed_roles: &[&str]) {
        for r in changed_roles {
            self.bump(r);
        }
        for r in changed_roles {
            self.publish_targets(r);
        }
        self.bump("snapshot");
        self.publish_snapshot();
        self.bump("timestamp");
        self.publish_timestamp();
    }

    /// Add a target file to `role` (not yet published: call `release`).
    pub fn add_target(&mut self, role: &str, path: &str, content: &[u8]) {
        let file = TargetFile::from_bytes(content, &["sha256"]).expect("sha256");
        for prefixed in file.hash_prefixed_paths(path) {
            self.files
                .insert(format!("targets/{prefixed}"), content.to_vec());
        }
        self.files
            .insert(format!("targets/{path}"), content.to_vec());
        self.target_contents
            .insert(path.to_owned(), content.to_vec());
        self.targets
            .get_mut(role)
            .expect("known targets role")
            .signed
            .add_target(path, file);
    }

    /// Delegate from `delegator` to a new role with a fresh key; the new
    /// role starts empty, version 1 (not yet published: call `release`).
    pub fn add_delegation(&mut self, delegator: &str, role: DelegatedRole) -> KeyId {
        let key = new_key();
        let name = role.name.clone();
        let parent = &mut self
            .targets
            .get_mut(delegator)
            .expect("known delegator")
            .signed;
        let delegations = parent.delegations.get_or_insert_with(|| {
            Delegations::with_roles(BTreeMap::new(), Vec::new()).expect("empty")
        });
        delegations.add_role(role).expect("new role name");
        let id = delegations
            .add_key(&name, key.public_key())
            .expect("role exists");
        self.signers.insert(name.clone(), vec![key]);
        self.targets.insert(
            name,
            Metadata::new(Targets::new(ts("2100-01-01T00:00:00Z"))),
        );
        id
    }

    /// Convenience: a path-pattern delegation.
    pub fn delegate_paths(
        &mut self,
        delegator: &str,
        name: &str,
        patterns: &[&str],
        terminating: bool,
    ) -> KeyId {
        let role = DelegatedRole::new(
            name,
            Threshold::ONE,
            terminating,
            PathScope::Paths(patterns.iter().map(|s| s.to_string()).collect()),
        )
        .expect("valid role");
        self.add_delegation(delegator, role)
    }

    /// Replace every key of top-level `role` with a fresh one (root is not
    /// published: call `bump_root`).
    pub fn rotate_keys(&mut self, role: RoleType) {
        let old: Vec<KeyId> = self.root.signed.role(role).keyids.clone();
        for id in &old {
            self.root.signed.revoke_key(role, id);
        }
        let key = new_key();
        self.root.signed.add_key(role, key.public_key());
        self.signers.insert(role.as_str().to_owned(), vec![key]);
    }

    /// Add an extra signing key for top-level `role`.
    pub fn add_key(&mut self, role: RoleType) -> Arc<PrivateKey> {
        let key = new_key();
        self.root.signed.add_key(role, key.public_key());
        self.signers
            .entry(role.as_str().to_owned())
            .or_default()
            .push(key.clone());
        key
    }

    /// The public key of a signer held for `role`.
    pub fn public_keys(&self, role: &str) -> Vec<Key> {
        self.signers
            .get(role)
            .into_iter()
            .flatten()
            .map(|k| k.public_key())
            .collect()
    }

    /// Serve `path` (below the repository base) and log the request.
    pub fn fetch(&self, path: &str) -> Option<Vec<u8>> {
        self.log.lock().expect("log lock").push(path.to_owned());
        self.files.get(path).cloned()
    }

    /// Every path requested so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().expect("log lock").clone()
    }

    /// Forget the request log.
    pub fn clear_requests(&self) {
        self.log.lock().expect("log lock").clear();
    }
}
