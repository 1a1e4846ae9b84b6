//! Bad input never half-changes a repository: each case ends with exit
//! code 1, one error line on stderr, and the repository and key store byte
//! for byte as they were.

mod common;

use std::path::{Path, PathBuf};

use common::{fails, ok, p, tree, write_target};

struct Repo {
    tmp: tempfile::TempDir,
    dir: PathBuf,
    keys: PathBuf,
    outside: PathBuf,
}

/// A published repository with one target, and a file outside it.
fn repo(init_extra: &[&str]) -> Repo {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo");
    let keys = tmp.path().join("keys");
    let mut args = vec!["repo", "init", p(&dir), "--keys", p(&keys)];
    args.extend_from_slice(init_extra);
    ok(&args);
    let outside = tmp.path().join("outside.txt");
    std::fs::write(&outside, b"not in the repository").unwrap();
    Repo {
        tmp,
        dir,
        keys,
        outside,
    }
}

/// Run `tuf ARGS`, expect one error line containing `expect`, and nothing
/// changed under `dirs`.
fn rejected(dirs: &[&Path], args: &[&str], expect: &str) {
    let before: Vec<_> = dirs.iter().map(|d| tree(d)).collect();
    let line = fails(args);
    assert!(line.contains(expect), "{line:?} should mention {expect:?}");
    for (d, b) in dirs.iter().zip(before) {
        assert!(tree(d) == b, "{} changed after: {line}", d.display());
    }
}

fn add<'a>(r: &'a Repo, keys: &'a Path, file: &'a Path) -> Vec<&'a str> {
    vec!["repo", "add", p(&r.dir), "--keys", p(keys), p(file)]
}

#[test]
fn a_key_store_without_the_signing_key_is_refused() {
    let r = repo(&[]);
    let file = write_target(&r.dir, "a.txt", b"a");
    let other = r.tmp.path().join("other-keys");
    ok(&["key", "generate", p(&other), "--role", "unrelated"]);
    rejected(
        &[&r.dir, &r.keys],
        &add(&r, &other, &file),
        "targets: 0 of 1 required signatures",
    );
    rejected(
        &[&r.dir],
        &add(&r, &r.tmp.path().join("no-such-store"), &file),
        "does not exist",
    );
}

#[test]
fn a_wrong_or_missing_passphrase_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, keys) = (tmp.path().join("repo"), tmp.path().join("keys"));
    let init = common::tuf()
        .args(["repo", "init", p(&dir), "--keys", p(&keys)])
        .args(["--passphrase-env", "TUF_TEST_PASS"])
        .env("TUF_TEST_PASS", "correct horse")
        .output()
        .unwrap();
    assert!(init.status.success());
    let file = write_target(&dir, "a.txt", b"a");
    let args = [
        "repo",
        "add",
        p(&dir),
        "--keys",
        p(&keys),
        "--passphrase-env",
        "TUF_TEST_PASS",
        p(&file),
    ];
    let before = (tree(&dir), tree(&keys));
    let out = common::tuf()
        .args(args)
        .env("TUF_TEST_PASS", "wrong")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("wrong passphrase"), "{stderr}");
    assert!((tree(&dir), tree(&keys)) == before);
    // The variable named but not set, and no passphrase at all.
    rejected(
        &[&dir, &keys],
        &args,
        "TUF_TEST_PASS (--passphrase-env) is not set",
    );
    rejected(
        &[&dir, &keys],
        &["repo", "add", p(&dir), "--keys", p(&keys), p(&file)],
        "passphrase is required",
    );
    // The right passphrase works.
    let out = common::tuf()
        .args(args)
        .env("TUF_TEST_PASS", "correct horse")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn publishing_over_an_expired_role_is_refused() {
    let r = repo(&["--expiry", "root=2s"]);
    let file = write_target(&r.dir, "a.txt", b"a");
    std::thread::sleep(std::time::Duration::from_millis(2500));
    rejected(
        &[&r.dir, &r.keys],
        &add(&r, &r.keys, &file),
        "root expired at",
    );
    let status = ok(&["repo", "status", p(&r.dir)]);
    assert!(status.contains("EXPIRED"), "{status}");
}

#[test]
fn a_target_outside_the_repository_is_refused() {
    let r = repo(&[]);
    rejected(
        &[&r.dir],
        &add(&r, &r.keys, &r.outside),
        "outside the repository's targets directory",
    );
    // A link inside targets/ that points outside is just as foreign.
    #[cfg(unix)]
    {
        let link = r.dir.join("targets/link.txt");
        std::os::unix::fs::symlink(&r.outside, &link).unwrap();
        rejected(
            &[&r.dir],
            &add(&r, &r.keys, &link),
            "outside the repository's targets directory",
        );
    }
    // One bad file among good ones: none is added.
    let good = write_target(&r.dir, "good.txt", b"good");
    let mut args = add(&r, &r.keys, &good);
    args.push(p(&r.outside));
    rejected(&[&r.dir], &args, "outside");
    rejected(
        &[&r.dir],
        &add(&r, &r.keys, &r.dir.join("targets/missing.txt")),
        "missing.txt",
    );
}

#[test]
fn corrupted_metadata_is_refused_by_every_command() {
    let r = repo(&[]);
    let file = write_target(&r.dir, "a.txt", b"a");
    ok(&add(&r, &r.keys, &file));
    // A valid-looking edit that breaks the signature, then plain garbage.
    let targets = r.dir.join("metadata/2.targets.json");
    let text = std::fs::read_to_string(&targets).unwrap();
    std::fs::write(&targets, text.replace("\"version\": 2", "\"version\": 3")).unwrap();
    let file_b = write_target(&r.dir, "b.txt", b"b");
    rejected(
        &[&r.dir, &r.keys],
        &add(&r, &r.keys, &file_b),
        "2.targets.json",
    );
    rejected(&[&r.dir], &["repo", "targets", p(&r.dir)], "2.targets.json");
    std::fs::write(r.dir.join("metadata/timestamp.json"), b"{not json").unwrap();
    for args in [
        add(&r, &r.keys, &file_b),
        vec!["repo", "status", p(&r.dir)],
        vec!["repo", "verify", p(&r.dir)],
        vec!["repo", "prune", p(&r.dir)],
    ] {
        rejected(&[&r.dir, &r.keys], &args, "timestamp.json");
    }
}

#[test]
fn a_key_store_inside_the_repository_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo");
    let line = fails(&["repo", "init", p(&dir), "--keys", p(&dir.join("keys"))]);
    assert!(
        line.contains("must not lie inside the repository"),
        "{line}"
    );
    assert!(!dir.exists());
}
