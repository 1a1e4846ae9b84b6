//! Pruning keeps the newest snapshots and everything they list, and every
//! root version.

mod common;

use common::Fixture;
use tuf_core::crypto::KeySpec;
use tuf_core::metadata::{PathScope, TargetFile, Threshold};
use tuf_repo::{DelegationSpec, InitOptions, KeyStore};

fn names(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("metadata"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn prune_keeps_the_newest_snapshots_what_they_list_and_every_root() {
    let fx = Fixture::new();
    let mut repo = fx.init(InitOptions::default());
    let mut store = KeyStore::open(&fx.keys_dir).unwrap();
    let (_, key) = store.generate("stable", KeySpec::Ed25519, None).unwrap();
    repo.load_signers(&store, "stable", None).unwrap();
    // A delegated role published once and never changed again.
    repo.add_delegation(
        "targets",
        DelegationSpec {
            name: "stable".into(),
            scope: PathScope::Paths(vec!["s/*".into()]),
            threshold: Threshold::ONE,
            terminating: false,
            keys: vec![key],
        },
    )
    .unwrap();
    repo.publish().unwrap(); // targets 2, stable 1, snapshot 2
    for i in 0..4 {
        let t = format!("t{i}");
        repo.add_target(
            &t,
            TargetFile::from_bytes(t.as_bytes(), &["sha256"]).unwrap(),
        )
        .unwrap();
        repo.publish().unwrap(); // targets 3..=6, snapshot 3..=6
    }
    let report = repo.prune(2).unwrap();
    let removed: Vec<String> = report
        .removed
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        removed,
        [
            "1.snapshot.json",
            "1.targets.json",
            "2.snapshot.json",
            "2.targets.json",
            "3.snapshot.json",
            "3.targets.json",
            "4.snapshot.json",
            "4.targets.json"
        ]
    );
    assert_eq!(
        names(&fx.repo_dir),
        [
            "1.root.json",
            "1.stable.json",
            "5.snapshot.json",
            "5.targets.json",
            "6.snapshot.json",
            "6.targets.json",
            "root.json",
            "timestamp.json"
        ]
    );
    let v = repo.verify().unwrap();
    assert!(
        v.problems
            .iter()
            .all(|p| matches!(p, tuf_repo::Problem::TargetMissing { .. }))
    );
    assert_eq!(v.roles.len(), 4);
    // Pruning again removes nothing more.
    assert!(repo.prune(2).unwrap().removed.is_empty());
}
