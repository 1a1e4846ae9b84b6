//! Signing: with loaded [`Signer`]s (several roles at once, on every core)
//! or detached (export the bytes to sign, import a signature made elsewhere).
//!
//! Contract:
//! - Signatures always cover the canonical JSON of `signed` (spec §4.2.1).
//! - An imported signature is verified before it is kept; a signature by a
//!   key the role does not authorize is refused.
//! - A role is ready when each of its signing groups meets its threshold
//!   with distinct authorized keys: one group, or two for a new root
//!   version (its own keys and the previous root's, F-74).
//! - Preparing a role never changes the repository; the publish step
//!   commits signatures only once everything is written.

use serde_json::{Map, Value};
use tuf_core::crypto::PublicKey;
use tuf_core::metadata::{KeyId, Metadata, Signature, SignedMeta, Version};
use tuf_core::{RoleType, canonical};

use crate::error::{RepoError, Result};
use crate::repository::{Repository, SignerEntry, SigningGroup, TARGETS, same_key};

/// A role signed and serialized, ready to be written.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub role: String,
    pub version: Version,
    pub signatures: Vec<Signature>,
    /// The file's bytes, as python-tuf would write them.
    pub bytes: Vec<u8>,
}

/// Canonical JSON of `md.signed`: what signatures cover.
fn signed_bytes<T: SignedMeta>(role: &str, md: &Metadata<T>) -> Result<Vec<u8>> {
    md.signed_bytes().map_err(|source| RepoError::Canonical {
        role: role.to_owned(),
        source,
    })
}

/// The file's bytes: `{"signatures": ..., "signed": ...}` (with any
/// unknown envelope fields) as python-tuf writes it, from the canonical
/// bytes `msg` of `md.signed`.
fn file_bytes<T: SignedMeta>(md: &Metadata<T>, msg: &[u8], signatures: &[Signature]) -> Vec<u8> {
    if md.unrecognized.is_empty()
        && let Some(sigs) = canonical::serialize_direct(signatures)
    {
        let mut envelope = Vec::with_capacity(msg.len() + sigs.len() + 32);
        envelope.extend_from_slice(b"{\"signatures\":");
        envelope.extend_from_slice(&sigs);
        envelope.extend_from_slice(b",\"signed\":");
        envelope.extend_from_slice(msg);
        envelope.push(b'}');
        if let Some(pretty) = tuf_core::json::pretty_from_canonical(&envelope) {
            return pretty;
        }
    }
    let mut envelope = md.unrecognized.clone();
    envelope.insert(
        "signatures".into(),
        serde_json::to_value(signatures).expect("signatures serialize"),
    );
    envelope.insert(
        "signed".into(),
        serde_json::to_value(&md.signed).expect("metadata always serializes"),
    );
    tuf_core::json::to_pretty(&Value::Object(envelope))
}

/// Sign `md` with every loaded signer it lacks a signature from, check the
/// thresholds and serialize.
pub(crate) fn prepare<T: SignedMeta>(
    role: &str,
    md: &Metadata<T>,
    groups: &[SigningGroup],
    signers: &[SignerEntry],
) -> Result<Prepared> {
    let msg = signed_bytes(role, md)?;
    let mut signatures = md.signatures.clone();
    for group in groups {
        for (id, key) in &group.keys {
            if signatures.iter().any(|s| &s.keyid == id) {
                continue;
            }
            let Some(entry) = signers.iter().find(|s| same_key(&s.key, key)) else {
                continue;
            };
            let sig = entry.signer.sign(&msg)?;
            signatures.push(Signature {
                keyid: id.clone(),
                sig: hex::encode(sig),
                unrecognized: Map::new(),
            });
        }
    }
    check_thresholds(role, groups, &signatures)?;
    Ok(Prepared {
        role: role.to_owned(),
        version: md.signed.version(),
        bytes: file_bytes(md, &msg, &signatures),
        signatures,
    })
}

/// Distinct public keys of `group` that have a signature in `signatures`,
/// counted the way clients count (tuf-core `RoleKeys::verify`): one key
/// listed under two key ids counts once, and a key no client can use never
/// counts. The signatures themselves were verified when made or imported.
fn signed_count(group: &SigningGroup, signatures: &[Signature]) -> u32 {
    let keys: std::collections::HashSet<Vec<u8>> = group
        .keys
        .iter()
        .filter(|(id, _)| signatures.iter().any(|s| &s.keyid == id))
        .filter_map(|(_, key)| PublicKey::from_key(key).ok())
        .map(|public| public.material().to_vec())
        .collect();
    u32::try_from(keys.len()).unwrap_or(u32::MAX)
}

