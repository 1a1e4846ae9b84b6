//! Delegations by paths and hash prefixes, TAP 15 bins with automatic
//! placement, and what a one-target change in a binned repository writes.

mod common;

use common::{Fixture, client_lookup, tree};
use tuf_core::crypto::KeySpec;
use tuf_core::metadata::{PathScope, SuccinctRoles, TargetFile, Threshold};
use tuf_repo::{BinsSpec, DelegationSpec, InitOptions, KeyStore, RepoError, Repository};

fn file(data: &[u8]) -> TargetFile {
    TargetFile::from_bytes(data, &["sha256"]).unwrap()
}

#[test]
fn targets_are_placed_along_the_first_matching_delegation_chain() {
    let fx = Fixture::new();
    let mut repo = fx.init(InitOptions::default());
    let mut store = KeyStore::open(&fx.keys_dir).unwrap();
    let (_, k_a) = store.generate("a", KeySpec::Ed25519, None).unwrap();
    let (_, k_b) = store.generate("b", KeySpec::EcdsaP256, None).unwrap();
    let (_, k_c) = store.generate("c", KeySpec::Ed25519, None).unwrap();
    for r in ["targets", "a", "b", "c"] {
        repo.load_signers(&store, r, None).unwrap();
    }
    repo.add_delegation(
        "targets",
        DelegationSpec {
            name: "a".into(),
            scope: PathScope::Paths(vec!["apps/*".into()]),
            threshold: Threshold::ONE,
            terminating: true,
            keys: vec![k_a.clone()],
        },
    )
    .unwrap();
    repo.add_delegation(
        "a",
        DelegationSpec {
            name: "c".into(),
            scope: PathScope::Paths(vec!["apps/c-*".into()]),
            threshold: Threshold::ONE,
            terminating: false,
            keys: vec![k_c],
        },
    )
    .unwrap();
    // Every path hashes to some hex digit: all 16 prefixes cover everything.
    let prefixes = (0..16).map(|i| format!("{i:x}")).collect();
    repo.add_delegation(
        "targets",
        DelegationSpec {
            name: "b".into(),
            scope: PathScope::HashPrefixes(prefixes),
            threshold: Threshold::ONE,
            terminating: false,
            keys: vec![k_b],
        },
    )
    .unwrap();
    assert!(matches!(
        repo.add_delegation(
            "targets",
            DelegationSpec {
                name: "a".into(),
                scope: PathScope::Paths(vec!["*".into()]),
                threshold: Threshold::ONE,
                terminating: false,
                keys: vec![k_a],
            },
        ),
        Err(RepoError::RoleExists { .. })
    ));

    assert_eq!(repo.add_target("apps/c-tool", file(b"c")).unwrap(), "c");
    assert_eq!(repo.add_target("apps/editor", file(b"e")).unwrap(), "a");
    assert_eq!(repo.add_target("lib/x.so", file(b"x")).unwrap(), "b");
    let report = repo.publish().unwrap();
    let mut roles: Vec<_> = report.targets.iter().map(|(r, _)| r.as_str()).collect();
    roles.sort();
    assert_eq!(roles, ["a", "b", "c", "targets"]);
    let v = repo.verify().unwrap();
    // Targets are descriptions only here: the files are absent by design.
    assert_eq!(v.roles.len(), 2 + 4);
    assert!(
        v.problems
            .iter()
            .all(|p| matches!(p, tuf_repo::Problem::TargetMissing { .. }))
    );

    let root1 = std::fs::read(fx.repo_dir.join("metadata/1.root.json")).unwrap();
    for (t, data) in [
        ("apps/c-tool", b"c"),
        ("apps/editor", b"e"),
        ("lib/x.so", b"x"),
    ] {
        let found = client_lookup(&fx.repo_dir, &root1, repo.now(), t).unwrap();
        assert_eq!(found, Some(file(data)), "{t}");
    }
    // Reopen: delegated roles load lazily and verify; removal finds the role.
    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    repo.load_signers(&store, "c", None).unwrap();
    for r in ["snapshot", "timestamp"] {
        repo.load_signers(&store, r, None).unwrap();
    }
    assert_eq!(repo.remove_target("apps/c-tool").unwrap(), "c");
    let report = repo.publish().unwrap();
    assert_eq!(report.targets, vec![("c".to_owned(), 2)]);
    assert_eq!(
        client_lookup(&fx.repo_dir, &root1, repo.now(), "apps/c-tool").unwrap(),
        None
    );
}

#[test]
fn succinct_bins_get_targets_by_hash_and_one_change_rewrites_one_bin() {
    let fx = Fixture::new();
    let mut repo = fx.init(InitOptions::default());
    let mut store = KeyStore::open(&fx.keys_dir).unwrap();
    let (_, key) = store.generate("bins", KeySpec::Ed25519, None).unwrap();
    for r in ["targets", "bins"] {
        repo.load_signers(&store, r, None).unwrap();
    }
    let names = repo
        .add_succinct_bins(
            "targets",
            BinsSpec {
                bit_length: 6,
                name_prefix: "bin".into(),
                threshold: Threshold::ONE,
                keys: vec![key],
            },
        )
        .unwrap();
    assert_eq!(names.len(), 64);
    let bins = SuccinctRoles::new(Threshold::ONE, 6, "bin").unwrap();
    for i in 0..500 {
        let path = format!("t/{i}");
        let role = repo.add_target(&path, file(path.as_bytes())).unwrap();
        assert_eq!(role, bins.role_for_target(&path));
    }
    let report = repo.publish().unwrap();
    assert_eq!(report.targets.len(), 65);
    let v = repo.verify().unwrap();
    assert_eq!(v.roles.len(), 2 + 65);

    let before = tree(&fx.repo_dir);
    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    for r in ["bins", "snapshot", "timestamp"] {
        repo.load_signers(&store, r, None).unwrap();
    }
    let role = repo.add_target("t/7", file(b"changed")).unwrap();
    let report = repo.publish().unwrap();
    assert_eq!(report.targets, vec![(role.clone(), 2)]);
    let after = tree(&fx.repo_dir);
    let mut changed: Vec<String> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, _)| k.to_string_lossy().into_owned())
        .collect();
    changed.sort();
    assert_eq!(
        changed,
        [
            format!("metadata/2.{role}.json"),
            "metadata/3.snapshot.json".to_owned(),
            "metadata/timestamp.json".to_owned()
        ]
    );
    let root1 = std::fs::read(fx.repo_dir.join("metadata/1.root.json")).unwrap();
    let found = client_lookup(&fx.repo_dir, &root1, repo.now(), "t/7").unwrap();
    assert_eq!(found, Some(file(b"changed")));
}

