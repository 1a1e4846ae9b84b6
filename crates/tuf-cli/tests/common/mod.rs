//! Helpers for the tests that run the built `tuf` binary: run a command,
//! picture a directory tree byte for byte, serve a repository on a free
//! loopback port.
#![allow(dead_code)] // each test binary uses a different subset

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

#[allow(unused_imports)] // each test binary uses a different subset
pub use tuf_testkit::{project_root, python};

/// The `tuf` binary under test.
pub fn tuf() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tuf"));
    c.env_remove("RUST_LOG");
    c
}

/// Run `tuf ARGS` and return its output, whatever the exit code.
pub fn run(args: &[&str]) -> Output {
    tuf().args(args).output().expect("run tuf")
}

/// Run `tuf ARGS`, which must succeed; returns stdout.
pub fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "tuf {args:?} failed ({:?})\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Run `tuf ARGS`, which must fail with exit code 1 and one error line on
/// stderr; returns that line.
pub fn fails(args: &[&str]) -> String {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "tuf {args:?} should fail with exit 1\nstdout: {}\nstderr: {stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one error line expected, got: {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    lines[0].to_owned()
}

/// `path` as a `&str` argument.
pub fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 temp path")
}

/// Every file and directory below `dir` with its bytes: equal trees mean
/// nothing on disk changed.
pub fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            let rel = path.strip_prefix(base).unwrap().to_path_buf();
            if path.is_dir() {
                out.insert(rel, b"<dir>".to_vec());
                walk(base, &path, out);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Write `data` to `REPO/targets/rel`, creating directories.
pub fn write_target(repo: &Path, rel: &str, data: &[u8]) -> PathBuf {
    let path = repo.join("targets").join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, data).unwrap();
    path
}

/// Key ids `tuf key list KEYS --json` shows for `role`.
pub fn keyids(keys: &Path, role: &str) -> Vec<String> {
    let out = ok(&["key", "list", p(keys), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["role"] == role)
        .map(|e| e["keyid"].as_str().unwrap().to_owned())
        .collect()
}

/// `tuf serve REPO` on a free loopback port, killed when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
}

impl Server {
    pub fn start(repo: &Path) -> Server {
        // Ask the OS for a free port, release it, and hand it to the server.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let child = tuf()
            .args(["serve", p(repo), "--addr", &addr])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tuf serve");
        let server = Server { child, addr };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(&server.addr).is_err() {
            assert!(Instant::now() < deadline, "tuf serve did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    pub fn metadata_url(&self) -> String {
        format!("http://{}/metadata/", self.addr)
    }

    pub fn targets_url(&self) -> String {
        format!("http://{}/targets/", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run python-tuf's client (`scripts/interop/py_client.py`); returns stdout,
/// panicking with stderr on failure.
pub fn py_client(python: &Path, args: &[&str]) -> String {
    let out = Command::new(python)
        .arg(project_root().join("scripts/interop/py_client.py"))
        .args(args)
        .output()
        .expect("py_client.py runs");
    assert!(
        out.status.success(),
        "py_client.py {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `tuf client init` with the repository's first root into `metadata_dir`,
/// then `tuf client download` of `targets` from `server` into `out`; returns
/// the download's stdout.
pub fn client_download(
    server: &Server,
    repo: &Path,
    metadata_dir: &Path,
    out: &Path,
    targets: &[&str],
) -> String {
    ok(&[
        "client",
        "init",
        "--metadata-dir",
        p(metadata_dir),
        p(&repo.join("metadata/1.root.json")),
    ]);
    let (metadata_url, targets_url) = (server.metadata_url(), server.targets_url());
    let mut args = vec![
        "client",
        "download",
        "--metadata-dir",
        p(metadata_dir),
        "--metadata-url",
        &metadata_url,
        "--targets-url",
        &targets_url,
        "--out",
        p(out),
    ];
    args.extend_from_slice(targets);
    ok(&args)
}
