//! python-tuf's client (ngclient, through `scripts/interop/py_client.py`)
//! refreshes and downloads from a repository made only with `tuf repo`
//! and served by `tuf serve`: keys of every type, a path delegation, a
//! hash-prefix delegation with succinct hashed bins below it, and root and
//! timestamp key rotations. Needs the python that `scripts/pyenv.sh`
//! provides (set TUF_PYENV to reuse an environment).

mod common;

use std::path::Path;

use common::{Server, keyids, ok, p, py_client, python, write_target};

fn rotate(repo: &Path, keys: &Path, role: &str, key_type: &str) {
    let before = keyids(keys, role);
    ok(&[
        "key",
        "generate",
        p(keys),
        "--role",
        role,
        "--type",
        key_type,
    ]);
    let new = keyids(keys, role)
        .into_iter()
        .find(|k| !before.contains(k))
        .unwrap();
    // The role's current key is the newest one before this rotation.
    let old = before.last().unwrap();
    ok(&[
        "repo",
        "rotate-key",
        p(repo),
        "--keys",
        p(keys),
        role,
        "--old",
        old,
        "--new",
        &new,
    ]);
}

#[test]
fn python_tuf_downloads_every_kind_of_target_after_rotations() {
    let python = python();
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let keys = tmp.path().join("keys");
    ok(&[
        "repo",
        "init",
        p(&repo),
        "--keys",
        p(&keys),
        "--root-keys",
        "ed25519,rsa",
        "--root-threshold",
        "2",
        "--targets-keys",
        "ecdsa",
        "--snapshot-keys",
        "ecdsa-p384",
        "--timestamp-keys",
        "rsa",
    ]);
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
    let top = write_target(&repo, "top.txt", b"listed by targets");
    ok(&["repo", "add", p(&repo), "--keys", p(&keys), p(&top)]);
    files.push(("top.txt", b"listed by targets".to_vec()));

    // A path delegation with an ed25519 key.
    ok(&[
        "key",
        "generate",
        p(&keys),
        "--role",
        "alice",
        "--type",
        "ed25519",
    ]);
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
    // A hash-prefix delegation for everything else, split into 16 bins.
    ok(&[
        "key",
        "generate",
        p(&keys),
        "--role",
        "hashed",
        "--type",
        "ecdsa-p384",
    ]);
    ok(&[
        "repo",
        "delegate",
        p(&repo),
        "--keys",
        p(&keys),
        "hashed",
        "--hash-prefixes",
        "0,1,2,3,4,5,6,7,8,9,a,b,c,d,e,f",
    ]);
    ok(&[
        "key",
        "generate",
        p(&keys),
        "--role",
        "bin",
        "--type",
        "rsa",
    ]);
    ok(&[
        "repo",
        "bins",
        p(&repo),
        "--keys",
        p(&keys),
        "--bits",
        "4",
        "--delegator",
        "hashed",
    ]);

    let a = write_target(&repo, "alice/a.txt", b"alice's file");
    files.push(("alice/a.txt", b"alice's file".to_vec()));
    let mut args = vec!["repo", "add", p(&repo), "--keys", p(&keys), p(&a)];
    let binned: Vec<(String, Vec<u8>)> = (0..6)
        .map(|i| (format!("pkg/file-{i}.bin"), vec![i as u8; 1000 + i]))
        .collect();
    for (name, data) in &binned {
        write_target(&repo, name, data);
    }
    let pkg = repo.join("targets/pkg");
    args.push(p(&pkg));
    let added = ok(&args);
    assert!(added.contains("to alice"), "{added}");
    assert!(added.contains("to bin-"), "{added}");

    // Rotate a root key (two-of-two) and the timestamp key, then add more.
    rotate(&repo, &keys, "root", "ecdsa");
    rotate(&repo, &keys, "timestamp", "ed25519");
    let late = write_target(&repo, "pkg/late.bin", b"after the rotations");
    ok(&["repo", "add", p(&repo), "--keys", p(&keys), p(&late)]);
    files.push(("pkg/late.bin", b"after the rotations".to_vec()));
    let v: serde_json::Value =
        serde_json::from_str(&ok(&["repo", "verify", p(&repo), "--json"])).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["root_versions"], serde_json::json!([1, 2, 3]));

    let server = Server::start(&repo);
    let m = tmp.path().join("py-metadata");
    let dl = tmp.path().join("py-downloads");
    py_client(
        &python,
        &[
            "--metadata-dir",
            p(&m),
            "init",
            p(&repo.join("metadata/1.root.json")),
        ],
    );
    py_client(
        &python,
        &[
            "--metadata-dir",
            p(&m),
            "--metadata-url",
            &server.metadata_url(),
            "refresh",
        ],
    );
    let all = files
        .iter()
        .map(|(n, d)| (n.to_string(), d.clone()))
        .chain(binned);
    for (name, data) in all {
        let path = py_client(
            &python,
            &[
                "--metadata-dir",
                p(&m),
                "--metadata-url",
                &server.metadata_url(),
                "--target-name",
                &name,
                "--target-base-url",
                &server.targets_url(),
                "--target-dir",
                p(&dl),
                "download",
            ],
        );
        assert_eq!(std::fs::read(path.trim()).unwrap(), data, "{name}");
    }
    // python-tuf ended on the newest root.
    assert_eq!(
        std::fs::read(m.join("root.json")).unwrap(),
        std::fs::read(repo.join("metadata/3.root.json")).unwrap()
    );
}
