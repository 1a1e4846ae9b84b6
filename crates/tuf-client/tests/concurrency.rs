//! Several processes (and threads) refreshing and downloading with one
//! metadata directory and one target directory at the same time, from a
//! loopback HTTP server whose repository publishes new releases meanwhile.
//!
//! Every run must succeed, and a reader watching the directories must only
//! ever see complete files: metadata files that are exact published
//! versions, target files with exactly their content; temporary files never
//! carry a real file's name and none are left at the end.
//!
//! The child processes are this test binary run again with only
//! [`child_worker`] selected (it is `#[ignore]`d so a normal run skips it)
//! and the setup in environment variables.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tuf_client::{DirectoryStore, MetadataStore, TargetDirectory, Updater, UpdaterConfig};
use tuf_testkit::RepositorySimulator;
use tuf_testkit::http::{FaultServer, Reply};

const ENV_METADATA_URL: &str = "TUF_CONCURRENCY_METADATA_URL";
const ENV_TARGETS_URL: &str = "TUF_CONCURRENCY_TARGETS_URL";
const ENV_DIR: &str = "TUF_CONCURRENCY_DIR";
const ENV_TARGETS: &str = "TUF_CONCURRENCY_TARGETS";

/// Refresh-and-download rounds per worker.
const ROUNDS: usize = 6;
/// Bound on the whole test; a worker still running then is a failure.
const LIMIT: Duration = Duration::from_secs(300);

/// The target paths ever published (some only in later releases).
fn target_paths() -> Vec<String> {
    (0..8)
        .map(|i| format!("dir{}/file-{i}.bin", i % 3))
        .collect()
}

/// Content of a target: distinct per path, large enough that writing it
/// takes several system calls.
fn content(path: &str) -> Vec<u8> {
    let seed = path
        .bytes()
        .fold(7u8, |a, b| a.wrapping_mul(31).wrapping_add(b));
    (0..150_000u32)
        .map(|i| seed.wrapping_add((i % 251) as u8))
        .collect()
}

/// One worker round: a fresh updater refreshes, then every target the
/// metadata lists is provided and checked.
fn run_round(metadata_url: &str, targets_url: &str, dir: &Path, paths: &[String]) {
    let store = DirectoryStore::new(dir.join("metadata")).unwrap();
    let targets = TargetDirectory::new(dir.join("targets")).unwrap();
    let mut updater = Updater::new(
        metadata_url,
        Box::new(store),
        Box::new(common::http()),
        UpdaterConfig::default(),
    );
    updater.set_reference_time(common::reference_time());
    updater.refresh().unwrap();
    for path in paths {
        let Some(info) = updater.get_targetinfo(path).unwrap() else {
            continue; // not released yet
        };
        let local = updater
            .download_target(&info, &targets, targets_url)
            .unwrap();
        let data = std::fs::read(local).unwrap();
        assert!(info.file.verify_bytes(&data).is_ok(), "{path}");
    }
}

/// The body of a child process; does nothing unless started by
/// [`concurrent_processes_share_one_metadata_and_one_target_directory`].
#[test]
#[ignore = "run as a child process by the concurrency test"]
fn child_worker() {
    let (Ok(metadata_url), Ok(targets_url), Ok(dir), Ok(paths)) = (
        std::env::var(ENV_METADATA_URL),
        std::env::var(ENV_TARGETS_URL),
        std::env::var(ENV_DIR),
        std::env::var(ENV_TARGETS),
    ) else {
        return;
    };
    let paths: Vec<String> = paths.split(',').map(str::to_owned).collect();
    for _ in 0..ROUNDS {
        run_round(&metadata_url, &targets_url, Path::new(&dir), &paths);
    }
}

/// The repository as served: routes are replaced so that a client never
/// sees a timestamp before what it names.
struct Served {
    server: FaultServer,
    /// Every metadata file ever published, by local name, all versions.
    published: Mutex<BTreeMap<String, BTreeSet<Vec<u8>>>>,
}

impl Served {
    fn publish(&self, sim: &RepositorySimulator) {
        let mut published = self
            .published
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Everything but the timestamp first, then the timestamp.
        let mut files: Vec<(&String, &Vec<u8>)> = sim.files.iter().collect();
        files.sort_by_key(|(p, _)| *p == "metadata/timestamp.json");
        for (path, bytes) in files {
            if let Some(name) = path.strip_prefix("metadata/") {
                // Stored under the unversioned name.
                let local = match name.split_once('.') {
                    Some((v, rest)) if v.parse::<u64>().is_ok() => rest,
                    _ => name,
                };
                published
                    .entry(local.to_owned())
                    .or_default()
                    .insert(bytes.clone());
            }
            self.server
                .route(&format!("/{path}"), Reply::Body(bytes.clone()));
        }
    }
}

