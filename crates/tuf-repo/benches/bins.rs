//! Publishing at scale: 1,000,000 targets in 16,384 TAP 15 succinct bins.
//!
//! - `full_build`: init, create the bins, add every target (placed into its
//!   bin automatically), sign and write everything.
//! - `one_target_update`: open that repository, change one target, publish:
//!   only its bin, snapshot and timestamp are signed and written.
//!
//! `TUF_BENCH_TARGETS` overrides the target count (e.g. for a quick run);
//! `TUF_BENCH_DIR` the directory the repositories are built in (default:
//! the system temporary directory); with `TUF_BENCH_KEEP` set they are
//! left there (see docs/benchmarks.md on back-to-back runs).
//! Compare with `scripts/bench/py_repo_bench.py` (python-tuf Metadata API).

use std::path::Path;
use std::sync::OnceLock;

use divan::Bencher;
use tuf_core::crypto::KeySpec;
use tuf_core::metadata::{TargetFile, Threshold};
use tuf_repo::{BinsSpec, InitOptions, KeyStore, Repository};

fn main() {
    divan::main();
}

const BIT_LENGTH: u8 = 14;

fn target_count() -> usize {
    std::env::var("TUF_BENCH_TARGETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn workdir() -> tempfile::TempDir {
    let mut dir = match std::env::var_os("TUF_BENCH_DIR") {
        Some(dir) => tempfile::tempdir_in(dir).expect("tempdir"),
        None => tempfile::tempdir().expect("tempdir"),
    };
    // Deleting 16,384 files makes the next run's file creation several
    // times slower on some file systems (ext4 without a journal skips
    // recently freed inodes): keep them for a series of runs.
    if std::env::var_os("TUF_BENCH_KEEP").is_some() {
        dir.disable_cleanup(true);
    }
    dir
}

fn target(i: usize, generation: u64) -> (String, TargetFile) {
    let content = format!("content of target {i}, generation {generation}");
    let file = TargetFile::from_bytes(content.as_bytes(), &["sha256"]).expect("sha256");
    (format!("files/{:03}/{i:07}.bin", i % 997), file)
}

/// Build the whole repository in `dir` (keys in `dir/keys`).
fn build(dir: &Path, n: usize) -> Repository {
    let repo_dir = dir.join("repo");
    let keys_dir = dir.join("keys");
    let mut repo = Repository::init(&repo_dir, &keys_dir, InitOptions::default()).expect("init");
    let mut store = KeyStore::open(&keys_dir).expect("key store");
    let (_, key) = store.generate("bins", KeySpec::Ed25519, None).expect("key");
    repo.load_signers(&store, "bins", None).expect("signer");
    repo.load_signers(&store, "targets", None).expect("signer");
    repo.add_succinct_bins(
        "targets",
        BinsSpec {
            bit_length: BIT_LENGTH,
            name_prefix: "bin".into(),
            threshold: Threshold::ONE,
            keys: vec![key],
        },
    )
    .expect("bins");
    repo.add_targets((0..n).map(|i| target(i, 0))).expect("add");
    repo.publish().expect("publish");
    repo
}

#[divan::bench(sample_count = 1, sample_size = 1)]
fn full_build(b: Bencher) {
    let n = target_count();
    b.with_inputs(workdir).bench_local_values(|tmp| {
        build(tmp.path(), n);
        tmp
    });
}

static BUILT: OnceLock<tempfile::TempDir> = OnceLock::new();

#[divan::bench(sample_count = 10, sample_size = 1)]
fn one_target_update(b: Bencher) {
    let n = target_count();
    let tmp = BUILT.get_or_init(|| {
        let tmp = workdir();
        build(tmp.path(), n);
        tmp
    });
    let mut generation = 0u64;
    b.bench_local(|| {
        generation += 1;
        let mut repo = Repository::open(&tmp.path().join("repo")).expect("open");
        let store = KeyStore::open(&tmp.path().join("keys")).expect("key store");
        for role in ["bins", "snapshot", "timestamp"] {
            repo.load_signers(&store, role, None).expect("signer");
        }
        let (path, file) = target(12_345 % n, generation);
        repo.add_target(&path, file).expect("add");
        let report = repo.publish().expect("publish");
        assert_eq!(report.targets.len(), 1, "only the bin is re-signed");
    });
}
