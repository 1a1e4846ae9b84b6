//! Detached signing across separate `tuf` runs: a root whose threshold is 2
//! with one key kept offline; edits are staged, the bytes to sign are
//! exported, signed by the offline key, imported, and published; a client
//! that trusts root v1 accepts root v2.

mod common;

use std::path::{Path, PathBuf};

use common::{Server, client_download, fails, ok, p, tree, write_target};
use tuf_core::crypto::{PrivateKey, Signer};

/// `tuf key list KEYS --json` entries as (role, keyid, file).
fn key_entries(keys: &Path) -> Vec<(String, String, String)> {
    let v: serde_json::Value =
        serde_json::from_str(&ok(&["key", "list", p(keys), "--json"])).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |f: &str| e[f].as_str().unwrap().to_owned();
            (s("role"), s("keyid"), s("file"))
        })
        .collect()
}

/// A repository whose root needs two of its two keys. KEYS gets every key
/// but the second root key, which goes to OFFLINE alone. Returns
/// (repo, KEYS, OFFLINE, offline key id).
fn setup(tmp: &Path) -> (PathBuf, PathBuf, PathBuf, String) {
    let repo = tmp.join("repo");
    let all = tmp.join("generated");
    let keys = tmp.join("keys");
    let offline = tmp.join("offline");
    ok(&[
        "repo",
        "init",
        p(&repo),
        "--keys",
        p(&all),
        "--root-keys",
        "ed25519,ecdsa",
        "--root-threshold",
        "2",
    ]);
    let entries = key_entries(&all);
    let offline_id = entries
        .iter()
        .filter(|(role, _, _)| role == "root")
        .nth(1)
        .unwrap()
        .1
        .clone();
    for (role, keyid, file) in &entries {
        let dest = if *keyid == offline_id {
            &offline
        } else {
            &keys
        };
        ok(&["key", "import", p(dest), "--role", role, p(&all.join(file))]);
    }
    std::fs::remove_dir_all(&all).unwrap();
    (repo, keys, offline, offline_id)
}

/// What an offline signer does with the exported bytes: sign them with
/// its PEM key, here through tuf-core.
fn offline_sign(offline: &Path, bytes: &[u8]) -> String {
    let (_, _, file) = key_entries(offline).remove(0);
    let pem = std::fs::read_to_string(offline.join(file)).unwrap();
    let key = PrivateKey::from_pem(&pem, None).unwrap();
    key.sign(bytes)
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn status(repo: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(&["repo", "status", p(repo), "--json"])).unwrap()
}

fn role<'a>(status: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    status["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["role"] == name)
        .unwrap()
}

#[test]
fn an_offline_root_signature_completes_a_staged_root_a_client_accepts() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, keys, offline, offline_id) = setup(tmp.path());
    let published = tree(&repo.join("metadata"));

    // Without the offline key the edit cannot publish; nothing changes.
    let before = tree(&repo);
    let line = fails(&["repo", "expire", p(&repo), "--keys", p(&keys), "root"]);
    assert!(
        line.contains("1 of 2") && line.contains("--stage"),
        "{line}"
    );
    assert!(tree(&repo) == before);

    // With --stage it is kept, signed by the key at hand.
    let out = ok(&[
        "repo",
        "expire",
        p(&repo),
        "--keys",
        p(&keys),
        "root",
        "--stage",
    ]);
    assert!(
        out.contains("staged root v2: needs 1 more signature(s)"),
        "{out}"
    );
    assert!(
        out.contains(&offline_id),
        "the missing signer is named: {out}"
    );
    // A second edit, in another run, continues from the staged state.
    let file = write_target(&repo, "app.tgz", b"app v2");
    let out = ok(&[
        "repo",
        "add",
        p(&repo),
        "--keys",
        p(&keys),
        "--stage",
        p(&file),
    ]);
    assert!(
        out.contains("staged root v2") && out.contains("staged targets v2"),
        "{out}"
    );
    assert!(
        out.contains("staged targets v2: signatures complete"),
        "{out}"
    );
    assert!(
        tree(&repo.join("metadata")) == published,
        "staging publishes nothing"
    );

    // status says who must sign what.
    let st = status(&repo);
    assert_eq!(st["staged"], true);
    let root = role(&st, "root");
    assert_eq!(
        (root["version"].as_u64(), root["published_version"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(root["threshold_met"], false);
    for g in root["signatures"].as_array().unwrap() {
        assert_eq!(g["signed"], 1);
        assert_eq!(g["unsigned_keyids"], serde_json::json!([offline_id]));
    }
    assert!(root["needs"].as_str().unwrap().contains(&offline_id));
    assert_eq!(role(&st, "targets")["threshold_met"], true);
    let text = ok(&["repo", "status", p(&repo)]);
    assert!(text.contains("staged changes"), "{text}");

    // export-signable: the bytes, and who may sign them.
    let bytes_file = tmp.path().join("root.signable");
    let env: serde_json::Value = serde_json::from_str(&ok(&[
        "repo",
        "export-signable",
        p(&repo),
        "root",
        "-o",
        p(&bytes_file),
    ]))
    .unwrap();
    assert_eq!(env["role"], "root");
    assert_eq!(env["version"], 2);
    assert_eq!(env["keyids"], serde_json::json!([offline_id]));
    let bytes = std::fs::read(&bytes_file).unwrap();
    let inline: serde_json::Value =
        serde_json::from_str(&ok(&["repo", "export-signable", p(&repo), "root"])).unwrap();
    assert_eq!(inline["signable"].as_str().unwrap().as_bytes(), bytes);
    assert_eq!(inline["sha256"], env["sha256"]);
    // Canonical JSON (OLPC): sorted keys, no spaces, strings unescaped
    // except `"` and `\\` (an ECDSA PEM keeps its raw newlines).
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with("{\"_type\":\"root\","), "{text}");
    assert!(text.ends_with(",\"version\":2}"), "{text}");

    // A signature over anything else, or by a key root does not list, is refused.
    let staged = tree(&repo);
    let wrong = offline_sign(&offline, b"not the root");
    let line = fails(&[
        "repo",
        "import-signature",
        p(&repo),
        "root",
        "--keyid",
        &offline_id,
        "--sig",
        &wrong,
    ]);
    assert!(line.contains("does not verify"), "{line}");
    let line = fails(&[
        "repo",
        "import-signature",
        p(&repo),
        "root",
        "--keyid",
        "00ff",
        "--sig",
        &wrong,
    ]);
    assert!(line.contains("not authorized"), "{line}");
    assert!(tree(&repo) == staged, "refused signatures change nothing");

    // The offline signer signs; the signature comes back as a file.
    let sig_file = tmp.path().join("root.sig");
    std::fs::write(&sig_file, offline_sign(&offline, &bytes) + "\n").unwrap();
    let out = ok(&[
        "repo",
        "import-signature",
        p(&repo),
        "root",
        "--keyid",
        &offline_id,
        "--file",
        p(&sig_file),
    ]);
    assert!(out.contains("verified and staged"), "{out}");
    assert!(out.contains("staged root v2: signatures complete"), "{out}");
    assert!(out.contains("ready"), "{out}");
    assert_eq!(role(&status(&repo), "root")["threshold_met"], true);

    // Publishing needs snapshot and timestamp keys for the new targets.
    let line = fails(&["repo", "publish", p(&repo)]);
    assert!(line.contains("snapshot"), "{line}");
    let out = ok(&["repo", "publish", p(&repo), "--keys", p(&keys)]);
    assert!(
        out.contains("root v2") && out.contains("targets v2"),
        "{out}"
    );
    assert!(!repo.join(".tuf-repo/staged").exists());
    assert_eq!(status(&repo)["staged"], false);
    let root2: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo.join("metadata/2.root.json")).unwrap()).unwrap();
    assert_eq!(root2["signatures"].as_array().unwrap().len(), 2);

    // A client trusting root v1 accepts root v2 and the new target.
    let server = Server::start(&repo);
    let m = tmp.path().join("client");
    let out = client_download(&server, &repo, &m, &tmp.path().join("out"), &["app.tgz"]);
    assert!(out.contains("trusted: root v2"), "{out}");
    assert!(out.contains("app.tgz: 6 bytes, verified"), "{out}");
    let v: serde_json::Value =
        serde_json::from_str(&ok(&["repo", "verify", p(&repo), "--json"])).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["root_versions"], serde_json::json!([1, 2]));
}

