//! The metadata directory is shared and can fail (architecture decision 7,
//! W-01): names cannot escape it, readers never see a partial file while
//! writers (threads or processes) replace it, and the lock serializes
//! refreshes across processes.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use tuf_client::{DirectoryStore, Fault, MetadataStore, NameProblem, StoreError};

/// Environment variable through which a child process learns its directory.
const CHILD_DIR: &str = "TUF_CLIENT_TEST_CHILD_DIR";

fn contents(tag: u8) -> Vec<u8> {
    // Large enough that a non-atomic write would be observable mid-way.
    let mut v = vec![tag; 1 << 20];
    v.extend_from_slice(b"END");
    v
}

#[test]
fn put_get_remove_round_trip_the_exact_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let store = DirectoryStore::new(dir.path().join("metadata")).unwrap();
    assert_eq!(store.get("root.json").unwrap(), None);
    store.put("root.json", b"{ \"exact\": 1 }").unwrap();
    assert_eq!(
        store.get("root.json").unwrap().as_deref(),
        Some(&b"{ \"exact\": 1 }"[..])
    );
    store.put("root.json", b"v2").unwrap();
    assert_eq!(store.get("root.json").unwrap().as_deref(), Some(&b"v2"[..]));
    store.remove("root.json").unwrap();
    store.remove("root.json").unwrap();
    assert_eq!(store.get("root.json").unwrap(), None);
    assert!(common::listing(store.dir()).is_empty());
}

#[test]
fn metadata_names_cannot_escape_the_directory() {
    let root = tempfile::tempdir().unwrap();
    let store = DirectoryStore::new(root.path().join("metadata")).unwrap();
    for name in [
        "../root.json",
        "..",
        "/tmp/x.json",
        "a/b.json",
        "",
        "x\0.json",
        ".lock",
    ] {
        let err = store.put(name, b"evil").unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidName { .. }),
            "{name:?}: {err:?}"
        );
        assert_eq!(err.fault(), Fault::Caller);
        assert!(
            store.get(name).is_err() && store.remove(name).is_err(),
            "{name:?}"
        );
    }
    assert!(matches!(
        store.put("..", b"x"),
        Err(StoreError::InvalidName {
            problem: NameProblem::DotSegment,
            ..
        })
    ));
    assert_eq!(common::listing(root.path()), vec!["metadata".to_owned()]);
    assert!(common::listing(store.dir()).is_empty());
}

fn no_leftovers(dir: &Path) {
    let names = common::listing(dir);
    assert!(
        names.iter().all(|n| n == "timestamp.json" || n == ".lock"),
        "{names:?}"
    );
}

#[test]
fn concurrent_writers_never_leave_a_partial_metadata_file() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (contents(b'a'), contents(b'b'));
    let done = Arc::new(AtomicBool::new(false));
    thread::scope(|s| {
        let writers: Vec<_> = (0..4)
            .map(|i| {
                let store = DirectoryStore::new(dir.path()).unwrap();
                let (a, b) = (&a, &b);
                s.spawn(move || {
                    for round in 0..20 {
                        let data = if (i + round) % 2 == 0 { a } else { b };
                        store.put("timestamp.json", data).unwrap();
                    }
                })
            })
            .collect();
        for _ in 0..2 {
            let store = DirectoryStore::new(dir.path()).unwrap();
            let (a, b, done) = (&a, &b, Arc::clone(&done));
            s.spawn(move || {
                while !done.load(Ordering::Acquire) {
                    if let Some(read) = store.get("timestamp.json").unwrap() {
                        assert!(
                            read == *a || read == *b,
                            "partial read of {} bytes",
                            read.len()
                        );
                    }
                }
            });
        }
        for w in writers {
            w.join().unwrap();
        }
        done.store(true, Ordering::Release);
    });
    no_leftovers(dir.path());
}

#[test]
fn writes_in_series_are_atomic_too_and_leave_nothing_behind() {
    // The roots of a chain (ADR 0008): replaced atomically like any put,
    // the directory flushed once by `sync`.
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (contents(b'a'), contents(b'b'));
    let done = AtomicBool::new(false);
    thread::scope(|s| {
        let writer = s.spawn(|| {
            let store = DirectoryStore::new(dir.path()).unwrap();
            for round in 0..20 {
                let data = if round % 2 == 0 { &a } else { &b };
                store.put_in_series("timestamp.json", data).unwrap();
            }
            store.sync().unwrap();
        });
        s.spawn(|| {
            let store = DirectoryStore::new(dir.path()).unwrap();
            while !done.load(Ordering::Acquire) {
                if let Some(read) = store.get("timestamp.json").unwrap() {
                    assert!(
                        read == a || read == b,
                        "partial read of {} bytes",
                        read.len()
                    );
                }
            }
        });
        writer.join().unwrap();
        done.store(true, Ordering::Release);
    });
    let store = DirectoryStore::new(dir.path()).unwrap();
    assert_eq!(store.get("timestamp.json").unwrap(), Some(b));
    no_leftovers(dir.path());
}

