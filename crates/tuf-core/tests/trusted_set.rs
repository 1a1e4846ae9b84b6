//! The trusted-metadata state machine against attacks (spec §5). Each test
//! is named after what it defeats; the repository is `tuf-testkit`'s
//! in-memory simulator playing a compromised or misbehaving repository.

use tuf_core::ApiMisuse;
use tuf_core::metadata::{Metadata, RoleType, SignedMeta, Threshold, Version};
use tuf_core::trust::{Origin, Outcome, SearchStep, TargetSearch};
use tuf_core::{DateTime, Error, TrustedMetadataSet, VerifyError};
use tuf_testkit::{RepositorySimulator, ts};

fn now() -> DateTime {
    ts("2030-01-01T00:00:00Z")
}

fn file(sim: &RepositorySimulator, path: &str) -> Vec<u8> {
    sim.files
        .get(path)
        .unwrap_or_else(|| panic!("{path} not published"))
        .clone()
}

/// Run the top-level steps against the simulator; returns the set.
fn refresh(sim: &RepositorySimulator, root_v1: &[u8]) -> Result<TrustedMetadataSet, Error> {
    let mut set = TrustedMetadataSet::new(root_v1, now())?;
    let mut v = set.root().version.get() + 1;
    while let Some(bytes) = sim.files.get(&format!("metadata/{v}.root.json")) {
        set.update_root(bytes)?;
        v += 1;
    }
    set.check_final_root()?;
    let _ = set.update_timestamp(&file(sim, "metadata/timestamp.json"), Origin::Remote)?;
    let sv = set.timestamp().unwrap().snapshot_meta().version;
    let _ = set.update_snapshot(
        file(sim, &format!("metadata/{sv}.snapshot.json")),
        Origin::Remote,
    )?;
    let tv = set
        .snapshot()
        .unwrap()
        .role_meta("targets")
        .unwrap()
        .version;
    set.update_targets(file(sim, &format!("metadata/{tv}.targets.json")))?;
    Ok(set)
}

fn verify_err(r: Result<impl std::fmt::Debug, Error>) -> VerifyError {
    match r {
        Err(Error::Verify(v)) => v,
        other => panic!("expected a verification error, got {other:?}"),
    }
}

#[test]
fn a_clean_repository_verifies() {
    let sim = RepositorySimulator::new();
    let set = refresh(&sim, &sim.signed_root(1)).unwrap();
    assert_eq!(set.targets().unwrap().version, Version::ONE);
}

#[test]
fn arbitrary_installation_initial_root_must_be_self_signed() {
    let mut sim = RepositorySimulator::new();
    let mut md = sim.root.clone();
    md.signatures.clear();
    assert!(TrustedMetadataSet::new(&md.to_bytes(), now()).is_err());
    // Signed by a key that root does not list.
    sim.signers
        .insert("root".into(), sim.signers["timestamp"].clone());
    sim.sign("root", &mut md);
    assert!(matches!(
        verify_err(TrustedMetadataSet::new(&md.to_bytes(), now())),
        VerifyError::ThresholdNotMet { .. }
    ));
}

#[test]
fn key_compromise_new_root_needs_the_old_root_threshold() {
    let mut sim = RepositorySimulator::new();
    let v1 = sim.signed_root(1);
    // An attacker holding only new keys publishes root v2 signed by them alone.
    sim.rotate_keys(RoleType::Root);
    sim.bump_root();
    let mut set = TrustedMetadataSet::new(&v1, now()).unwrap();
    assert!(matches!(
        verify_err(set.update_root(&sim.signed_root(2))),
        VerifyError::ThresholdNotMet { .. }
    ));
    assert_eq!(
        set.root().version,
        Version::ONE,
        "a rejected root changes nothing"
    );
}

#[test]
fn root_rotation_needs_the_new_root_threshold_too() {
    let mut sim = RepositorySimulator::new();
    let v1 = sim.signed_root(1);
    // v2 lists a new key but is signed by the old key only.
    let old = sim.signers["root"].clone();
    sim.rotate_keys(RoleType::Root);
    sim.signers.insert("root".into(), old);
    sim.bump_root();
    let mut set = TrustedMetadataSet::new(&v1, now()).unwrap();
    assert!(matches!(
        verify_err(set.update_root(&sim.signed_root(2))),
        VerifyError::ThresholdNotMet { .. }
    ));
}

