//! `Repository::add_targets`: many targets at once, placed and replaced
//! exactly as one `add_target` call per target would, all or nothing.

mod common;

use std::collections::BTreeMap;

use common::{Fixture, client_lookup};
use tuf_core::crypto::KeySpec;
use tuf_core::metadata::{PathScope, TargetFile, Threshold};
use tuf_repo::{BinsSpec, DelegationSpec, InitOptions, KeyStore, RepoError, Repository};

fn file(data: &str) -> TargetFile {
    TargetFile::from_bytes(data.as_bytes(), &["sha256"]).unwrap()
}

/// targets → a (`apps/*`, terminating) → c (`apps/c-*`); targets → b (hash
/// prefixes 0-7: about half the other paths stay in targets).
fn named(fx: &Fixture) -> Repository {
    let mut repo = fx.init(InitOptions::default());
    let mut store = KeyStore::open(&fx.keys_dir).unwrap();
    let mut keys = BTreeMap::new();
    for r in ["a", "b", "c"] {
        keys.insert(r, store.generate(r, KeySpec::Ed25519, None).unwrap().1);
    }
    for r in ["targets", "a", "b", "c"] {
        repo.load_signers(&store, r, None).unwrap();
    }
    for (delegator, name, scope, terminating) in [
        (
            "targets",
            "a",
            PathScope::Paths(vec!["apps/*".into()]),
            true,
        ),
        ("a", "c", PathScope::Paths(vec!["apps/c-*".into()]), false),
        (
            "targets",
            "b",
            PathScope::HashPrefixes((0..8).map(|i| format!("{i:x}")).collect()),
            false,
        ),
    ] {
        repo.add_delegation(
            delegator,
            DelegationSpec {
                name: name.into(),
                scope,
                threshold: Threshold::ONE,
                terminating,
                keys: vec![keys[name].clone()],
            },
        )
        .unwrap();
    }
    repo.publish().unwrap();
    repo
}

/// targets → 2^3 succinct bins.
fn binned(fx: &Fixture) -> Repository {
    let mut repo = fx.init(InitOptions::default());
    let mut store = KeyStore::open(&fx.keys_dir).unwrap();
    let (_, key) = store.generate("bins", KeySpec::Ed25519, None).unwrap();
    repo.load_signers(&store, "bins", None).unwrap();
    repo.load_signers(&store, "targets", None).unwrap();
    repo.add_succinct_bins(
        "targets",
        BinsSpec {
            bit_length: 3,
            name_prefix: "bin".into(),
            threshold: Threshold::ONE,
            keys: vec![key],
        },
    )
    .unwrap();
    repo.publish().unwrap();
    repo
}

/// What a client finds for `path` in the published repository.
fn lookup(fx: &Fixture, repo: &Repository, path: &str) -> Option<TargetFile> {
    let root1 = std::fs::read(fx.repo_dir.join("metadata/1.root.json")).unwrap();
    client_lookup(&fx.repo_dir, &root1, repo.now(), path).unwrap()
}

/// Every targets role's version and targets, loading them all.
fn contents(repo: &mut Repository, roles: &[String]) -> BTreeMap<String, (u64, Vec<String>)> {
    roles
        .iter()
        .map(|r| {
            let md = repo.targets_role(r).unwrap();
            let listed = md
                .signed
                .targets
                .iter()
                .map(|(p, f)| format!("{p} {}", f.hashes.get("sha256").unwrap()))
                .collect();
            (r.clone(), (md.signed.version.get(), listed))
        })
        .collect()
}

/// Paths for every delegation, some given twice (the later entry wins).
fn batch() -> Vec<(String, TargetFile)> {
    let mut out = Vec::new();
    for i in 0..200 {
        let path = match i % 4 {
            0 => format!("apps/c-{i}"),
            1 => format!("apps/tool-{i}"),
            _ => format!("lib/{i}/x.so"),
        };
        out.push((path, file(&format!("v1 {i}"))));
    }
    for i in (0..200).step_by(7) {
        let (path, _) = out[i].clone();
        out.push((path, file(&format!("v2 {i}"))));
    }
    out
}

