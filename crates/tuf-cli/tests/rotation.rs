//! Key rotation with `tuf repo rotate-key`: root (cross-signed by the old
//! and new root keys, F-74), a top-level online key and a delegated role's
//! key; a client that trusts only root v1 follows the chain.

mod common;

use common::{Server, client_download, fails, keyids, ok, p, tree, write_target};

#[test]
fn a_client_trusting_root_v1_follows_rotations_to_new_targets() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let keys = tmp.path().join("keys");
    ok(&["repo", "init", p(&repo), "--keys", p(&keys)]);
    let old_root = keyids(&keys, "root");
    assert_eq!(old_root.len(), 1);

    // Root: a new P-384 key replaces the ed25519 one.
    ok(&[
        "key",
        "generate",
        p(&keys),
        "--role",
        "root",
        "--type",
        "ecdsa-p384",
    ]);
    let new_root = keyids(&keys, "root")
        .into_iter()
        .find(|k| k != &old_root[0])
        .unwrap();
    let out = ok(&[
        "repo",
        "rotate-key",
        p(&repo),
        "--keys",
        p(&keys),
        "root",
        "--new",
        &new_root,
    ]);
    assert!(out.contains("published root v2"), "{out}");
    let root2: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo.join("metadata/2.root.json")).unwrap()).unwrap();
    let signers: Vec<&str> = root2["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["keyid"].as_str().unwrap())
        .collect();
    assert!(
        signers.contains(&old_root[0].as_str()),
        "old root key signs v2"
    );
    assert!(
        signers.contains(&new_root.as_str()),
        "new root key signs v2"
    );
    assert_eq!(
        root2["signed"]["roles"]["root"]["keyids"],
        serde_json::json!([new_root])
    );

    // Timestamp: an online key rotated in root v3 (signed by the new root key).
    ok(&[
        "key",
        "generate",
        p(&keys),
        "--role",
        "timestamp",
        "--type",
        "rsa",
    ]);
    let old_ts = &root2["signed"]["roles"]["timestamp"]["keyids"][0];
    let new_ts = keyids(&keys, "timestamp")
        .into_iter()
        .find(|k| old_ts != k)
        .unwrap();
    let out = ok(&[
        "repo",
        "rotate-key",
        p(&repo),
        "--keys",
        p(&keys),
        "timestamp",
        "--new",
        &new_ts,
    ]);
    assert!(
        out.contains("root v3") && out.contains("timestamp v"),
        "{out}"
    );

    // A delegated role's key.
    ok(&["key", "generate", p(&keys), "--role", "alice"]);
    ok(&[
        "repo",
        "delegate",
        p(&repo),
        "--keys",
        p(&keys),
        "alice",
        "--paths",
        "alice/*",
    ]);
    let old_alice = keyids(&keys, "alice");
    ok(&[
        "key",
        "generate",
        p(&keys),
        "--role",
        "alice-2",
        "--type",
        "ecdsa",
    ]);
    let new_alice = keyids(&keys, "alice-2");
    ok(&[
        "repo",
        "rotate-key",
        p(&repo),
        "--keys",
        p(&keys),
        "alice",
        "--old",
        &old_alice[0],
        "--new",
        &new_alice[0],
    ]);
    let file = write_target(&repo, "alice/after.txt", b"after three rotations");
    let out = ok(&["repo", "add", p(&repo), "--keys", p(&keys), p(&file)]);
    assert!(out.contains("to alice"), "{out}");
    let v: serde_json::Value =
        serde_json::from_str(&ok(&["repo", "verify", p(&repo), "--json"])).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["root_versions"], serde_json::json!([1, 2, 3]));

    // Rotating to a key the store does not hold changes nothing.
    let before = tree(&repo);
    let line = fails(&[
        "repo",
        "rotate-key",
        p(&repo),
        "--keys",
        p(&keys),
        "snapshot",
        "--new",
        "00ff",
    ]);
    assert!(line.contains("no key 00ff"), "{line}");
    assert!(tree(&repo) == before);

    // Our client, trusting only root v1, follows the chain to the target.
    let server = Server::start(&repo);
    let m = tmp.path().join("m");
    let dl = tmp.path().join("dl");
    client_download(&server, &repo, &m, &dl, &["alice/after.txt"]);
    assert_eq!(
        std::fs::read(dl.join("alice%2Fafter.txt")).unwrap(),
        b"after three rotations"
    );
    assert_eq!(
        std::fs::read(m.join("root.json")).unwrap(),
        std::fs::read(repo.join("metadata/3.root.json")).unwrap()
    );
}
