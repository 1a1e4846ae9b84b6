//! Target files (spec §5.7.3, W-54..W-57): nothing unverified ever sits at a
//! final path, no target name can write outside the target directory, a
//! corrupted cache is not trusted, and concurrent downloads stay safe.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use tuf_client::{Fault, TargetDirectory, TargetError, TransportError};
use tuf_core::VerifyError;
use tuf_core::metadata::{Hashes, TargetFile};
use tuf_testkit::http::{FaultServer, Reply};

const GOOD: &[u8] = b"the real release artifact, version 1.0\n";

fn setup() -> (tempfile::TempDir, TargetDirectory, FaultServer) {
    let root = tempfile::tempdir().unwrap();
    let targets = TargetDirectory::new(root.path().join("targets")).unwrap();
    let server = FaultServer::start().unwrap();
    (root, targets, server)
}

/// Download the server's `/file.txt` as target `file.txt`, expecting `info`.
fn download_file_txt(
    targets: &TargetDirectory,
    server: &FaultServer,
    info: &TargetFile,
) -> Result<PathBuf, TargetError> {
    targets.download_verified(&common::http(), &server.url("/file.txt"), "file.txt", info)
}

fn assert_mismatch(err: &TargetError) {
    assert!(
        matches!(
            err,
            TargetError::Mismatch {
                source: VerifyError::LengthOrHash { .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.fault(), Fault::Repository);
}

#[test]
fn target_with_wrong_hash_never_appears_at_its_final_path() {
    let (_root, targets, server) = setup();
    let mut evil = GOOD.to_vec();
    evil[0] ^= 0x20; // same length, different content
    server.route("/file.txt", Reply::Body(evil));
    let err = download_file_txt(&targets, &server, &common::info(GOOD)).unwrap_err();
    assert_mismatch(&err);
    assert!(!targets.local_path("file.txt").unwrap().exists());
    // No temporary file left behind either.
    assert!(
        common::listing(targets.dir()).is_empty(),
        "{:?}",
        common::listing(targets.dir())
    );
}

#[test]
fn target_with_wrong_hash_does_not_replace_a_verified_copy() {
    let (_root, targets, server) = setup();
    server.route("/file.txt", Reply::Body(GOOD.to_vec()));
    let http = common::http();
    let url = server.url("/file.txt");
    let info = common::info(GOOD);
    let path = targets
        .download_verified(&http, &url, "file.txt", &info)
        .unwrap();
    let mut evil = GOOD.to_vec();
    evil[3] ^= 1;
    server.route("/file.txt", Reply::Body(evil));
    assert_mismatch(
        &targets
            .download_verified(&http, &url, "file.txt", &info)
            .unwrap_err(),
    );
    assert_eq!(std::fs::read(&path).unwrap(), GOOD);
    assert_eq!(common::listing(targets.dir()), vec!["file.txt".to_owned()]);
}

#[test]
fn short_target_is_rejected_for_its_length() {
    let (_root, targets, server) = setup();
    server.route("/file.txt", Reply::Body(GOOD[..GOOD.len() - 1].to_vec()));
    let err = download_file_txt(&targets, &server, &common::info(GOOD)).unwrap_err();
    assert_mismatch(&err);
    assert!(err.to_string().contains("length"), "{err}");
    assert!(common::listing(targets.dir()).is_empty());
}

#[test]
fn endless_target_is_cut_at_its_trusted_length_and_discarded() {
    let (_root, targets, server) = setup();
    server.route(
        "/file.txt",
        Reply::Endless {
            declared_length: None,
        },
    );
    let err = download_file_txt(&targets, &server, &common::info(GOOD)).unwrap_err();
    assert!(
        matches!(
            err,
            TargetError::Transport(TransportError::TooLarge { max_length, .. })
                if max_length == GOOD.len() as u64
        ),
        "{err:?}"
    );
    assert!(common::listing(targets.dir()).is_empty());
}

#[test]
fn target_listing_an_unknown_hash_algorithm_is_rejected() {
    let (_root, targets, server) = setup();
    server.route("/file.txt", Reply::Body(GOOD.to_vec()));
    let mut info = common::info(GOOD);
    let mut hashes: BTreeMap<String, String> = info.hashes.as_map().clone();
    hashes.insert("md77".into(), "00".into());
    info.hashes = Hashes::new(hashes).unwrap();
    let err = download_file_txt(&targets, &server, &info).unwrap_err();
    assert_mismatch(&err);
    assert!(common::listing(targets.dir()).is_empty());
}

#[test]
fn listed_target_missing_on_the_server_is_a_repository_error() {
    let (_root, targets, server) = setup();
    let err = targets
        .download_verified(
            &common::http(),
            &server.url("/gone.txt"),
            "gone.txt",
            &common::info(GOOD),
        )
        .unwrap_err();
    assert!(matches!(err, TargetError::NotFound { .. }), "{err:?}");
    assert_eq!(err.fault(), Fault::Repository);
}

#[test]
fn path_traversal_in_target_names_cannot_escape_the_directory() {
    let (root, targets, server) = setup();
    server.route("/payload", Reply::Body(GOOD.to_vec()));
    let http = common::http();
    let info = common::info(GOOD);
    let evil_paths = [
        "../escape.txt",
        "../../etc/passwd",
        "/abs/olute",
        "..",
        ".",
        "a/../../b",
        "..\\windows\\system32",
        "sub/dir/file",
        "nul\0byte",
    ];
    for target_path in evil_paths {
        let path = targets
            .download_verified(&http, &server.url("/payload"), target_path, &info)
            .unwrap_or_else(|e| panic!("{target_path:?}: {e}"));
        assert_eq!(path.parent(), Some(targets.dir()), "{target_path:?}");
        assert!(path.is_file(), "{target_path:?}");
        assert_eq!(targets.cached(target_path, &info).unwrap(), Some(path));
    }
    // Every download landed as its own plain file inside the directory…
    assert_eq!(common::listing(targets.dir()).len(), evil_paths.len());
    // …and nothing appeared next to it or above it.
    assert_eq!(common::listing(root.path()), vec!["targets".to_owned()]);
}

#[test]
fn empty_target_path_is_a_caller_error() {
    let (_root, targets, _server) = setup();
    let err = targets.local_path("").unwrap_err();
    assert!(matches!(err, TargetError::EmptyPath));
    assert_eq!(err.fault(), Fault::Caller);
}

fn corrupt(path: &Path, change: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = std::fs::read(path).unwrap();
    change(&mut bytes);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn corrupted_cached_target_is_not_reused() {
    let (_root, targets, server) = setup();
    server.route("/file.txt", Reply::Body(GOOD.to_vec()));
    let http = common::http();
    let url = server.url("/file.txt");
    let info = common::info(GOOD);
    assert_eq!(targets.cached("file.txt", &info).unwrap(), None);
    let path = targets
        .download_verified(&http, &url, "file.txt", &info)
        .unwrap();
    assert_eq!(
        targets.cached("file.txt", &info).unwrap(),
        Some(path.clone())
    );

    let corruptions: [fn(&mut Vec<u8>); 3] = [
        |b| b[5] ^= 0x01,            // same length, flipped bit
        |b| b.truncate(b.len() - 1), // truncated
        |b| b.push(b'!'),            // extended
    ];
    for change in corruptions {
        corrupt(&path, change);
        assert_eq!(targets.cached("file.txt", &info).unwrap(), None);
        // A fresh download replaces the corrupted copy.
        targets
            .download_verified(&http, &url, "file.txt", &info)
            .unwrap();
        assert_eq!(
            targets.cached("file.txt", &info).unwrap(),
            Some(path.clone())
        );
    }
}

#[test]
fn cached_target_is_not_reused_once_metadata_lists_new_content() {
    let (_root, targets, server) = setup();
    server.route("/file.txt", Reply::Body(GOOD.to_vec()));
    download_file_txt(&targets, &server, &common::info(GOOD)).unwrap();
    let newer = common::info(b"version 2.0");
    assert_eq!(targets.cached("file.txt", &newer).unwrap(), None);
}

#[test]
fn concurrent_downloads_of_one_target_all_succeed_with_a_verified_file() {
    let (_root, targets, server) = setup();
    let big: Vec<u8> = (0..=255u8).cycle().take(3 << 20).collect();
    server.route("/big.bin", Reply::Body(big.clone()));
    let info = common::info(&big);
    let url = server.url("/big.bin");
    let http = common::http();
    thread::scope(|s| {
        for _ in 0..6 {
            s.spawn(|| {
                targets
                    .download_verified(&http, &url, "big.bin", &info)
                    .unwrap()
            });
        }
    });
    assert!(targets.cached("big.bin", &info).unwrap().is_some());
    assert_eq!(common::listing(targets.dir()), vec!["big.bin".to_owned()]);
}

#[test]
fn concurrent_good_and_tampered_downloads_never_leave_an_unverified_file() {
    let (_root, targets, server) = setup();
    let good: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
    let mut tampered = good.clone();
    tampered[good.len() / 2] ^= 0xff;
    server.route("/good", Reply::Body(good.clone()));
    server.route("/tampered", Reply::Body(tampered));
    server.route(
        "/endless",
        Reply::Endless {
            declared_length: None,
        },
    );
    let info = common::info(&good);
    let http = common::http();
    let final_path = targets.local_path("artifact").unwrap();
    let done = Arc::new(AtomicBool::new(false));
    thread::scope(|s| {
        let mut writers = Vec::new();
        for i in 0..6 {
            let (targets, http, info) = (&targets, &http, &info);
            let url = server.url(["/good", "/tampered", "/endless"][i % 3]);
            writers.push(s.spawn(move || {
                for _ in 0..4 {
                    let result = targets.download_verified(http, &url, "artifact", info);
                    assert_eq!(result.is_ok(), url.ends_with("/good"), "{url}: {result:?}");
                }
            }));
        }
        // A reader that checks whatever sits at the final path meanwhile.
        let reader = {
            let done = Arc::clone(&done);
            let (final_path, good) = (&final_path, &good);
            s.spawn(move || {
                while !done.load(Ordering::Acquire) {
                    if let Ok(bytes) = std::fs::read(final_path) {
                        assert!(bytes == *good, "unverified bytes at the final path");
                    }
                }
            })
        };
        for w in writers {
            w.join().unwrap();
        }
        done.store(true, Ordering::Release);
        reader.join().unwrap();
    });
    assert_eq!(std::fs::read(&final_path).unwrap(), good);
    assert_eq!(common::listing(targets.dir()), vec!["artifact".to_owned()]);
}