/// What a reader may find in the directories at any moment; returns how
/// many files were checked.
fn check_directories(dir: &Path, served: &Served) -> usize {
    let mut checked = 0;
    for (sub, is_metadata) in [("metadata", true), ("targets", false)] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == ".lock" {
                continue;
            }
            if name.starts_with(".tuf-tmp+") {
                assert!(!name.ends_with(".json"), "temporary file {name}");
                continue;
            }
            let Ok(bytes) = std::fs::read(entry.path()) else {
                continue; // replaced between listing and reading
            };
            if is_metadata {
                let published = served
                    .published
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                assert!(
                    published.get(&name).is_some_and(|v| v.contains(&bytes)),
                    "metadata/{name} ({} bytes) is not a published version",
                    bytes.len()
                );
            } else {
                let path = target_paths()
                    .into_iter()
                    .find(|p| tuf_client::target_file_name(p).as_deref() == Some(name.as_str()))
                    .unwrap_or_else(|| panic!("unexpected target file {name}"));
                assert!(
                    bytes == content(&path),
                    "targets/{name}: {} bytes, not the verified content",
                    bytes.len()
                );
            }
            checked += 1;
        }
    }
    checked
}

fn spawn_child(served: &Served, dir: &Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "child_worker",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(ENV_METADATA_URL, served.server.url("/metadata/"))
        .env(ENV_TARGETS_URL, served.server.url("/targets/"))
        .env(ENV_DIR, dir)
        .env(ENV_TARGETS, target_paths().join(","))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn concurrent_processes_share_one_metadata_and_one_target_directory() {
    let started = Instant::now();
    let paths = target_paths();
    let mut sim = RepositorySimulator::new();
    sim.delegate_paths("targets", "dirs", &["dir1/*", "dir2/*"], false);
    for path in &paths[..3] {
        let role = if path.starts_with("dir0/") {
            "targets"
        } else {
            "dirs"
        };
        sim.add_target(role, path, &content(path));
    }
    sim.release(&["targets", "dirs"]);

    let served = Arc::new(Served {
        server: FaultServer::start().unwrap(),
        published: Mutex::default(),
    });
    served.publish(&sim);
    let tmp = tempfile::tempdir().unwrap();
    let dir: PathBuf = tmp.path().to_path_buf();
    DirectoryStore::new(dir.join("metadata"))
        .unwrap()
        .put("root.json", &sim.signed_root(1))
        .unwrap();

    let children: Vec<Child> = (0..3).map(|_| spawn_child(&served, &dir)).collect();
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let served = Arc::clone(&served);
            let dir = dir.clone();
            let paths = paths.clone();
            std::thread::spawn(move || {
                for _ in 0..ROUNDS {
                    run_round(
                        &served.server.url("/metadata/"),
                        &served.server.url("/targets/"),
                        &dir,
                        &paths,
                    );
                }
            })
        })
        .collect();

    // Watch the directories while new releases come out.
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (served, dir, done) = (Arc::clone(&served), dir.clone(), Arc::clone(&done));
        std::thread::spawn(move || {
            let mut checked = 0;
            while !done.load(Ordering::Relaxed) {
                checked += check_directories(&dir, &served);
            }
            checked
        })
    };
    for (i, path) in paths[3..].iter().enumerate() {
        std::thread::sleep(Duration::from_millis(150));
        let role = if path.starts_with("dir0/") {
            "targets"
        } else {
            "dirs"
        };
        sim.add_target(role, path, &content(path));
        sim.release(&[role]);
        served.publish(&sim);
        if i % 2 == 1 {
            // A timestamp-only release too.
            sim.release(&[]);
            served.publish(&sim);
        }
    }

    let mut failures = Vec::new();
    for mut child in children {
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                let out = child.wait_with_output().unwrap();
                if !status.success() {
                    failures.push(format!(
                        "child failed ({status}):\n{}\n{}",
                        String::from_utf8_lossy(&out.stdout),
                        String::from_utf8_lossy(&out.stderr)
                    ));
                }
                break;
            }
            if started.elapsed() > LIMIT {
                let _ = child.kill();
                let _ = child.wait();
                failures.push("child still running at the time limit".into());
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    for t in threads {
        if t.join().is_err() {
            failures.push("a worker thread failed (see its panic above)".into());
        }
    }
    done.store(true, Ordering::Relaxed);
    let checked = watcher.join().expect("a reader saw an incomplete file");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 0);

    // Finally: nothing temporary is left, and the shared store is current.
    for sub in ["metadata", "targets"] {
        let leftovers: Vec<String> = common::listing(&dir.join(sub))
            .into_iter()
            .filter(|n| n.starts_with(".tuf-tmp+"))
            .collect();
        assert!(leftovers.is_empty(), "{sub}: {leftovers:?}");
    }
    check_directories(&dir, &served);
    run_round(
        &served.server.url("/metadata/"),
        &served.server.url("/targets/"),
        &dir,
        &paths,
    );
    let store = DirectoryStore::new(dir.join("metadata")).unwrap();
    assert_eq!(
        store.get("timestamp.json").unwrap().unwrap(),
        sim.files["metadata/timestamp.json"]
    );
    let mut expected: Vec<String> = paths
        .iter()
        .map(|p| tuf_client::target_file_name(p).unwrap())
        .collect();
    expected.sort();
    assert_eq!(common::listing(&dir.join("targets")), expected);
}