#[test]
fn proper_root_rotation_is_accepted() {
    let mut sim = RepositorySimulator::new();
    let v1 = sim.signed_root(1);
    let old = sim.signers["root"].clone();
    sim.rotate_keys(RoleType::Root);
    sim.signers.get_mut("root").unwrap().extend(old);
    sim.bump_root();
    let set = refresh(&sim, &v1).unwrap();
    assert_eq!(set.root().version.get(), 2);
}

#[test]
fn root_version_must_be_exactly_n_plus_one() {
    let mut sim = RepositorySimulator::new();
    let v1 = sim.signed_root(1);
    sim.root.signed.version = Version::new(3).unwrap();
    sim.publish_root();
    let mut set = TrustedMetadataSet::new(&v1, now()).unwrap();
    assert_eq!(
        verify_err(set.update_root(&sim.signed_root(3))),
        VerifyError::VersionMismatch {
            role: "root".into(),
            expected: 2,
            got: 3
        }
    );
    assert!(matches!(
        verify_err(set.update_root(&v1)),
        VerifyError::VersionMismatch { .. }
    ));
}

#[test]
fn freeze_intermediate_roots_may_be_expired_but_the_final_root_may_not() {
    let mut sim = RepositorySimulator::new();
    let v1 = sim.signed_root(1);
    sim.root.signed.expires = ts("2020-01-01T00:00:00Z");
    sim.bump_root();
    let mut set = TrustedMetadataSet::new(&v1, now()).unwrap();
    set.update_root(&sim.signed_root(2)).unwrap();
    assert!(matches!(
        verify_err(set.check_final_root()),
        VerifyError::Expired { .. }
    ));
    sim.root.signed.expires = ts("2100-01-01T00:00:00Z");
    sim.bump_root();
    set.update_root(&sim.signed_root(3)).unwrap();
    set.check_final_root().unwrap();
}

#[test]
fn rollback_of_timestamp_is_rejected_and_equal_version_is_unchanged() {
    let mut sim = RepositorySimulator::new();
    let v1 = sim.signed_root(1);
    sim.release(&[]);
    let ts2 = file(&sim, "metadata/timestamp.json");
    sim.release(&[]);
    let ts3 = file(&sim, "metadata/timestamp.json");
    let mut set = TrustedMetadataSet::new(&v1, now()).unwrap();
    assert_eq!(
        set.update_timestamp(&ts3, Origin::Cached).unwrap(),
        Outcome::Accepted { is_final: true }
    );
    assert_eq!(
        verify_err(set.update_timestamp(&ts2, Origin::Remote)),
        VerifyError::Rollback {
            role: "timestamp".into(),
            trusted: 3,
            offered: 2
        }
    );
    assert_eq!(
        set.update_timestamp(&ts3, Origin::Remote).unwrap(),
        Outcome::Unchanged
    );
}

#[test]
fn rollback_of_snapshot_version_named_by_timestamp_is_rejected() {
    let mut sim = RepositorySimulator::new();
    let v1 = sim.signed_root(1);
    sim.release(&[]);
    let cached = file(&sim, "metadata/timestamp.json");
    // New timestamp names an older snapshot version.
    sim.timestamp
        .signed
        .set_snapshot_meta(tuf_core::metadata::MetaFile::new(Version::ONE));
    sim.bump("timestamp");
    sim.publish_timestamp();
    let mut set = TrustedMetadataSet::new(&v1, now()).unwrap();
    let _ = set.update_timestamp(&cached, Origin::Cached).unwrap();
    assert_eq!(
        verify_err(set.update_timestamp(&file(&sim, "metadata/timestamp.json"), Origin::Remote)),
        VerifyError::Rollback {
            role: "snapshot".into(),
            trusted: 2,
            offered: 1
        }
    );
}

