//! Detached signing: export the bytes to sign, sign elsewhere, import the
//! signature, and watch the threshold status.

mod common;

use common::{Fixture, client_lookup};
use tuf_core::crypto::{KeySpec, Signer};
use tuf_core::metadata::{Signature, TargetFile, Threshold};
use tuf_repo::{InitOptions, KeyStore, RepoError, Repository, RoleKeySetup};

#[test]
fn a_threshold_of_two_is_completed_by_an_imported_signature() {
    let fx = Fixture::new();
    drop(fx.init(InitOptions {
        targets: RoleKeySetup {
            keys: vec![KeySpec::Ed25519, KeySpec::EcdsaP256],
            threshold: Threshold::new(2).unwrap(),
        },
        ..InitOptions::default()
    }));
    let store = KeyStore::open(&fx.keys_dir).unwrap();
    let entries = store.entries("targets").to_vec();
    let (local, offline) = (&entries[0], &entries[1]);

    let mut repo = Repository::open(&fx.repo_dir).unwrap();
    for r in ["snapshot", "timestamp"] {
        repo.load_signers(&store, r, None).unwrap();
    }
    repo.add_signer(std::sync::Arc::new(
        store.load_keyid(&local.keyid, None).unwrap(),
    ));
    repo.add_target("a", TargetFile::from_bytes(b"a", &["sha256"]).unwrap())
        .unwrap();

    let st = repo.signature_status("targets").unwrap();
    assert!(st.pending && !st.threshold_met() && !st.can_publish());
    assert_eq!((st.groups[0].signed, st.groups[0].can_sign), (0, 1));
    let before = common::tree(&fx.repo_dir);
    match repo.publish() {
        Err(RepoError::ThresholdNotMet {
            role,
            signed: 1,
            threshold: 2,
            from_previous_root: false,
        }) => assert_eq!(role, "targets"),
        other => panic!("{other:?}"),
    }
    assert_eq!(common::tree(&fx.repo_dir), before);

    assert_eq!(repo.sign_role("targets").unwrap(), 1);
    let bytes = repo.signable_bytes("targets").unwrap();
    // "Elsewhere": the offline key signs the exported bytes.
    let offline_key = store.load_keyid(&offline.keyid, None).unwrap();
    let good = Signature {
        keyid: offline.keyid.clone(),
        sig: hex::encode(offline_key.sign(&bytes).unwrap()),
        unrecognized: Default::default(),
    };
    let forged = Signature {
        sig: hex::encode(offline_key.sign(b"something else").unwrap()),
        ..good.clone()
    };
    assert!(matches!(
        repo.import_signature("targets", forged),
        Err(RepoError::BadSignature { .. })
    ));
    let snapshot_key = store.entries("snapshot")[0].keyid.clone();
    assert!(matches!(
        repo.import_signature(
            "targets",
            Signature {
                keyid: snapshot_key,
                ..good.clone()
            }
        ),
        Err(RepoError::KeyNotAuthorized { .. })
    ));
    repo.import_signature("targets", good).unwrap();
    let st = repo.signature_status("targets").unwrap();
    assert!(st.threshold_met());
    assert_eq!(st.groups[0].signed, 2);

    repo.publish().unwrap();
    let v = repo.verify().unwrap();
    assert!(
        v.roles
            .iter()
            .any(|r| r.role == "targets" && r.version == 2)
    );
    let root1 = std::fs::read(fx.repo_dir.join("metadata/1.root.json")).unwrap();
    assert!(
        client_lookup(&fx.repo_dir, &root1, repo.now(), "a")
            .unwrap()
            .is_some()
    );
}

#[test]
fn an_edit_after_signing_drops_the_signatures_it_invalidated() {
    let fx = Fixture::new();
    let mut repo = fx.init(InitOptions::default());
    repo.add_target("a", TargetFile::from_bytes(b"a", &["sha256"]).unwrap())
        .unwrap();
    assert_eq!(repo.sign_role("targets").unwrap(), 1);
    assert!(repo.signature_status("targets").unwrap().threshold_met());
    repo.add_target("b", TargetFile::from_bytes(b"b", &["sha256"]).unwrap())
        .unwrap();
    let st = repo.signature_status("targets").unwrap();
    assert!(!st.threshold_met() && st.can_publish());
}