#[test]
fn rotating_a_bin_key_re_signs_every_bin() {
    let fx = Fixture::new();
    let mut repo = fx.init(InitOptions::default());
    let mut store = KeyStore::open(&fx.keys_dir).unwrap();
    let (old_id, old) = store.generate("bins", KeySpec::Ed25519, None).unwrap();
    for r in ["targets", "bins"] {
        repo.load_signers(&store, r, None).unwrap();
    }
    repo.add_succinct_bins(
        "targets",
        BinsSpec {
            bit_length: 2,
            name_prefix: "b".into(),
            threshold: Threshold::ONE,
            keys: vec![old],
        },
    )
    .unwrap();
    repo.publish().unwrap();
    let (_, new) = store.generate("bins2", KeySpec::Ed25519, None).unwrap();
    repo.load_signers(&store, "bins2", None).unwrap();
    repo.add_delegated_key("b-0", new).unwrap();
    repo.revoke_delegated_key("b-3", &old_id).unwrap();
    let report = repo.publish().unwrap();
    assert_eq!(report.targets.len(), 5);
    let v = repo.verify().unwrap();
    assert!(v.is_ok(), "{:?}", v.problems);
}

#[test]
fn removing_a_delegation_drops_the_unpublished_edits_of_its_role() {
    let fx = Fixture::new();
    let mut repo = fx.init(InitOptions::default());
    let mut store = KeyStore::open(&fx.keys_dir).unwrap();
    let (_, k) = store.generate("a", KeySpec::Ed25519, None).unwrap();
    repo.load_signers(&store, "a", None).unwrap();
    repo.add_delegation(
        "targets",
        DelegationSpec {
            name: "a".into(),
            scope: PathScope::Paths(vec!["a/*".into()]),
            threshold: Threshold::ONE,
            terminating: false,
            keys: vec![k],
        },
    )
    .unwrap();
    repo.publish().unwrap();
    // `a` gets a new version, then stops being delegated before publish:
    // nothing could sign it any more, so the edit goes with the delegation.
    assert_eq!(repo.add_target("a/x", file(b"x")).unwrap(), "a");
    repo.remove_delegation("targets", "a").unwrap();
    assert_eq!(repo.pending_roles(), ["targets"]);
    let report = repo.publish().unwrap();
    assert_eq!(report.targets, [("targets".to_owned(), 3)]);
    assert!(repo.find_target("a/x").unwrap().is_none());
}

#[test]
fn bin_and_role_names_published_under_an_unloaded_delegator_are_taken() {
    let fx = Fixture::new();
    let mut repo = fx.init(InitOptions::default());
    let mut store = KeyStore::open(&fx.keys_dir).unwrap();
    let (_, k) = store.generate("k", KeySpec::Ed25519, None).unwrap();
    repo.load_signers(&store, "k", None).unwrap();
    for name in ["a", "b"] {
        repo.add_delegation(
            "targets",
            DelegationSpec {
                name: name.into(),
                scope: PathScope::Paths(vec![format!("{name}/*")]),
                threshold: Threshold::ONE,
                terminating: false,
                keys: vec![k.clone()],
            },
        )
        .unwrap();
    }
    let bins = |k: &tuf_core::metadata::Key| BinsSpec {
        bit_length: 1,
        name_prefix: "bin".into(),
        threshold: Threshold::ONE,
        keys: vec![k.clone()],
    };
    assert_eq!(
        repo.add_succinct_bins("a", bins(&k)).unwrap(),
        ["bin-0", "bin-1"]
    );
    repo.publish().unwrap();
    drop(repo);

    // A new session has loaded neither `a` nor its bins.
    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    match repo.add_succinct_bins("b", bins(&k)) {
        Err(RepoError::RoleExists { role }) => assert_eq!(role, "bin-0"),
        other => panic!("{other:?}"),
    }
    let spec = DelegationSpec {
        name: "bin-1".into(),
        scope: PathScope::Paths(vec!["c/*".into()]),
        threshold: Threshold::ONE,
        terminating: false,
        keys: vec![k.clone()],
    };
    match repo.add_delegation("b", spec) {
        Err(RepoError::RoleExists { role }) => assert_eq!(role, "bin-1"),
        other => panic!("{other:?}"),
    }
    assert!(repo.pending_roles().is_empty(), "refusals change nothing");
    // Another prefix is free.
    repo.load_signers(&store, "targets", None).unwrap();
    let names = repo
        .add_succinct_bins(
            "b",
            BinsSpec {
                name_prefix: "b-bin".into(),
                ..bins(&k)
            },
        )
        .unwrap();
    assert_eq!(names, ["b-bin-0", "b-bin-1"]);
}
