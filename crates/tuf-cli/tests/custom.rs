//! `tuf repo add --custom JSON` stores the object as the `custom` field of
//! every added target: a single file and each file of a directory tree.

mod common;

use common::{ok, p, write_target};

#[test]
fn custom_applies_to_files_and_to_every_file_of_a_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, keys) = (tmp.path().join("repo"), tmp.path().join("keys"));
    ok(&["repo", "init", p(&repo), "--keys", p(&keys)]);
    let single = write_target(&repo, "one.txt", b"1\n");
    write_target(&repo, "tree/a.txt", b"a\n");
    write_target(&repo, "tree/sub/b.txt", b"b\n");
    let plain = write_target(&repo, "plain.txt", b"p\n");
    ok(&["repo", "add", p(&repo), "--keys", p(&keys), p(&plain)]);
    ok(&[
        "repo",
        "add",
        p(&repo),
        "--keys",
        p(&keys),
        "--custom",
        r#"{"team": "infra"}"#,
        p(&single),
        p(&repo.join("targets/tree")),
    ]);

    // The newest targets.json (consistent snapshots: N.targets.json).
    let newest = std::fs::read_dir(repo.join("metadata"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter_map(|n| Some((n.strip_suffix(".targets.json")?.parse::<u64>().ok()?, n)))
        .max()
        .unwrap()
        .1;
    let md: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo.join("metadata").join(newest)).unwrap())
            .unwrap();
    let targets = &md["signed"]["targets"];
    for path in ["one.txt", "tree/a.txt", "tree/sub/b.txt"] {
        assert_eq!(
            targets[path]["custom"],
            serde_json::json!({"team": "infra"}),
            "{path}"
        );
    }
    assert!(targets["plain.txt"].get("custom").is_none(), "{targets}");
}
