//! The README's "Repository walkthrough", command for command: init, add,
//! status, serve, and a client that downloads and verifies a target. If
//! this test changes, the README section must change with it.

mod common;

use common::{Server, ok, p, write_target};

#[test]
fn readme_walkthrough_serves_a_target_the_client_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let keys = tmp.path().join("keys");
    let m = tmp.path().join("client-metadata");
    let out = tmp.path().join("downloads");

    // tuf repo init REPO --keys KEYS
    ok(&["repo", "init", p(&repo), "--keys", p(&keys)]);
    assert!(repo.join("metadata/1.root.json").is_file());
    assert!(repo.join("targets").is_dir());
    assert!(keys.join("keys.json").is_file());

    // tuf repo add REPO --keys KEYS FILE...  (a file and a directory)
    let hello = write_target(&repo, "hello.txt", b"hello, world\n");
    write_target(&repo, "docs/guide.md", b"# guide\n");
    write_target(&repo, "docs/api/index.html", b"<html></html>\n");
    let added = ok(&[
        "repo",
        "add",
        p(&repo),
        "--keys",
        p(&keys),
        p(&hello),
        p(&repo.join("targets/docs")),
    ]);
    assert!(
        added.contains("added hello.txt (13 bytes) to targets"),
        "{added}"
    );
    assert!(added.contains("added docs/api/index.html"), "{added}");

    // tuf repo status REPO
    let status = ok(&["repo", "status", p(&repo)]);
    for line in ["root", "timestamp", "snapshot", "targets"] {
        let row = status
            .lines()
            .find(|l| l.starts_with(line))
            .unwrap_or_else(|| panic!("no {line} row in {status}"));
        assert!(row.ends_with("ok"), "{row}");
    }
    assert!(
        status
            .lines()
            .any(|l| l.starts_with("targets") && l.contains(" 2 "))
    );

    // tuf serve REPO --addr 127.0.0.1:PORT
    let server = Server::start(&repo);

    // tuf client init --metadata-dir M REPO/metadata/1.root.json
    ok(&[
        "client",
        "init",
        "--metadata-dir",
        p(&m),
        p(&repo.join("metadata/1.root.json")),
    ]);

    // tuf client download --metadata-dir M --metadata-url ... --targets-url ... --out DIR NAME
    let got = ok(&[
        "client",
        "download",
        "--metadata-dir",
        p(&m),
        "--metadata-url",
        &server.metadata_url(),
        "--targets-url",
        &server.targets_url(),
        "--out",
        p(&out),
        "hello.txt",
        "docs/api/index.html",
    ]);
    assert!(got.contains("hello.txt: 13 bytes, verified"), "{got}");
    assert_eq!(
        std::fs::read(out.join("hello.txt")).unwrap(),
        b"hello, world\n"
    );
    assert_eq!(
        std::fs::read(out.join("docs%2Fapi%2Findex.html")).unwrap(),
        b"<html></html>\n"
    );

    // The extra commands of the section, briefly: verify and targets.
    let verify = ok(&["repo", "verify", p(&repo), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&verify).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["targets_checked"], 3);
    let listed: serde_json::Value =
        serde_json::from_str(&ok(&["repo", "targets", p(&repo), "--json"])).unwrap();
    let mut paths: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["path"].as_str().unwrap())
        .collect();
    paths.sort();
    assert_eq!(paths, ["docs/api/index.html", "docs/guide.md", "hello.txt"]);
    drop(server);
}
