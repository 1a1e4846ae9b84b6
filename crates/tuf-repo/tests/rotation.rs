//! Root key rotation (F-74) and top-level key rotation (F-80), followed by
//! a client that trusts only version 1.

mod common;

use common::{Fixture, client_lookup};
use tuf_core::RoleType;
use tuf_core::crypto::KeySpec;
use tuf_core::metadata::TargetFile;
use tuf_repo::{InitOptions, KeyStore, RepoError, Repository};

#[test]
fn a_rotated_root_is_cross_signed_and_a_v1_client_follows_the_chain() {
    let fx = Fixture::new();
    drop(fx.init(InitOptions::default()));
    let mut store = KeyStore::open(&fx.keys_dir).unwrap();
    let old_root = store.entries("root")[0].keyid.clone();
    let (_, new_root) = store.generate("root-2", KeySpec::EcdsaP384, None).unwrap();

    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    repo.load_signers(&store, "root-2", None).unwrap();
    repo.rotate_root_key(RoleType::Root, &old_root, new_root)
        .unwrap();
    let before = common::tree(&fx.repo_dir);
    // Only the new key: the previous root's threshold is not met.
    match repo.publish() {
        Err(RepoError::ThresholdNotMet {
            role,
            from_previous_root: true,
            ..
        }) => assert_eq!(role, "root"),
        other => panic!("{other:?}"),
    }
    assert_eq!(common::tree(&fx.repo_dir), before);
    repo.load_signers(&store, "root", None).unwrap();
    assert!(repo.signature_status("root").unwrap().can_publish());
    let report = repo.publish().unwrap();
    assert_eq!(report.root, Some(2));

    // Rotate the timestamp key in root v3, signed by the new root key alone.
    let old_ts = store.entries("timestamp")[0].keyid.clone();
    let (_, new_ts) = store
        .generate("timestamp-2", KeySpec::Ed25519, None)
        .unwrap();
    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    repo.load_signers(&store, "root-2", None).unwrap();
    repo.load_signers(&store, "timestamp-2", None).unwrap();
    repo.rotate_root_key(RoleType::Timestamp, &old_ts, new_ts)
        .unwrap();
    let report = repo.publish().unwrap();
    assert_eq!((report.root, report.timestamp), (Some(3), Some(2)));

    let meta = fx.repo_dir.join("metadata");
    for v in 1..=3 {
        assert!(
            meta.join(format!("{v}.root.json")).is_file(),
            "F-68: root v{v}"
        );
    }
    assert_eq!(
        std::fs::read(meta.join("root.json")).unwrap(),
        std::fs::read(meta.join("3.root.json")).unwrap()
    );
    let v = repo.verify().unwrap();
    assert!(v.is_ok(), "{:?}", v.problems);
    assert_eq!(v.root_versions, vec![1, 2, 3]);

    // A client that trusts only root v1 reaches the new targets.
    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    for r in ["targets", "snapshot", "timestamp-2"] {
        repo.load_signers(&store, r, None).unwrap();
    }
    repo.add_target(
        "after-rotation",
        TargetFile::from_bytes(b"r", &["sha256"]).unwrap(),
    )
    .unwrap();
    repo.publish().unwrap();
    let root1 = std::fs::read(meta.join("1.root.json")).unwrap();
    let found = client_lookup(&fx.repo_dir, &root1, repo.now(), "after-rotation").unwrap();
    assert!(found.is_some());
}

#[test]
fn the_old_timestamp_key_can_no_longer_publish_after_rotation() {
    let fx = Fixture::new();
    drop(fx.init(InitOptions::default()));
    let mut store = KeyStore::open(&fx.keys_dir).unwrap();
    let old_ts = store.entries("timestamp")[0].keyid.clone();
    let (_, new_ts) = store
        .generate("timestamp-2", KeySpec::Ed25519, None)
        .unwrap();
    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    repo.load_signers(&store, "root", None).unwrap();
    repo.load_signers(&store, "timestamp", None).unwrap();
    repo.rotate_root_key(RoleType::Timestamp, &old_ts, new_ts)
        .unwrap();
    assert!(matches!(
        repo.publish(),
        Err(RepoError::ThresholdNotMet { role, .. }) if role == "timestamp"
    ));
}
