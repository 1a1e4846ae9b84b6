//! Role names with `/`: clients request `N.apps%2Fv1.json`, static servers
//! decode it, so `tuf repo` stores `metadata/N.apps/v1.json`. Served by
//! `tuf serve`, such a repository is readable by `tuf client` and by
//! python-tuf (through `scripts/interop/py_client.py`; set TUF_PYENV to
//! reuse an environment). Names no server maps back safely are refused
//! when the delegation is made; prune handles the subdirectories.

mod common;

use common::{Server, client_download, fails, ok, p, py_client, python, tree, write_target};

#[test]
fn a_role_named_apps_v1_is_served_from_a_subdirectory_to_both_clients() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let keys = tmp.path().join("keys");
    ok(&["repo", "init", p(&repo), "--keys", p(&keys)]);
    ok(&["key", "generate", p(&keys), "--role", "apps/v1"]);
    ok(&[
        "repo",
        "delegate",
        p(&repo),
        "--keys",
        p(&keys),
        "apps/v1",
        "--paths",
        "apps/*",
    ]);
    let file = write_target(&repo, "apps/editor", b"an editor, version 1");
    let out = ok(&["repo", "add", p(&repo), "--keys", p(&keys), p(&file)]);
    assert!(out.contains("to apps/v1"), "{out}");
    // Two versions of the role, under the decoded name.
    assert!(repo.join("metadata/1.apps/v1.json").is_file());
    assert!(repo.join("metadata/2.apps/v1.json").is_file());
    assert!(!repo.join("metadata/2.apps%2Fv1.json").exists());
    let v: serde_json::Value =
        serde_json::from_str(&ok(&["repo", "verify", p(&repo), "--json"])).unwrap();
    assert_eq!(v["ok"], true, "{v}");

    let server = Server::start(&repo);

    // tuf client
    let m = tmp.path().join("client");
    let out = client_download(
        &server,
        &repo,
        &m,
        &tmp.path().join("out"),
        &["apps/editor"],
    );
    assert!(out.contains("apps/editor: 20 bytes, verified"), "{out}");

    // python-tuf
    let python = python();
    let pm = tmp.path().join("py-metadata");
    let dl = tmp.path().join("py-downloads");
    py_client(
        &python,
        &[
            "--metadata-dir",
            p(&pm),
            "init",
            p(&repo.join("metadata/1.root.json")),
        ],
    );
    let path = py_client(
        &python,
        &[
            "--metadata-dir",
            p(&pm),
            "--metadata-url",
            &server.metadata_url(),
            "--target-name",
            "apps/editor",
            "--target-base-url",
            &server.targets_url(),
            "--target-dir",
            p(&dl),
            "download",
        ],
    );
    assert_eq!(std::fs::read(path.trim()).unwrap(), b"an editor, version 1");
    drop(server);

    // Prune removes the old version inside the subdirectory, keeps what
    // the newest snapshot needs, and removes directories it empties.
    let v2 = write_target(&repo, "apps/editor", b"an editor, version 2");
    ok(&["repo", "add", p(&repo), "--keys", p(&keys), p(&v2)]);
    let out = ok(&["repo", "prune", p(&repo), "--keep", "1"]);
    assert!(out.contains("1.apps/v1.json"), "{out}");
    assert!(
        !repo.join("metadata/1.apps").exists(),
        "emptied directory removed"
    );
    assert!(!repo.join("metadata/2.apps").exists());
    assert!(repo.join("metadata/3.apps/v1.json").is_file());
    let v: serde_json::Value =
        serde_json::from_str(&ok(&["repo", "verify", p(&repo), "--json"])).unwrap();
    assert_eq!(v["ok"], true, "{v}");
}

#[test]
fn names_a_static_server_cannot_map_back_are_refused_at_delegation() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let keys = tmp.path().join("keys");
    ok(&["repo", "init", p(&repo), "--keys", p(&keys)]);
    ok(&["key", "generate", p(&keys), "--role", "k"]);
    let before = tree(&repo);
    for (name, why) in [
        ("../x", "'.' or '..'"),
        ("a/./b", "'.' or '..'"),
        ("/abs", "starts with '/'"),
        ("a//b", "empty path segment"),
        ("a/", "empty path segment"),
        ("a\\b", "'\\'"),
        ("a?b", "'?'"),
        ("a#b", "'#'"),
        ("a%2Fb", "'%'"),
    ] {
        let line = fails(&[
            "repo",
            "delegate",
            p(&repo),
            "--keys",
            p(&keys),
            name,
            "--key-role",
            "k",
            "--paths",
            "x/*",
        ]);
        assert!(
            line.contains("cannot be published") && line.contains(why),
            "{name}: {line}"
        );
    }
    let line = fails(&[
        "repo",
        "bins",
        p(&repo),
        "--keys",
        p(&keys),
        "--bits",
        "1",
        "--prefix",
        "a#",
        "--key-role",
        "k",
    ]);
    assert!(line.contains("cannot be published"), "{line}");
    assert!(tree(&repo) == before, "refusals change nothing");
}
