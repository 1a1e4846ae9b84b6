//! Every bad input is a typed error and leaves the repository on disk (and
//! what the next publish would write) exactly as it was.

mod common;

use std::path::Path;

use common::{Fixture, tree};
use tuf_core::DateTime;
use tuf_core::crypto::{KeyError, KeySpec};
use tuf_core::metadata::{TargetFile, Threshold};
use tuf_repo::{BinsSpec, InitOptions, KeyStore, RepoError, Repository, TargetPathError};

const T0: DateTime = DateTime::from_unix(1_900_000_000);

fn init_at_t0(fx: &Fixture) -> Repository {
    fx.init(InitOptions {
        now: Some(T0),
        ..InitOptions::default()
    })
}

fn file(b: &[u8]) -> TargetFile {
    TargetFile::from_bytes(b, &["sha256"]).unwrap()
}

#[test]
fn publishing_without_the_needed_key_changes_nothing() {
    let fx = Fixture::new();
    drop(init_at_t0(&fx));
    let before = tree(&fx.repo_dir);
    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    repo.set_time(T0);
    repo.add_target("a", file(b"a")).unwrap();
    assert!(matches!(
        repo.publish(),
        Err(RepoError::ThresholdNotMet { role, signed: 0, threshold: 1, .. }) if role == "targets"
    ));
    assert_eq!(tree(&fx.repo_dir), before);
    let store = KeyStore::open(&fx.keys_dir).unwrap();
    assert!(matches!(
        store.load("nobody", None),
        Err(RepoError::MissingKey { role }) if role == "nobody"
    ));
}

#[test]
fn a_wrong_or_missing_passphrase_is_a_typed_error() {
    let fx = Fixture::new();
    drop(init_at_t0(&fx));
    let mut store = KeyStore::open(&fx.keys_dir).unwrap();
    // One encrypted key only: each PBKDF2 run (600,000 rounds) is slow in debug builds.
    store
        .generate("release", KeySpec::Ed25519, Some(b"correct horse"))
        .unwrap();
    assert!(store.entries("release")[0].encrypted);
    let before = tree(&fx.repo_dir);
    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    assert!(matches!(
        repo.load_signers(&store, "release", Some(b"wrong")),
        Err(RepoError::KeyFile {
            source: KeyError::WrongPassphrase,
            ..
        })
    ));
    assert!(matches!(
        repo.load_signers(&store, "release", None),
        Err(RepoError::KeyFile {
            source: KeyError::PassphraseRequired,
            ..
        })
    ));
    assert!(repo.publish().unwrap().is_empty());
    assert_eq!(tree(&fx.repo_dir), before);
}

#[test]
fn an_expired_role_blocks_publishing_until_refreshed() {
    let fx = Fixture::new();
    drop(init_at_t0(&fx));
    let store = KeyStore::open(&fx.keys_dir).unwrap();
    fx.write_target("a", b"a");
    let before = tree(&fx.repo_dir);
    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    for r in ["root", "targets", "snapshot", "timestamp"] {
        repo.load_signers(&store, r, None).unwrap();
    }
    // Targets (90 days) expired; only the timestamp is refreshed.
    repo.set_time(T0.plus_days(100));
    repo.refresh_expiry("timestamp").unwrap();
    assert!(matches!(
        repo.publish(),
        Err(RepoError::Expired { role, .. }) if role == "targets"
    ));
    // Root (365 days) expired under a target change.
    repo.set_time(T0.plus_days(400));
    repo.add_target_file(Path::new("a"), None).unwrap();
    assert!(matches!(
        repo.publish(),
        Err(RepoError::Expired { role, .. }) if role == "root"
    ));
    assert_eq!(tree(&fx.repo_dir), before);
    repo.refresh_expiry("root").unwrap();
    repo.publish().unwrap();
    let v = repo.verify().unwrap();
    assert!(v.is_ok(), "{:?}", v.problems);
}