#[test]
fn freeze_expired_timestamp_is_rejected_but_serves_as_a_rollback_baseline() {
    let mut sim = RepositorySimulator::new();
    let v1 = sim.signed_root(1);
    sim.timestamp.signed.expires = ts("2020-01-01T00:00:00Z");
    sim.release(&[]);
    let expired = file(&sim, "metadata/timestamp.json");
    let mut set = TrustedMetadataSet::new(&v1, now()).unwrap();
    assert!(matches!(
        verify_err(set.update_timestamp(&expired, Origin::Remote)),
        VerifyError::Expired { .. }
    ));
    assert!(
        set.timestamp().is_none(),
        "nothing trusted after a failed update"
    );
    assert_eq!(
        set.update_timestamp(&expired, Origin::Cached).unwrap(),
        Outcome::Accepted { is_final: false }
    );
    // Equal version offered remotely: unchanged, and the expired one blocks snapshot.
    assert_eq!(
        set.update_timestamp(&expired, Origin::Remote).unwrap(),
        Outcome::Unchanged
    );
    let snap = file(&sim, "metadata/2.snapshot.json");
    assert!(matches!(
        verify_err(set.update_snapshot(&snap, Origin::Remote)),
        VerifyError::Expired { .. }
    ));
}

#[test]
fn mix_and_match_snapshot_must_match_timestamp_hashes_and_version() {
    let mut sim = RepositorySimulator::new();
    sim.compute_metafile_hashes_length = true;
    sim.release(&[]);
    let v1 = sim.signed_root(1);
    // Serve a different, validly signed snapshot v2 than the one timestamp pins.
    let mut other = sim.snapshot.clone();
    other.signed.expires = ts("2099-01-01T00:00:00Z");
    sim.sign("snapshot", &mut other);
    let mut set = TrustedMetadataSet::new(&v1, now()).unwrap();
    let _ = set
        .update_timestamp(&file(&sim, "metadata/timestamp.json"), Origin::Remote)
        .unwrap();
    assert!(matches!(
        verify_err(set.update_snapshot(other.to_bytes(), Origin::Remote)),
        VerifyError::LengthOrHash { .. }
    ));
    // Without hashes, the version still has to match.
    let mut sim = RepositorySimulator::new();
    let v1 = sim.signed_root(1);
    let old_snapshot = file(&sim, "metadata/1.snapshot.json");
    sim.release(&[]);
    let mut set = TrustedMetadataSet::new(&v1, now()).unwrap();
    let _ = set
        .update_timestamp(&file(&sim, "metadata/timestamp.json"), Origin::Remote)
        .unwrap();
    assert_eq!(
        verify_err(set.update_snapshot(&old_snapshot, Origin::Remote)),
        VerifyError::VersionMismatch {
            role: "snapshot".into(),
            expected: 2,
            got: 1
        }
    );
}

#[test]
fn rollback_of_a_targets_role_in_snapshot_is_rejected() {
    let mut sim = RepositorySimulator::new();
    let v1 = sim.signed_root(1);
    sim.release(&["targets"]);
    let cached_snapshot = file(&sim, "metadata/2.snapshot.json");
    sim.snapshot.signed.meta.insert(
        "targets.json",
        tuf_core::metadata::MetaFile::new(Version::ONE),
    );
    sim.bump("snapshot");
    sim.publish_snapshot();
    sim.bump("timestamp");
    sim.publish_timestamp();
    let mut set = TrustedMetadataSet::new(&v1, now()).unwrap();
    let _ = set
        .update_timestamp(&file(&sim, "metadata/timestamp.json"), Origin::Remote)
        .unwrap();
    assert_eq!(
        set.update_snapshot(&cached_snapshot, Origin::Cached)
            .unwrap(),
        Outcome::Accepted { is_final: false }
    );
    assert_eq!(
        verify_err(set.update_snapshot(file(&sim, "metadata/3.snapshot.json"), Origin::Remote)),
        VerifyError::Rollback {
            role: "targets.json".into(),
            trusted: 2,
            offered: 1
        }
    );
}