fn check_thresholds(role: &str, groups: &[SigningGroup], signatures: &[Signature]) -> Result<()> {
    for g in groups {
        let signed = signed_count(g, signatures);
        if signed < g.threshold.get() {
            return Err(RepoError::ThresholdNotMet {
                role: role.to_owned(),
                signed,
                threshold: g.threshold.get(),
                from_previous_root: g.previous_root,
            });
        }
    }
    Ok(())
}

/// How far one signing group of a role is from its threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupStatus {
    /// Signatures required.
    pub threshold: u32,
    /// Authorized keys that have signed the current version.
    pub signed: u32,
    /// Authorized keys with a loaded signer that have not signed yet.
    pub can_sign: u32,
    /// This group is the previous root's keys (root rotation, F-74).
    pub previous_root: bool,
    /// Authorized keys that have not signed the current version: who may
    /// still sign it.
    pub unsigned: Vec<KeyId>,
}

/// Signature state of one role's current version.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignatureStatus {
    /// The role.
    pub role: String,
    /// Its current version.
    pub version: u64,
    /// Whether that version still has to be published.
    pub pending: bool,
    /// One entry per threshold to meet.
    pub groups: Vec<GroupStatus>,
}

impl SignatureStatus {
    /// Whether the existing signatures already meet every threshold.
    pub fn threshold_met(&self) -> bool {
        self.groups.iter().all(|g| g.signed >= g.threshold)
    }

    /// Whether loaded signers can complete every threshold.
    pub fn can_publish(&self) -> bool {
        self.groups
            .iter()
            .all(|g| g.signed + g.can_sign >= g.threshold)
    }
}

impl Repository {
    fn md_parts(&self, role: &str) -> Result<(Vec<u8>, &[Signature], Version, bool)> {
        let (bytes, sigs, version, pending) = match RoleType::from_name(role) {
            Some(RoleType::Root) => (
                signed_bytes(role, &self.root.md)?,
                &self.root.md.signatures,
                self.root.version(),
                self.root.is_pending(),
            ),
            Some(RoleType::Timestamp) => (
                signed_bytes(role, &self.timestamp.md)?,
                &self.timestamp.md.signatures,
                self.timestamp.version(),
                self.timestamp.is_pending(),
            ),
            Some(RoleType::Snapshot) => (
                signed_bytes(role, &self.snapshot.md)?,
                &self.snapshot.md.signatures,
                self.snapshot.version(),
                self.snapshot.is_pending(),
            ),
            _ => {
                let s = self
                    .targets
                    .get(role)
                    .ok_or_else(|| RepoError::UnknownRole {
                        role: role.to_owned(),
                    })?;
                (
                    signed_bytes(role, &s.md)?,
                    &s.md.signatures,
                    s.version(),
                    s.is_pending(),
                )
            }
        };
        Ok((bytes, sigs.as_slice(), version, pending))
    }

    fn signatures_mut(&mut self, role: &str) -> &mut Vec<Signature> {
        match RoleType::from_name(role) {
            Some(RoleType::Root) => &mut self.root.md.signatures,
            Some(RoleType::Timestamp) => &mut self.timestamp.md.signatures,
            Some(RoleType::Snapshot) => &mut self.snapshot.md.signatures,
            _ => {
                &mut self
                    .targets
                    .get_mut(role)
                    .expect("caller loaded the role")
                    .md
                    .signatures
            }
        }
    }

    fn load_if_targets(&mut self, role: &str) -> Result<()> {
        if RoleType::from_name(role).is_none() || role == TARGETS {
            self.ensure_loaded(role)?;
        }
        Ok(())
    }

    /// The canonical bytes a signer must sign for `role`'s current version
    /// (detached signing). Root, targets and delegated roles; snapshot and
    /// timestamp are regenerated at publish and signed there by online keys.
    pub fn signable_bytes(&mut self, role: &str) -> Result<Vec<u8>> {
        self.load_if_targets(role)?;
        Ok(self.md_parts(role)?.0)
    }