#[test]
fn target_paths_outside_the_repository_are_refused() {
    let fx = Fixture::new();
    let mut repo = init_at_t0(&fx);
    std::fs::write(fx.tmp.path().join("outside.txt"), b"secret").unwrap();
    fx.write_target("inside.txt", b"ok");
    let before = tree(&fx.repo_dir);
    assert!(matches!(
        repo.add_target_file(Path::new("../../outside.txt"), None),
        Err(RepoError::TargetOutsideRepository { .. })
    ));
    assert!(matches!(
        repo.add_target_file(&fx.tmp.path().join("outside.txt"), None),
        Err(RepoError::TargetOutsideRepository { .. })
    ));
    assert!(matches!(
        repo.add_target_tree(Path::new(".."), None),
        Err(RepoError::TargetOutsideRepository { .. })
    ));
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(
            fx.tmp.path().join("outside.txt"),
            fx.repo_dir.join("targets/link.txt"),
        )
        .unwrap();
        assert!(matches!(
            repo.add_target_file(Path::new("link.txt"), None),
            Err(RepoError::TargetOutsideRepository { .. })
        ));
        // A tree walk meets the same link and refuses the whole batch.
        assert!(matches!(
            repo.add_target_tree(Path::new(""), None),
            Err(RepoError::TargetOutsideRepository { .. })
        ));
        std::fs::remove_file(fx.repo_dir.join("targets/link.txt")).unwrap();
    }
    assert!(matches!(
        repo.add_target("a/../../etc/passwd", file(b"x")),
        Err(RepoError::InvalidTargetPath {
            reason: TargetPathError::DotSegment,
            ..
        })
    ));
    assert_eq!(tree(&fx.repo_dir), before);
    // Nothing was staged in memory either.
    assert!(repo.publish().unwrap().is_empty());
}

#[test]
fn a_target_changed_after_hashing_is_not_published() {
    let fx = Fixture::new();
    let mut repo = init_at_t0(&fx);
    fx.write_target("a.txt", b"first");
    repo.add_target_file(Path::new("a.txt"), None).unwrap();
    fx.write_target("a.txt", b"second, longer");
    let before = tree(&fx.repo_dir);
    assert!(matches!(repo.publish(), Err(RepoError::TargetChanged { path }) if path == "a.txt"));
    assert_eq!(tree(&fx.repo_dir), before);
}

#[test]
fn corrupt_or_tampered_metadata_is_refused_on_open_and_on_lazy_load() {
    let fx = Fixture::new();
    let mut repo = init_at_t0(&fx);
    let mut store = KeyStore::open(&fx.keys_dir).unwrap();
    let (_, key) = store.generate("bins", KeySpec::Ed25519, None).unwrap();
    repo.load_signers(&store, "bins", None).unwrap();
    repo.add_succinct_bins(
        "targets",
        BinsSpec {
            bit_length: 1,
            name_prefix: "bin".into(),
            threshold: Threshold::ONE,
            keys: vec![key],
        },
    )
    .unwrap();
    let bin = repo.add_target("a", file(b"a")).unwrap();
    repo.publish().unwrap();
    let meta = fx.repo_dir.join("metadata");

    // Truncated top-level targets: a format error naming the file.
    let t = meta.join("2.targets.json");
    let good = std::fs::read(&t).unwrap();
    std::fs::write(&t, &good[..good.len() / 2]).unwrap();
    let before = tree(&fx.repo_dir);
    assert!(matches!(
        Repository::open(&fx.repo_dir),
        Err(RepoError::Metadata { path, .. }) if path == t
    ));
    assert_eq!(tree(&fx.repo_dir), before);
    std::fs::write(&t, &good).unwrap();

    // A bin edited by hand (valid JSON, bad signature): refused when loaded.
    let b = meta.join(format!("1.{bin}.json"));
    let text = std::fs::read_to_string(&b).unwrap();
    let sha = file(b"a").hashes.get("sha256").unwrap().to_owned();
    std::fs::write(&b, text.replace(&sha, &"0".repeat(64))).unwrap();
    let before = tree(&fx.repo_dir);
    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    assert!(matches!(
        repo.add_target("a", file(b"b")),
        Err(RepoError::Untrusted { path, source: tuf_core::Error::Verify(_) }) if path == b
    ));
    assert!(repo.publish().unwrap().is_empty());
    assert_eq!(tree(&fx.repo_dir), before);
    assert!(!repo.verify().unwrap().is_ok());
}

#[test]
fn init_refuses_an_existing_repository() {
    let fx = Fixture::new();
    drop(init_at_t0(&fx));
    let before = tree(&fx.repo_dir);
    assert!(matches!(
        Repository::init(&fx.repo_dir, &fx.keys_dir, InitOptions::default()),
        Err(RepoError::AlreadyInitialized { .. })
    ));
    assert_eq!(tree(&fx.repo_dir), before);
}