#[test]
fn a_role_removed_from_snapshot_is_rejected() {
    let mut sim = RepositorySimulator::new();
    let v1 = sim.signed_root(1);
    sim.delegate_paths("targets", "a", &["*"], false);
    sim.release(&["targets", "a"]);
    let cached = file(&sim, "metadata/2.snapshot.json");
    sim.snapshot.signed.meta.remove("a.json");
    sim.release(&[]);
    let mut set = TrustedMetadataSet::new(&v1, now()).unwrap();
    let _ = set
        .update_timestamp(&file(&sim, "metadata/timestamp.json"), Origin::Remote)
        .unwrap();
    let _ = set.update_snapshot(&cached, Origin::Cached).unwrap();
    assert!(matches!(
        verify_err(set.update_snapshot(file(&sim, "metadata/3.snapshot.json"), Origin::Remote)),
        VerifyError::MissingMeta { .. }
    ));
}

#[test]
fn freeze_expired_snapshot_and_targets_are_rejected() {
    let mut sim = RepositorySimulator::new();
    let v1 = sim.signed_root(1);
    sim.snapshot.signed.expires = ts("2020-01-01T00:00:00Z");
    sim.release(&[]);
    assert!(
        matches!(verify_err(refresh(&sim, &v1)), VerifyError::Expired { ref role, .. } if role == "snapshot")
    );
    let mut sim = RepositorySimulator::new();
    sim.targets.get_mut("targets").unwrap().signed.expires = ts("2020-01-01T00:00:00Z");
    sim.release(&["targets"]);
    assert!(
        matches!(verify_err(refresh(&sim, &v1_of(&sim))), VerifyError::Expired { ref role, .. } if role == "targets")
    );
}

fn v1_of(sim: &RepositorySimulator) -> Vec<u8> {
    sim.signed_root(1)
}

#[test]
fn targets_signed_by_the_wrong_key_are_rejected() {
    let mut sim = RepositorySimulator::new();
    sim.signers
        .insert("targets".into(), sim.signers["snapshot"].clone());
    sim.release(&["targets"]);
    assert!(
        matches!(verify_err(refresh(&sim, &v1_of(&sim))), VerifyError::ThresholdNotMet { ref role, .. } if role == "targets")
    );
}

#[test]
fn threshold_counts_distinct_keys_not_signatures() {
    let mut sim = RepositorySimulator::new();
    sim.root
        .signed
        .set_threshold(RoleType::Timestamp, Threshold::new(2).unwrap());
    // The same public key listed under a second key id.
    let key = sim.public_keys("timestamp")[0].clone();
    let mut alias = key.clone();
    alias
        .unrecognized
        .insert("x-alias".into(), serde_json::json!(true));
    let alias_id = tuf_core::metadata::KeyId::new("alias");
    sim.root
        .signed
        .add_key_with_id(RoleType::Timestamp, alias_id.clone(), alias);
    sim.bump_root();
    sim.release(&[]);
    let mut md = sim.timestamp.clone();
    sim.sign("timestamp", &mut md);
    let signer = sim.signers["timestamp"][0].clone();
    md.sign_as(signer.as_ref(), alias_id, true).unwrap();
    assert_eq!(md.signatures.len(), 2);
    let mut set = TrustedMetadataSet::new(&sim.signed_root(1), now()).unwrap();
    set.update_root(&sim.signed_root(2)).unwrap();
    assert_eq!(
        verify_err(set.update_timestamp(&md.to_bytes(), Origin::Remote)),
        VerifyError::ThresholdNotMet {
            role: "timestamp".into(),
            verified: 1,
            threshold: 2
        }
    );
}

#[test]
fn duplicate_signature_keyids_are_a_format_error() {
    let sim = RepositorySimulator::new();
    let mut md: Metadata<tuf_core::metadata::Timestamp> = sim.timestamp.clone();
    sim.sign("timestamp", &mut md);
    let dup = md.signatures[0].clone();
    md.signatures.push(dup);
    let mut set = TrustedMetadataSet::new(&sim.signed_root(1), now()).unwrap();
    assert!(matches!(
        set.update_timestamp(&md.to_bytes(), Origin::Remote),
        Err(Error::Format(_))
    ));
}

