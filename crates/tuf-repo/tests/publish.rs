//! init → add targets → publish, checked by `verify()` and by a client
//! built on tuf-core's TrustedMetadataSet; what a publish writes.

mod common;

use common::{Fixture, client_lookup, tree};
use tuf_core::metadata::TargetFile;
use tuf_repo::{InitOptions, Problem, RepoConfig, Repository};

#[test]
fn init_add_publish_is_accepted_by_verify_and_by_a_client() {
    let fx = Fixture::new();
    let mut repo = fx.init(InitOptions::default());
    fx.write_target("a.txt", b"hello");
    fx.write_target("dir/sub/b.bin", &[7u8; 100_000]);
    repo.add_target_tree(std::path::Path::new(""), None)
        .unwrap();
    let report = repo.publish().unwrap();
    assert_eq!(report.targets, vec![("targets".to_owned(), 2)]);
    assert_eq!((report.snapshot, report.timestamp), (Some(2), Some(2)));

    let v = repo.verify().unwrap();
    assert!(v.is_ok(), "{:?}", v.problems);
    assert_eq!(v.root_versions, vec![1]);
    assert_eq!(v.targets_checked, 2);

    // F-71: consistent-snapshot copies sit beside the file, hash before the basename.
    let info = repo.find_target("dir/sub/b.bin").unwrap().unwrap().1;
    let h = info.hashes.get("sha256").unwrap();
    assert!(
        fx.repo_dir
            .join(format!("targets/dir/sub/{h}.b.bin"))
            .is_file()
    );

    let root1 = std::fs::read(fx.repo_dir.join("metadata/1.root.json")).unwrap();
    let found = client_lookup(&fx.repo_dir, &root1, repo.now(), "dir/sub/b.bin").unwrap();
    assert_eq!(found.unwrap(), info);
    assert_eq!(
        client_lookup(&fx.repo_dir, &root1, repo.now(), "nope").unwrap(),
        None
    );
}

#[test]
fn published_files_follow_the_consistent_snapshot_layout() {
    let fx = Fixture::new();
    let mut repo = fx.init(InitOptions::default());
    repo.add_target("x", TargetFile::from_bytes(b"x", &["sha256"]).unwrap())
        .unwrap();
    repo.publish().unwrap();
    let mut names: Vec<String> = std::fs::read_dir(fx.repo_dir.join("metadata"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "1.root.json",
            "1.snapshot.json",
            "1.targets.json",
            "2.snapshot.json",
            "2.targets.json",
            "root.json",
            "timestamp.json"
        ]
    );
    // Private keys never inside the repository.
    assert!(
        tree(&fx.repo_dir)
            .keys()
            .all(|p| !p.to_string_lossy().ends_with(".pem"))
    );
    let keys = tree(&fx.keys_dir);
    assert_eq!(
        keys.keys()
            .filter(|p| p.to_string_lossy().ends_with(".pem"))
            .count(),
        4
    );
    #[cfg(unix)]
    for p in keys
        .keys()
        .filter(|p| p.to_string_lossy().ends_with(".pem"))
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(fx.keys_dir.join(p))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{p:?}");
    }
}

#[test]
fn without_consistent_snapshots_names_are_unversioned_except_root() {
    let fx = Fixture::new();
    let mut repo = fx.init(InitOptions {
        consistent_snapshot: false,
        ..InitOptions::default()
    });
    fx.write_target("a.txt", b"a");
    repo.add_target_file(std::path::Path::new("a.txt"), None)
        .unwrap();
    repo.publish().unwrap();
    let mut names: Vec<String> = tree(&fx.repo_dir.join("metadata"))
        .keys()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "1.root.json",
            "root.json",
            "snapshot.json",
            "targets.json",
            "timestamp.json"
        ]
    );
    assert_eq!(
        tree(&fx.repo_dir.join("targets")).len(),
        1,
        "no hash-prefixed copies"
    );
    let v = repo.verify().unwrap();
    assert!(v.is_ok(), "{:?}", v.problems);
}

#[test]
fn reopening_and_publishing_nothing_writes_nothing() {
    let fx = Fixture::new();
    drop(fx.init(InitOptions::default()));
    let before = tree(&fx.repo_dir);
    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    let report = repo.publish().unwrap();
    assert!(report.is_empty());
    assert_eq!(tree(&fx.repo_dir), before);
}

#[test]
fn timestamp_refresh_writes_only_the_timestamp() {
    let fx = Fixture::new();
    drop(fx.init(InitOptions::default()));
    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    let store = tuf_repo::KeyStore::open(&fx.keys_dir).unwrap();
    repo.load_signers(&store, "timestamp", None).unwrap();
    let before = tree(&fx.repo_dir);
    repo.refresh_expiry("timestamp").unwrap();
    let report = repo.publish().unwrap();
    assert_eq!((report.snapshot, report.timestamp), (None, Some(2)));
    let after = tree(&fx.repo_dir);
    let changed: Vec<_> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, _)| k.to_string_lossy().into_owned())
        .collect();
    assert_eq!(changed, ["metadata/timestamp.json"]);
}

#[test]
fn sha512_on_request_and_custom_json_are_published() {
    let fx = Fixture::new();
    let mut repo = fx.init(InitOptions {
        config: RepoConfig {
            target_hashes: vec!["sha256".into(), "sha512".into()],
            ..RepoConfig::default()
        },
        ..InitOptions::default()
    });
    fx.write_target("pkg.tgz", b"package");
    let custom = serde_json::json!({"arch": "x86_64", "n": 3});
    repo.add_target_file(std::path::Path::new("pkg.tgz"), Some(custom.clone()))
        .unwrap();
    repo.publish().unwrap();
    let root1 = std::fs::read(fx.repo_dir.join("metadata/1.root.json")).unwrap();
    let f = client_lookup(&fx.repo_dir, &root1, repo.now(), "pkg.tgz")
        .unwrap()
        .unwrap();
    assert!(f.hashes.get("sha512").is_some());
    assert_eq!(f.custom, Some(custom));
    // one copy per listed hash (F-71)
    let before = tree(&fx.repo_dir.join("targets"));
    assert_eq!(before.len(), 3);
    let v = repo.verify().unwrap();
    assert!(v.is_ok(), "{:?}", v.problems);
    assert_eq!(v.targets_checked, 2);
}

#[test]
fn verify_reports_a_tampered_target_file() {
    let fx = Fixture::new();
    let mut repo = fx.init(InitOptions::default());
    fx.write_target("a.txt", b"good");
    repo.add_target_file(std::path::Path::new("a.txt"), None)
        .unwrap();
    repo.publish().unwrap();
    let info = repo.find_target("a.txt").unwrap().unwrap().1;
    let copy = fx.repo_dir.join(format!(
        "targets/{}.a.txt",
        info.hashes.get("sha256").unwrap()
    ));
    // Replace (not rewrite) the hard-linked copy.
    std::fs::remove_file(&copy).unwrap();
    std::fs::write(&copy, b"evil").unwrap();
    let v = repo.verify().unwrap();
    assert!(
        matches!(&v.problems[..], [Problem::TargetMismatch { target, .. }] if target == "a.txt"),
        "{:?}",
        v.problems
    );
    std::fs::remove_file(&copy).unwrap();
    let v = repo.verify().unwrap();
    assert!(
        matches!(&v.problems[..], [Problem::TargetMissing { .. }]),
        "{:?}",
        v.problems
    );
}