    /// Add a signature made elsewhere over [`signable_bytes`](Self::signable_bytes).
    /// It must be by an authorized key and verify; it replaces an earlier
    /// signature by the same key. Only for an unpublished version of root,
    /// targets or a delegated role ([`RepoError::NothingToSign`],
    /// [`RepoError::SignedAtPublish`]).
    pub fn import_signature(&mut self, role: &str, signature: Signature) -> Result<()> {
        if let Some(RoleType::Snapshot | RoleType::Timestamp) = RoleType::from_name(role) {
            return Err(RepoError::SignedAtPublish {
                role: role.to_owned(),
            });
        }
        self.load_if_targets(role)?;
        if !self.md_parts(role)?.3 {
            return Err(RepoError::NothingToSign {
                role: role.to_owned(),
            });
        }
        self.check_signature(role, &signature)?;
        let sigs = self.signatures_mut(role);
        sigs.retain(|s| s.keyid != signature.keyid);
        sigs.push(signature);
        Ok(())
    }

    /// The signatures `role`'s current version carries (loaded role).
    pub(crate) fn signatures_of(&self, role: &str) -> &[Signature] {
        match RoleType::from_name(role) {
            Some(RoleType::Root) => &self.root.md.signatures,
            Some(RoleType::Timestamp) => &self.timestamp.md.signatures,
            Some(RoleType::Snapshot) => &self.snapshot.md.signatures,
            _ => self.targets.get(role).map_or(&[], |s| &s.md.signatures),
        }
    }

    /// Check that `signature` is by a key authorized for `role` and
    /// verifies over its current version.
    pub(crate) fn check_signature(&mut self, role: &str, signature: &Signature) -> Result<()> {
        let groups = self.signing_groups(role)?;
        let (msg, _, _, _) = self.md_parts(role)?;
        let key = groups
            .iter()
            .flat_map(|g| &g.keys)
            .find(|(id, _)| id == &signature.keyid)
            .map(|(_, k)| k.clone())
            .ok_or_else(|| RepoError::KeyNotAuthorized {
                role: role.to_owned(),
                keyid: signature.keyid.to_string(),
            })?;
        let bad = || RepoError::BadSignature {
            role: role.to_owned(),
            keyid: signature.keyid.to_string(),
        };
        let public = PublicKey::from_key(&key)?;
        let raw = hex::decode(&signature.sig).map_err(|_| bad())?;
        if !public.verify(&msg, &raw) {
            return Err(bad());
        }
        Ok(())
    }

    /// Sign `role`'s current version now with every loaded signer that it
    /// authorizes and that has not signed yet; returns how many signed.
    /// (Publishing does this too; this is for collecting signatures in steps.)
    pub fn sign_role(&mut self, role: &str) -> Result<usize> {
        self.load_if_targets(role)?;
        let groups = self.signing_groups(role)?;
        let (msg, existing, _, _) = self.md_parts(role)?;
        let mut new = Vec::new();
        let mut done: Vec<&KeyId> = existing.iter().map(|s| &s.keyid).collect();
        for (id, key) in groups.iter().flat_map(|g| &g.keys) {
            if done.contains(&id) {
                continue;
            }
            if let Some(signer) = self.signer_for(key) {
                new.push(Signature {
                    keyid: id.clone(),
                    sig: hex::encode(signer.sign(&msg)?),
                    unrecognized: Map::new(),
                });
                done.push(id);
            }
        }
        let n = new.len();
        self.signatures_mut(role).extend(new);
        Ok(n)
    }

    /// Where `role`'s current version stands against its thresholds.
    pub fn signature_status(&mut self, role: &str) -> Result<SignatureStatus> {
        self.load_if_targets(role)?;
        let groups = self.signing_groups(role)?;
        let (_, sigs, version, pending) = self.md_parts(role)?;
        let groups = groups
            .iter()
            .map(|g| {
                let signed = signed_count(g, sigs);
                let can_sign = g
                    .keys
                    .iter()
                    .filter(|(id, k)| {
                        !sigs.iter().any(|s| &s.keyid == id)
                            && self.signers.iter().any(|s| same_key(&s.key, k))
                    })
                    .count();
                GroupStatus {
                    threshold: g.threshold.get(),
                    signed,
                    can_sign: u32::try_from(can_sign).unwrap_or(u32::MAX),
                    previous_root: g.previous_root,
                    unsigned: g
                        .keys
                        .iter()
                        .filter(|(id, _)| !sigs.iter().any(|s| &s.keyid == id))
                        .map(|(id, _)| id.clone())
                        .collect(),
                }
            })
            .collect();
        Ok(SignatureStatus {
            role: role.to_owned(),
            version: version.get(),
            pending,
            groups,
        })
    }
}

#[cfg(test)]
mod tests {
    use tuf_core::crypto::{KeySpec, PrivateKey, Signer};
    use tuf_core::metadata::{
        KeyId, Metadata, Root, Signature, SignedMeta, Snapshot, Targets, Threshold, Timestamp,
    };