#[test]
fn metadata_of_the_wrong_type_is_rejected() {
    let sim = RepositorySimulator::new();
    let mut set = TrustedMetadataSet::new(&sim.signed_root(1), now()).unwrap();
    let err = set
        .update_timestamp(&file(&sim, "metadata/1.snapshot.json"), Origin::Remote)
        .unwrap_err();
    assert!(
        matches!(err, Error::Format(ref f) if f.field == "signed._type"),
        "{err}"
    );
}

#[test]
fn fast_forward_recovery_discards_cached_timestamp_after_key_rotation() {
    let mut sim = RepositorySimulator::new();
    let v1 = sim.signed_root(1);
    // An attacker with the timestamp key fast-forwarded the timestamp version.
    sim.timestamp.signed.version = Version::new(1000).unwrap();
    sim.publish_timestamp();
    let attacked = file(&sim, "metadata/timestamp.json");
    // The repository recovers by rotating the timestamp key and resetting.
    sim.rotate_keys(RoleType::Timestamp);
    sim.bump_root();
    sim.timestamp.signed.version = Version::new(2).unwrap();
    sim.publish_timestamp();
    let mut set = TrustedMetadataSet::new(&v1, now()).unwrap();
    set.update_root(&sim.signed_root(2)).unwrap();
    assert!(set.fast_forward_recovery_needed());
    assert_eq!(
        set.update_timestamp(&attacked, Origin::Cached).unwrap(),
        Outcome::Discarded
    );
    assert_eq!(
        set.update_timestamp(&file(&sim, "metadata/timestamp.json"), Origin::Remote)
            .unwrap(),
        Outcome::Accepted { is_final: true }
    );
}

#[test]
fn updates_out_of_order_are_api_misuse() {
    let sim = RepositorySimulator::new();
    let mut set = TrustedMetadataSet::new(&sim.signed_root(1), now()).unwrap();
    assert_eq!(
        set.update_snapshot(file(&sim, "metadata/1.snapshot.json"), Origin::Remote),
        Err(Error::ApiMisuse(ApiMisuse::SnapshotBeforeTimestamp))
    );
    assert_eq!(
        set.update_targets(file(&sim, "metadata/1.targets.json")),
        Err(Error::ApiMisuse(ApiMisuse::TargetsBeforeSnapshot))
    );
    let _ = set
        .update_timestamp(&file(&sim, "metadata/timestamp.json"), Origin::Remote)
        .unwrap();
    assert_eq!(
        set.update_root(&sim.signed_root(1)).map(|_| ()),
        Err(Error::ApiMisuse(ApiMisuse::RootAfterTimestamp))
    );
}

/// Drive a search to its end, loading roles from the simulator; returns the
/// roles visited in order and the result.
fn search(
    sim: &RepositorySimulator,
    set: &mut TrustedMetadataSet,
    target: &str,
) -> (Vec<String>, Result<Option<Vec<String>>, Error>) {
    let mut s = TargetSearch::new(target, 32);
    let mut visited = Vec::new();
    loop {
        match s.next(set) {
            SearchStep::NeedRole { parent, role } => {
                visited.push(role.clone());
                let v = set.snapshot().unwrap().role_meta(&role).map(|m| m.version);
                let Some(v) = v else {
                    return (
                        visited,
                        Err(VerifyError::MissingMeta {
                            referrer: "snapshot".into(),
                            name: role,
                        }
                        .into()),
                    );
                };
                let bytes = file(
                    sim,
                    &format!(
                        "metadata/{v}.{}.json",
                        tuf_core::metadata::encode_role_name(&role)
                    ),
                );
                let r = if parent.is_empty() {
                    set.update_targets(&bytes)
                } else {
                    set.update_delegated_targets(&bytes, &parent, &role)
                };
                if let Err(e) = r {
                    return (visited, Err(e));
                }
            }
            SearchStep::Found { role_path, .. } => return (visited, Ok(Some(role_path))),
            SearchStep::NotFound => return (visited, Ok(None)),
        }
    }
}