fn same_as_one_by_one(make: fn(&Fixture) -> Repository, roles: &[String]) {
    let (fx1, fx2) = (Fixture::new(), Fixture::new());
    let (mut one, mut bulk) = (make(&fx1), make(&fx2));
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    for (path, _) in batch() {
        if seen.insert(path.clone()) {
            *expected
                .entry(one.role_for_target(&path).unwrap())
                .or_default() += 1;
        }
    }
    for (path, f) in batch() {
        one.add_target(&path, f).unwrap();
    }
    let counts = bulk.add_targets(batch()).unwrap();
    let total: usize = counts.values().sum();
    assert_eq!(total, batch().len(), "every given entry is counted");
    assert_eq!(
        counts.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    assert!(counts.values().all(|&n| n > 1), "every role gets a batch");
    assert_eq!(contents(&mut one, roles), contents(&mut bulk, roles));
    let report = bulk.publish().unwrap();
    let mut written: Vec<_> = report.targets.iter().map(|(r, _)| r.clone()).collect();
    written.sort();
    assert_eq!(written, expected.keys().cloned().collect::<Vec<_>>());
    // A client finds the later entry of a path given twice.
    let (path, _) = batch()[7].clone();
    assert_eq!(lookup(&fx2, &bulk, &path), Some(file("v2 7")));
}

#[test]
fn named_delegations_place_as_add_target_does() {
    let roles = ["targets", "a", "b", "c"].map(String::from);
    same_as_one_by_one(named, &roles);
}

#[test]
fn succinct_bins_place_as_add_target_does() {
    let mut roles = vec!["targets".to_owned()];
    roles.extend((0..8).map(|i| format!("bin-{i}")));
    same_as_one_by_one(binned, &roles);
}

#[test]
fn later_batches_replace_and_extend_what_roles_list() {
    let fx = Fixture::new();
    let mut repo = binned(&fx);
    let batch = |range: std::ops::Range<usize>, v: &str| {
        range
            .map(|i| (format!("f/{i}"), file(&format!("{v}{i}"))))
            .collect::<Vec<_>>()
    };
    repo.add_targets(batch(0..100, "a")).unwrap();
    repo.publish().unwrap();
    // About 44 per bin, beside about 12: merged into each bin at once.
    repo.add_targets(batch(50..400, "b")).unwrap();
    repo.publish().unwrap();
    // One into a bin of about 50: inserted.
    repo.add_targets(batch(3..4, "c")).unwrap();
    let report = repo.publish().unwrap();
    assert_eq!(report.targets.len(), 1, "one bin changed");
    for i in 0..400 {
        let want = match i {
            3 => "c3".to_owned(),
            50.. => format!("b{i}"),
            _ => format!("a{i}"),
        };
        let found = lookup(&fx, &repo, &format!("f/{i}"));
        assert_eq!(found, Some(file(&want)), "f/{i}");
    }
}

#[test]
fn one_bad_path_changes_nothing() {
    let fx = Fixture::new();
    let mut repo = binned(&fx);
    let before = common::tree(&fx.repo_dir);
    let batch = vec![
        ("ok/1".to_owned(), file("1")),
        ("bad/../escape".to_owned(), file("2")),
        ("ok/3".to_owned(), file("3")),
    ];
    assert!(matches!(
        repo.add_targets(batch),
        Err(RepoError::InvalidTargetPath { path, .. }) if path == "bad/../escape"
    ));
    assert!(repo.publish().unwrap().is_empty(), "no role was touched");
    assert_eq!(common::tree(&fx.repo_dir), before);
}

#[test]
fn a_role_that_fails_to_load_changes_nothing() {
    let fx = Fixture::new();
    drop(named(&fx));
    let a_file = std::fs::read_dir(fx.repo_dir.join("metadata"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".a.json"))
        .unwrap();
    std::fs::write(&a_file, b"{ corrupt").unwrap();
    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    let before = common::tree(&fx.repo_dir);
    // The first two go to targets or b; the last needs a, which fails.
    let batch = ["lib/1", "lib/2", "apps/tool"].map(|p| (p.to_owned(), file(p)));
    assert!(matches!(
        repo.add_targets(batch),
        Err(RepoError::Metadata { .. })
    ));
    assert!(repo.publish().unwrap().is_empty(), "no role was touched");
    assert_eq!(common::tree(&fx.repo_dir), before);
}

#[test]
fn nothing_to_add_touches_nothing() {
    let fx = Fixture::new();
    let mut repo = binned(&fx);
    assert!(repo.add_targets(Vec::new()).unwrap().is_empty());
    assert!(repo.publish().unwrap().is_empty());
}