    use super::{file_bytes, signed_bytes, signed_count};
    use crate::repository::SigningGroup;

    /// The bytes as publishing made them before `crate::serialize`: through
    /// a `serde_json::Value` and tuf-core's writers.
    fn via_value<T: SignedMeta>(md: &Metadata<T>) -> (Vec<u8>, Vec<u8>) {
        let value = serde_json::to_value(&md.signed).unwrap();
        let msg = tuf_core::canonical::to_canonical(&value).unwrap();
        let mut envelope = md.unrecognized.clone();
        envelope.insert(
            "signatures".into(),
            serde_json::to_value(&md.signatures).unwrap(),
        );
        envelope.insert("signed".into(), value);
        let file = tuf_core::json::to_pretty(&serde_json::Value::Object(envelope));
        (msg, file)
    }

    fn same_bytes<T: SignedMeta>(name: &str, json: serde_json::Value) {
        let md: Metadata<T> = serde_json::from_value(json).unwrap();
        let (msg, file) = via_value(&md);
        let fast = signed_bytes("role", &md).unwrap();
        assert!(fast == msg, "{name}: canonical bytes differ");
        let fast_file = file_bytes(&md, &fast, &md.signatures);
        assert!(
            fast_file == file,
            "{name}: file bytes differ:\n{}\n{}",
            String::from_utf8_lossy(&fast_file),
            String::from_utf8_lossy(&file)
        );
    }

    /// Every metadata file of python-tuf's fixtures (all four top-level
    /// types, delegations, succinct bins, unknown fields at every level,
    /// every key type) serializes to the same bytes both ways.
    #[test]
    fn direct_serialization_matches_the_value_path_on_python_fixtures() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|e| e == "json")
                    && p.components().any(|c| c.as_os_str() == "metadata")
                {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(&tuf_testkit::mirror::PythonFixture::root_dir(), &mut files);
        assert!(files.len() > 40, "fixtures found: {}", files.len());
        for f in files {
            let json: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
            let name = f.display().to_string();
            match json["signed"]["_type"].as_str().unwrap() {
                "root" => same_bytes::<Root>(&name, json),
                "targets" => same_bytes::<Targets>(&name, json),
                "snapshot" => same_bytes::<Snapshot>(&name, json),
                "timestamp" => same_bytes::<Timestamp>(&name, json),
                other => panic!("{name}: {other}"),
            }
        }
    }

    /// Floats and envelope fields take the `Value` path, with the same result.
    #[test]
    fn what_the_direct_path_leaves_out_still_serializes_the_same() {
        let json = serde_json::json!({
            "signatures": [{"keyid": "ab", "sig": "cd", "x-extra": [1, "é"]}],
            "signed": {
                "_type": "targets", "spec_version": "1.0.31", "version": 3,
                "expires": "2030-01-01T00:00:00Z",
                "targets": {"a\u{e9}/\"q\"": {"length": 1, "hashes": {"sha256": "00"},
                            "custom": {"z": 1, "a": [true, null]}, "x-more": {}}},
                "x-unknown": "\n"
            },
            "x-envelope": {"b": 1, "a": 2}
        });
        same_bytes::<Targets>("envelope fields", json);
        let json = serde_json::json!({
            "signatures": [],
            "signed": {
                "_type": "targets", "spec_version": "1.0.31", "version": 3,
                "expires": "2030-01-01T00:00:00Z", "targets": {},
                "x-float": 1.5
            }
        });
        let md: Metadata<Targets> = serde_json::from_value(json).unwrap();
        assert!(matches!(
            signed_bytes("targets", &md),
            Err(crate::RepoError::Canonical { .. })
        ));
    }

    #[test]
    fn one_key_under_two_keyids_counts_once_toward_a_publish_threshold() {
        let key = PrivateKey::generate(KeySpec::Ed25519).unwrap().public_key();
        let (a, b) = (KeyId::new("a"), KeyId::new("b"));
        let group = SigningGroup {
            keys: vec![(a.clone(), key.clone()), (b.clone(), key)],
            threshold: Threshold::new(2).unwrap(),
            previous_root: false,
        };
        let sig = |keyid: &KeyId| Signature {
            keyid: keyid.clone(),
            sig: "00".into(),
            unrecognized: Default::default(),
        };
        assert_eq!(signed_count(&group, &[sig(&a)]), 1);
        assert_eq!(
            signed_count(&group, &[sig(&a), sig(&b)]),
            1,
            "clients would see one key, not two"
        );
    }
}