fn top_level(sim: &RepositorySimulator) -> TrustedMetadataSet {
    let mut set = TrustedMetadataSet::new(&sim.signed_root(1), now()).unwrap();
    let _ = set
        .update_timestamp(&file(sim, "metadata/timestamp.json"), Origin::Remote)
        .unwrap();
    let sv = set.timestamp().unwrap().snapshot_meta().version;
    let _ = set
        .update_snapshot(
            file(sim, &format!("metadata/{sv}.snapshot.json")),
            Origin::Remote,
        )
        .unwrap();
    set
}

#[test]
fn delegation_priority_is_array_order_and_terminating_stops_the_search() {
    let mut sim = RepositorySimulator::new();
    sim.delegate_paths("targets", "A", &["*"], false);
    sim.delegate_paths("targets", "B", &["*"], false);
    sim.delegate_paths("A", "C", &["*"], true);
    sim.delegate_paths("A", "D", &["*"], false);
    sim.add_target("B", "f", b"from B");
    sim.release(&["targets", "A", "B", "C", "D"]);
    let mut set = top_level(&sim);
    let (visited, found) = search(&sim, &mut set, "f");
    // C is terminating: D and B are never considered.
    assert_eq!(visited, ["targets", "A", "C"]);
    assert_eq!(found.unwrap(), None);
    sim.add_target("C", "g", b"from C");
    sim.release(&["C"]);
    let mut set = top_level(&sim);
    let (_, found) = search(&sim, &mut set, "g");
    assert_eq!(
        found.unwrap(),
        Some(vec!["targets".into(), "A".into(), "C".into()])
    );
}

#[test]
fn delegation_cycles_are_harmless() {
    let mut sim = RepositorySimulator::new();
    sim.delegate_paths("targets", "B", &["*"], false);
    sim.delegate_paths("B", "C", &["*"], false);
    sim.delegate_paths("C", "D", &["*"], false);
    // D delegates back to B (with a key of its own, so verification fails if ever loaded twice).
    sim.delegate_paths("D", "B2", &["*"], false);
    sim.release(&["targets", "B", "C", "D", "B2"]);
    let mut set = top_level(&sim);
    let (visited, found) = search(&sim, &mut set, "missing");
    assert_eq!(visited, ["targets", "B", "C", "D", "B2"]);
    assert_eq!(found.unwrap(), None);
}

#[test]
fn a_target_outside_a_delegated_path_is_not_trusted() {
    let mut sim = RepositorySimulator::new();
    sim.delegate_paths("targets", "docs", &["docs/*"], false);
    // The docs role lists a target outside its namespace.
    sim.add_target("docs", "bin/tool", b"evil");
    sim.release(&["targets", "docs"]);
    let mut set = top_level(&sim);
    let (visited, found) = search(&sim, &mut set, "bin/tool");
    assert_eq!(visited, ["targets"]);
    assert_eq!(found.unwrap(), None);
}

#[test]
fn diamond_a_role_is_verified_against_the_delegator_that_led_to_it() {
    let mut sim = RepositorySimulator::new();
    sim.delegate_paths("targets", "A", &["a/*"], false);
    sim.delegate_paths("targets", "B", &["b/*"], false);
    // A and B both delegate to R, with different keys; R is signed with A's choice.
    let role = |p: &str| {
        tuf_core::metadata::DelegatedRole::new(
            "R",
            Threshold::ONE,
            false,
            tuf_core::metadata::PathScope::Paths(vec![p.into(), "b/*".into()]),
        )
        .unwrap()
    };
    sim.add_delegation("A", role("a/*"));
    let r_key = sim.signers["R"].clone();
    sim.add_delegation("B", role("b/*")); // replaces R's signer with a new key that B trusts
    sim.signers.insert("R".into(), r_key); // but R stays signed by the key A trusts
    sim.add_target("R", "a/x", b"x");
    sim.add_target("R", "b/y", b"y");
    sim.release(&["targets", "A", "B", "R"]);
    let mut set = top_level(&sim);
    let (_, found) = search(&sim, &mut set, "a/x");
    assert!(found.unwrap().is_some());
    // Through B, R's signature is not B's key: the cached A-verified R must not be reused.
    let (_, found) = search(&sim, &mut set, "b/y");
    assert!(
        matches!(
            found,
            Err(Error::Verify(VerifyError::ThresholdNotMet { .. }))
        ),
        "{found:?}"
    );
}