#[test]
fn sign_collects_signatures_from_another_key_store_and_discard_drops_a_staging() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, keys, offline, offline_id) = setup(tmp.path());

    // Nothing staged: nothing to sign, export or discard.
    let line = fails(&["repo", "export-signable", p(&repo), "root"]);
    assert!(line.contains("no unpublished version"), "{line}");
    let line = fails(&["repo", "export-signable", p(&repo), "snapshot"]);
    assert!(line.contains("signed at publish"), "{line}");
    assert!(ok(&["repo", "discard", p(&repo)]).contains("no staged changes"));

    ok(&[
        "repo",
        "expire",
        p(&repo),
        "--keys",
        p(&keys),
        "root",
        "--stage",
    ]);
    // The offline store alone completes root; root alone needs no
    // snapshot or timestamp, so sign publishes at once...
    let out = ok(&[
        "repo",
        "sign",
        p(&repo),
        "--keys",
        p(&offline),
        "--no-publish",
    ]);
    assert!(
        out.contains("root: 1 new signature(s)") && out.contains("ready"),
        "{out}"
    );
    assert!(
        !repo.join("metadata/2.root.json").exists(),
        "--no-publish publishes nothing"
    );
    let out = ok(&["repo", "sign", p(&repo), "--keys", p(&offline)]);
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
        signers.contains(&offline_id.as_str()) && signers.len() == 2,
        "{signers:?}"
    );

    // ... while a staged target change also needs snapshot and timestamp
    // keys, which the offline store lacks: it stays staged.
    let file = write_target(&repo, "a.txt", b"a");
    ok(&[
        "repo",
        "add",
        p(&repo),
        "--keys",
        p(&keys),
        "--stage",
        p(&file),
    ]);
    let out = ok(&["repo", "sign", p(&repo), "--keys", p(&offline)]);
    assert!(
        out.contains("not published yet") && out.contains("snapshot"),
        "{out}"
    );
    assert_eq!(status(&repo)["staged"], true);

    // Discarding goes back to what is published.
    let out = ok(&["repo", "discard", p(&repo)]);
    assert!(out.contains("discarded"), "{out}");
    let st = status(&repo);
    assert_eq!(st["staged"], false);
    assert_eq!(role(&st, "targets")["version"], 1);
    let line = fails(&["repo", "sign", p(&repo), "--keys", p(&keys), "targets"]);
    assert!(line.contains("no unpublished version"), "{line}");
}

#[test]
fn a_corrupt_staging_names_the_way_out() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, keys, _, _) = setup(tmp.path());
    ok(&[
        "repo",
        "expire",
        p(&repo),
        "--keys",
        p(&keys),
        "root",
        "--stage",
    ]);
    std::fs::write(repo.join(".tuf-repo/staged/staged.json"), b"{not json").unwrap();
    let line = fails(&["repo", "status", p(&repo)]);
    assert!(
        line.contains("staged changes") && line.contains("tuf repo discard"),
        "{line}"
    );
    ok(&["repo", "discard", p(&repo)]);
    assert_eq!(status(&repo)["staged"], false);
}
