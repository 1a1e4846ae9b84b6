//! Staging: unpublished changes and the signatures collected so far survive
//! between sessions under `REPO/.tuf-repo/staged/`, are re-verified when
//! loaded, and disappear once published or discarded.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{Fixture, client_lookup, tree};
use tuf_core::crypto::{KeySpec, Signer};
use tuf_core::metadata::{Signature, Threshold};
use tuf_repo::{InitOptions, KeyStore, RepoError, Repository, RoleKeySetup};

/// A repository whose root needs two signatures; returns the store and
/// the key id of the second root key, which sessions below never load.
fn two_root_keys(fx: &Fixture) -> (KeyStore, tuf_core::metadata::KeyId) {
    drop(fx.init(InitOptions {
        root: RoleKeySetup {
            keys: vec![KeySpec::Ed25519, KeySpec::Ed25519],
            threshold: Threshold::new(2).unwrap(),
        },
        ..InitOptions::default()
    }));
    let store = KeyStore::open(&fx.keys_dir).unwrap();
    let offline = store.entries("root")[1].keyid.clone();
    (store, offline)
}

/// Open and load every key but the offline one.
fn session(fx: &Fixture, store: &KeyStore, offline: &tuf_core::metadata::KeyId) -> Repository {
    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    for role in ["targets", "snapshot", "timestamp"] {
        repo.load_signers(store, role, None).unwrap();
    }
    let online = &store.entries("root")[0].keyid;
    assert_ne!(online, offline);
    repo.add_signer(Arc::new(store.load_keyid(online, None).unwrap()));
    repo
}

fn staged_dir(repo: &Path) -> std::path::PathBuf {
    repo.join(".tuf-repo/staged")
}

#[test]
fn a_signature_imported_in_a_later_session_completes_a_staged_root() {
    let fx = Fixture::new();
    let (store, offline) = two_root_keys(&fx);
    let published = tree(&fx.repo_dir.join("metadata"));

    // Session 1: edit root and a target file, sign what we can, stage.
    let mut repo = session(&fx, &store, &offline);
    repo.refresh_expiry("root").unwrap();
    fx.write_target("app.tgz", b"app v1");
    repo.add_target_file(Path::new("app.tgz"), None).unwrap();
    assert_eq!(repo.sign_role("root").unwrap(), 1);
    assert!(matches!(
        repo.publish(),
        Err(RepoError::ThresholdNotMet { .. })
    ));
    repo.stage().unwrap();
    assert!(repo.has_staged_changes());
    assert_eq!(repo.pending_roles(), ["root", "targets"]);
    drop(repo);
    assert_eq!(
        tree(&fx.repo_dir.join("metadata")),
        published,
        "staging publishes nothing"
    );

    // Session 2: the staged edits and the signature are back.
    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    assert!(repo.has_staged_changes());
    assert_eq!(repo.pending_roles(), ["root", "targets"]);
    let st = repo.signature_status("root").unwrap();
    assert_eq!(st.version, 2);
    assert_eq!(st.groups[0].signed, 1);
    assert_eq!(st.groups[0].unsigned, std::slice::from_ref(&offline));
    assert!(
        repo.targets_role("targets")
            .unwrap()
            .signed
            .targets
            .contains_key("app.tgz")
    );
    let bytes = repo.signable_bytes("root").unwrap();
    repo.stage().unwrap();
    drop(repo);

    // "Elsewhere": the offline key signs the exported bytes.
    let key = store.load_keyid(&offline, None).unwrap();
    let sig = Signature {
        keyid: offline.clone(),
        sig: hex::encode(key.sign(&bytes).unwrap()),
        unrecognized: Default::default(),
    };

    // Session 3: import, stage; session 4: publish with the online keys.
    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    repo.import_signature("root", sig).unwrap();
    assert!(repo.signature_status("root").unwrap().threshold_met());
    repo.stage().unwrap();
    drop(repo);
    let mut repo = session(&fx, &store, &offline);
    let report = repo.publish().unwrap();
    assert_eq!(report.root, Some(2));
    assert_eq!(report.target_copies, 1, "the staged target file is linked");
    assert!(!repo.has_staged_changes());
    assert!(!staged_dir(&fx.repo_dir).exists());

    let v = repo.verify().unwrap();
    assert!(v.problems.is_empty(), "{:?}", v.problems);
    assert_eq!(v.root_versions, [1, 2]);
    let root1 = std::fs::read(fx.repo_dir.join("metadata/1.root.json")).unwrap();
    assert!(
        client_lookup(&fx.repo_dir, &root1, repo.now(), "app.tgz")
            .unwrap()
            .is_some()
    );
    drop(repo);
    let reopened = Repository::open(&fx.repo_dir).unwrap();
    assert!(reopened.pending_roles().is_empty());
}

