//! python-tuf (the reference client, `ngclient.Updater`) reads a repository
//! we wrote: every key type, named delegations, succinct bins, consistent
//! snapshots, after a root rotation, trusting only root version 1.
//!
//! Needs python-tuf: `$TUF_PYTHON`, else the interpreter that
//! `scripts/pyenv.sh` prints (it creates the venv on first use). If neither
//! works the test fails: a skipped interop test would prove nothing.

mod common;

use std::path::Path;
use std::process::Command;

use common::Fixture;
use tuf_core::RoleType;
use tuf_core::crypto::{KeySpec, RsaScheme};
use tuf_core::metadata::{PathScope, Threshold};
use tuf_repo::{
    BinsSpec, DelegationSpec, InitOptions, KeyStore, RepoConfig, Repository, RoleKeySetup,
};
use tuf_testkit::python;

#[test]
fn python_tuf_downloads_every_target_after_a_root_rotation() {
    let fx = Fixture::new();
    let rsa = KeySpec::Rsa {
        bits: 2048,
        scheme: RsaScheme::PssSha256,
    };
    drop(fx.init(InitOptions {
        root: RoleKeySetup {
            keys: vec![KeySpec::Ed25519, KeySpec::EcdsaP256],
            threshold: Threshold::new(2).unwrap(),
        },
        targets: RoleKeySetup {
            keys: vec![rsa],
            threshold: Threshold::ONE,
        },
        snapshot: RoleKeySetup {
            keys: vec![KeySpec::EcdsaP384],
            threshold: Threshold::ONE,
        },
        config: RepoConfig {
            target_hashes: vec!["sha256".into(), "sha512".into()],
            snapshot_meta_hashes: true,
            ..RepoConfig::default()
        },
        ..InitOptions::default()
    }));
    let mut store = KeyStore::open(&fx.keys_dir).unwrap();
    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    for r in ["root", "targets", "snapshot", "timestamp"] {
        repo.load_signers(&store, r, None).unwrap();
    }
    let pkcs1 = KeySpec::Rsa {
        bits: 2048,
        scheme: RsaScheme::Pkcs1v15Sha256,
    };
    let (_, k_apps) = store.generate("apps", pkcs1, None).unwrap();
    let (_, k_bins) = store.generate("bins", KeySpec::EcdsaP256, None).unwrap();
    for r in ["apps", "bins"] {
        repo.load_signers(&store, r, None).unwrap();
    }
    repo.add_delegation(
        "targets",
        DelegationSpec {
            name: "apps/v1".into(), // a name that needs percent-encoding
            scope: PathScope::Paths(vec!["apps/*".into()]),
            threshold: Threshold::ONE,
            terminating: true,
            keys: vec![k_apps],
        },
    )
    .unwrap();
    repo.add_delegation(
        "targets",
        DelegationSpec {
            name: "hashed".into(),
            scope: PathScope::HashPrefixes((0..16).map(|i| format!("{i:x}")).collect()),
            threshold: Threshold::ONE,
            terminating: false,
            keys: vec![k_bins.clone()],
        },
    )
    .unwrap();
    repo.add_succinct_bins(
        "hashed",
        BinsSpec {
            bit_length: 3,
            name_prefix: "bin".into(),
            threshold: Threshold::ONE,
            keys: vec![k_bins],
        },
    )
    .unwrap();
    let names = ["apps/editor", "data/a.txt", "data/deep/b.bin", "c"];
    for (i, n) in names.iter().enumerate() {
        fx.write_target(n, format!("content {i}").repeat(i * 1000 + 1).as_bytes());
    }
    let added = repo.add_target_tree(Path::new(""), None).unwrap();
    assert_eq!(
        added.iter().find(|a| a.path == "apps/editor").unwrap().role,
        "apps/v1"
    );
    assert!(
        added
            .iter()
            .filter(|a| a.path != "apps/editor")
            .all(|a| a.role.starts_with("bin-"))
    );
    repo.publish().unwrap();
    // Stored under the decoded name, where a static server looks for the
    // `N.apps%2Fv1.json` clients request.
    assert!(fx.repo_dir.join("metadata/1.apps/v1.json").is_file());

    // Rotate one root key (cross-signed by the old threshold) and the timestamp key.
    let old_root = store.entries("root")[0].keyid.clone();
    let old_ts = store.entries("timestamp")[0].keyid.clone();
    let (_, new_root) = store.generate("root-2", KeySpec::EcdsaP384, None).unwrap();
    let (_, new_ts) = store
        .generate("timestamp-2", KeySpec::EcdsaP256, None)
        .unwrap();
    for r in ["root-2", "timestamp-2"] {
        repo.load_signers(&store, r, None).unwrap();
    }
    repo.rotate_root_key(RoleType::Root, &old_root, new_root)
        .unwrap();
    repo.rotate_root_key(RoleType::Timestamp, &old_ts, new_ts)
        .unwrap();
    repo.publish().unwrap();
    let v = repo.verify().unwrap();
    assert!(v.is_ok(), "{:?}", v.problems);
    assert_eq!(v.root_versions, vec![1, 2]);

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/verify_with_python_tuf.py");
    let out = Command::new(python())
        .arg(script)
        .arg(&fx.repo_dir)
        .arg(fx.repo_dir.join("metadata/1.root.json"))
        .arg(fx.tmp.path().join("client"))
        .args(names)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "python-tuf refused the repository:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("root version 2\n"), "{stdout}");
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        names.len()
    );
}