#[test]
fn refreshes_holding_the_lock_serialize_their_read_modify_write() {
    let dir = tempfile::tempdir().unwrap();
    DirectoryStore::new(dir.path())
        .unwrap()
        .put("counter", b"0")
        .unwrap();
    thread::scope(|s| {
        for _ in 0..4 {
            // Each worker has its own store, hence its own lock file handle,
            // as separate processes would.
            let store = DirectoryStore::new(dir.path()).unwrap();
            s.spawn(move || {
                for _ in 0..25 {
                    let _guard = store.lock().unwrap();
                    let n: u32 = String::from_utf8(store.get("counter").unwrap().unwrap())
                        .unwrap()
                        .parse()
                        .unwrap();
                    thread::yield_now();
                    store
                        .put("counter", (n + 1).to_string().as_bytes())
                        .unwrap();
                }
            });
        }
    });
    let store = DirectoryStore::new(dir.path()).unwrap();
    assert_eq!(store.get("counter").unwrap().as_deref(), Some(&b"100"[..]));
}

#[test]
fn lock_is_exclusive_until_its_guard_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let first = DirectoryStore::new(dir.path()).unwrap();
    let second = DirectoryStore::new(dir.path()).unwrap();
    let guard = first.lock().unwrap();
    assert!(second.try_lock().unwrap().is_none());
    drop(guard);
    let again = second.try_lock().unwrap();
    assert!(again.is_some());
    assert!(first.try_lock().unwrap().is_none());
}

/// Run one `#[ignore]`d helper test of this file in a child process.
fn run_child(test_name: &str, dir: &Path) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            test_name,
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, dir)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

fn child_output(child: std::process::Child) -> String {
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "child failed: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn lock_held_by_one_process_excludes_another() {
    let dir = tempfile::tempdir().unwrap();
    let store = DirectoryStore::new(dir.path()).unwrap();
    let guard = store.lock().unwrap();
    let held = child_output(run_child("child_probes_the_lock", dir.path()));
    assert!(held.contains("LOCK-PROBE:busy"), "{held}");
    drop(guard);
    let released = child_output(run_child("child_probes_the_lock", dir.path()));
    assert!(released.contains("LOCK-PROBE:free"), "{released}");
}

#[test]
#[ignore = "helper: run as a child process by lock_held_by_one_process_excludes_another"]
fn child_probes_the_lock() {
    let dir = std::env::var_os(CHILD_DIR).expect("run only as a child process");
    let store = DirectoryStore::new(dir).unwrap();
    let state = if store.try_lock().unwrap().is_some() {
        "free"
    } else {
        "busy"
    };
    println!("LOCK-PROBE:{state}");
}

#[test]
fn processes_replacing_one_metadata_file_never_expose_a_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = DirectoryStore::new(dir.path()).unwrap();
    let (a, b) = (contents(b'a'), contents(b'b'));
    let mut children: Vec<_> = (0..2)
        .map(|_| run_child("child_rewrites_timestamp", dir.path()))
        .collect();
    while children.iter_mut().any(|c| c.try_wait().unwrap().is_none()) {
        if let Some(read) = store.get("timestamp.json").unwrap() {
            assert!(
                read == a || read == b,
                "partial read of {} bytes",
                read.len()
            );
        }
    }
    for child in children {
        child_output(child);
    }
    assert_eq!(
        store
            .get("timestamp.json")
            .unwrap()
            .map(|r| r == a || r == b),
        Some(true)
    );
    no_leftovers(dir.path());
}

#[test]
#[ignore = "helper: run as a child process by processes_replacing_one_metadata_file_never_expose_a_partial_file"]
fn child_rewrites_timestamp() {
    let dir = std::env::var_os(CHILD_DIR).expect("run only as a child process");
    let store = DirectoryStore::new(dir).unwrap();
    for round in 0..30u8 {
        let tag = if round % 2 == 0 { b'a' } else { b'b' };
        store.put("timestamp.json", &contents(tag)).unwrap();
    }
}