#[test]
fn tampered_staging_is_refused_and_can_be_discarded() {
    let fx = Fixture::new();
    let (store, offline) = two_root_keys(&fx);
    let mut repo = session(&fx, &store, &offline);
    repo.refresh_expiry("root").unwrap();
    repo.sign_role("root").unwrap();
    repo.stage().unwrap();
    drop(repo);
    let roles = staged_dir(&fx.repo_dir).join("roles");
    let file = std::fs::read_dir(&roles)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let good = std::fs::read(&file).unwrap();

    // A changed byte no longer matches the file's hash name.
    let mut changed = good.clone();
    let at = changed.iter().position(|b| *b == b'2').unwrap();
    changed[at] = b'3';
    std::fs::write(&file, &changed).unwrap();
    match Repository::open(&fx.repo_dir) {
        Err(RepoError::Staged { source, .. }) => {
            assert!(
                matches!(*source, RepoError::BadStateFile { .. }),
                "{source}"
            )
        }
        other => panic!("{other:?}"),
    }

    // A forged signature under a consistent hash name is caught too.
    let mut md: serde_json::Value = serde_json::from_slice(&good).unwrap();
    md["signatures"][0]["sig"] = serde_json::json!("00".repeat(64));
    let forged = tuf_core::json::to_pretty(&md);
    let sha = hex_sha256(&forged);
    std::fs::remove_file(&file).unwrap();
    std::fs::write(roles.join(format!("{sha}.json")), &forged).unwrap();
    let manifest_path = staged_dir(&fx.repo_dir).join("staged.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    manifest["roles"][0]["sha256"] = serde_json::json!(sha);
    std::fs::write(&manifest_path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    match Repository::open(&fx.repo_dir) {
        Err(RepoError::Staged { source, .. }) => {
            assert!(
                matches!(*source, RepoError::BadSignature { .. }),
                "{source}"
            )
        }
        other => panic!("{other:?}"),
    }

    // The published state still opens; discarding starts over.
    let mut repo = Repository::open_published(&fx.repo_dir).unwrap();
    assert!(repo.has_staged_changes());
    assert!(repo.pending_roles().is_empty());
    repo.discard_staged().unwrap();
    assert!(!staged_dir(&fx.repo_dir).exists());
    let repo = Repository::open(&fx.repo_dir).unwrap();
    assert!(!repo.has_staged_changes());
    assert_eq!(repo.root().signed.version.get(), 1);
}

#[test]
fn a_staging_overtaken_by_a_publish_is_stale() {
    let fx = Fixture::new();
    let mut repo = fx.init(InitOptions::default());
    repo.refresh_expiry("targets").unwrap();
    repo.stage().unwrap();
    let saved = fx.tmp.path().join("saved");
    copy_dir(&staged_dir(&fx.repo_dir), &saved);
    // Publishing (here: the same edit) clears the staging ...
    repo.publish().unwrap();
    assert!(!staged_dir(&fx.repo_dir).exists());
    drop(repo);
    // ... so a staging made before it that reappears no longer applies.
    copy_dir(&saved, &staged_dir(&fx.repo_dir));
    match Repository::open(&fx.repo_dir) {
        Err(RepoError::Staged { source, .. }) => match *source {
            RepoError::StagedStale {
                role,
                staged_from: Some(1),
                published: Some(2),
            } => assert_eq!(role, "targets"),
            other => panic!("{other}"),
        },
        other => panic!("{other:?}"),
    }
}

#[test]
fn discarding_drops_pending_edits_and_staging_nothing_removes_the_staging() {
    let fx = Fixture::new();
    let mut repo = fx.init(InitOptions::default());
    repo.refresh_expiry("targets").unwrap();
    repo.stage().unwrap();
    assert!(staged_dir(&fx.repo_dir).join("staged.json").exists());
    repo.discard_staged().unwrap();
    assert!(repo.pending_roles().is_empty());
    assert!(!staged_dir(&fx.repo_dir).exists());
    // Signers survive a discard: the next edit still publishes.
    repo.refresh_expiry("targets").unwrap();
    assert_eq!(repo.publish().unwrap().targets, [("targets".to_owned(), 2)]);

    repo.stage().unwrap();
    assert!(!repo.has_staged_changes());
    assert!(!staged_dir(&fx.repo_dir).exists());
}

#[test]
fn detached_signing_refuses_roles_without_a_new_version_and_online_roles() {
    let fx = Fixture::new();
    let mut repo = fx.init(InitOptions::default());
    let sig = Signature {
        keyid: repo.root().signed.role(tuf_core::RoleType::Targets).keyids[0].clone(),
        sig: "00".into(),
        unrecognized: Default::default(),
    };
    assert!(matches!(
        repo.import_signature("targets", sig.clone()),
        Err(RepoError::NothingToSign { .. })
    ));
    repo.refresh_expiry("snapshot").unwrap();
    assert!(matches!(
        repo.import_signature("snapshot", sig),
        Err(RepoError::SignedAtPublish { .. })
    ));
}

fn hex_sha256(bytes: &[u8]) -> String {
    let h = tuf_core::metadata::hashes::digest_bytes(bytes, &["sha256"]).unwrap();
    h.iter().next().unwrap().1.to_owned()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

#[test]
fn a_staged_new_delegation_continues_in_the_next_session() {
    let fx = Fixture::new();
    drop(fx.init(InitOptions::default()));
    let mut store = KeyStore::open(&fx.keys_dir).unwrap();
    let (_, alice) = store.generate("alice", KeySpec::Ed25519, None).unwrap();
    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    repo.add_delegation(
        "targets",
        tuf_repo::DelegationSpec {
            name: "alice".into(),
            scope: tuf_core::metadata::PathScope::Paths(vec!["alice/*".into()]),
            threshold: Threshold::ONE,
            terminating: false,
            keys: vec![alice],
        },
    )
    .unwrap();
    repo.add_target(
        "alice/a.txt",
        tuf_core::metadata::TargetFile::from_bytes(b"a", &["sha256"]).unwrap(),
    )
    .unwrap();
    repo.stage().unwrap();
    drop(repo);

    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    assert_eq!(repo.pending_roles(), ["alice", "targets"]);
    for r in ["targets", "alice", "snapshot", "timestamp"] {
        repo.load_signers(&store, r, None).unwrap();
    }
    let report = repo.publish().unwrap();
    assert_eq!(
        report.targets,
        [("alice".to_owned(), 1), ("targets".to_owned(), 2)]
    );
    let root1 = std::fs::read(fx.repo_dir.join("metadata/1.root.json")).unwrap();
    let found = client_lookup(&fx.repo_dir, &root1, repo.now(), "alice/a.txt").unwrap();
    assert_eq!(found.unwrap().length, 1);
}