#[test]
fn a_delegation_missing_from_snapshot_is_an_error() {
    let mut sim = RepositorySimulator::new();
    sim.delegate_paths("targets", "A", &["*"], false);
    sim.release(&["targets", "A"]);
    sim.snapshot.signed.meta.remove("A.json");
    sim.release(&[]);
    let mut set = top_level(&sim);
    let (_, found) = search(&sim, &mut set, "x");
    assert!(matches!(
        found,
        Err(Error::Verify(VerifyError::MissingMeta { .. }))
    ));
}

#[test]
fn succinct_hashed_bins_route_targets_to_their_bin() {
    let mut sim = RepositorySimulator::new();
    let key = tuf_core::crypto::PrivateKey::generate(tuf_core::crypto::KeySpec::Ed25519).unwrap();
    let bins = tuf_core::metadata::SuccinctRoles::new(Threshold::ONE, 3, "bin").unwrap();
    let mut delegations =
        tuf_core::metadata::Delegations::with_succinct(Default::default(), bins.clone());
    let name = bins.role_for_target("pkg/a.tgz");
    delegations
        .add_key(&name, tuf_core::crypto::Signer::public_key(&key))
        .unwrap();
    sim.targets.get_mut("targets").unwrap().signed.delegations = Some(delegations);
    let key = std::sync::Arc::new(key);
    for bin in bins.bin_names() {
        sim.signers.insert(bin.clone(), vec![key.clone()]);
        sim.targets.insert(
            bin,
            Metadata::new(tuf_core::metadata::Targets::new(ts("2100-01-01T00:00:00Z"))),
        );
    }
    sim.add_target(&name, "pkg/a.tgz", b"a");
    let all: Vec<String> = sim.targets.keys().cloned().collect();
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    sim.release(&all);
    let mut set = top_level(&sim);
    let (visited, found) = search(&sim, &mut set, "pkg/a.tgz");
    assert_eq!(visited, ["targets".to_owned(), name.clone()]);
    assert_eq!(found.unwrap().unwrap(), vec!["targets".to_owned(), name]);
    assert!(
        set.targets()
            .unwrap()
            .signed()
            .is_expired(ts("2200-01-01T00:00:00Z"))
    );
}

/// A targets role over 4 MiB has its pinned hash checked beside the
/// signature check (`verify::parse_and_verify_pinned`): a validly signed
/// but different document, or a tampered one, must still be refused for
/// its hash, and that error must win over the signature's.
#[test]
fn mix_and_match_of_a_large_targets_role_is_refused_by_its_pinned_hash() {
    let mut sim = RepositorySimulator::new();
    sim.compute_metafile_hashes_length = true;
    let mut blob = tuf_core::metadata::TargetFile::from_bytes(b"x", &["sha256"]).unwrap();
    blob.custom = Some(serde_json::json!({ "pad": "p".repeat(5 << 20) }));
    sim.targets
        .get_mut("targets")
        .unwrap()
        .signed
        .add_target("big", blob);
    sim.release(&["targets"]);
    let served = file(&sim, "metadata/2.targets.json");
    assert!(
        served.len() > 4 << 20,
        "large enough for the overlapped path"
    );
    let start = top_level;
    // The pinned document itself verifies.
    start(&sim).update_targets(served.clone()).unwrap();
    // Validly signed, same version, but not the pinned one.
    let mut other = sim.targets["targets"].clone();
    other.signed.expires = ts("2099-01-01T00:00:00Z");
    sim.sign("targets", &mut other);
    assert!(matches!(
        verify_err(start(&sim).update_targets(other.to_bytes())),
        VerifyError::LengthOrHash { .. }
    ));
    // Tampered after signing (one byte of the padding): the hash is what
    // is reported.
    let mut tampered = served.clone();
    let pad = tampered.windows(3).position(|w| w == b"ppp").unwrap();
    tampered[pad] = b'q';
    assert!(matches!(
        verify_err(start(&sim).update_targets(tampered)),
        VerifyError::LengthOrHash { .. }
    ));
}
