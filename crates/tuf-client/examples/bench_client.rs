//! The Rust side of the client benchmarks (issue "Client" item 7): one cold
//! refresh and one target download, as `py_client_bench.py` does with
//! python-tuf's ngclient.
//!
//! ```text
//! bench_client <base_url> <repo_dir> <work_dir>
//! ```
//!
//! `<base_url>` serves `<repo_dir>` (built by `bench_repo`): metadata under
//! `<base_url>/metadata/`, targets under `<base_url>/targets/`. The client
//! starts from `<repo_dir>/trusted_root.json` in an empty `<work_dir>`
//! (removed first, so every run is cold), refreshes, looks up the target
//! named in `<repo_dir>/target_path` and downloads it into `<work_dir>/targets`.

use std::path::PathBuf;
use std::time::Instant;

use tuf_client::{
    DirectoryStore, HttpConfig, HttpTransport, TargetDirectory, Updater, UpdaterConfig,
};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, repo, work] = args.as_slice() else {
        return Err("usage: bench_client <base_url> <repo_dir> <work_dir>".into());
    };
    let (repo, work) = (PathBuf::from(repo), PathBuf::from(work));
    let started = Instant::now();
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    let store = DirectoryStore::new(work.join("metadata"))?;
    // Setup, not client work: a plain copy, as py_client_bench.py's
    // shutil.copyfile (`tuf client init` stores it with an fsync instead).
    std::fs::copy(
        repo.join("trusted_root.json"),
        work.join("metadata/root.json"),
    )?;
    let target_path = std::fs::read_to_string(repo.join("target_path"))?;

    let mut http = HttpConfig::default();
    http.proxy_from_env = false;
    let base = base.trim_end_matches('/');
    let mut updater = Updater::new(
        &format!("{base}/metadata/"),
        Box::new(store),
        Box::new(HttpTransport::new(http)?),
        UpdaterConfig::default(),
    );
    updater.refresh()?;
    let refreshed = started.elapsed();
    let info = updater
        .get_targetinfo(&target_path)?
        .ok_or_else(|| format!("{target_path} is not listed"))?;
    let dir = TargetDirectory::new(work.join("targets"))?;
    let path = updater.download_target(&info, &dir, &format!("{base}/targets/"))?;
    eprintln!(
        "refresh {:.3} s, lookup + download {:.3} s: {} ({} bytes)",
        refreshed.as_secs_f64(),
        (started.elapsed() - refreshed).as_secs_f64(),
        path.display(),
        info.file.length
    );
    Ok(())
}
