//! Serving repositories over the loopback [`FaultServer`]: a
//! [`RepositorySimulator`]'s published files, or a directory on disk such as
//! the python-tuf fixtures, whose manifests [`PythonFixture`] reads.
//!
//! Contract:
//! - A file at repository path `p` (`metadata/1.root.json`,
//!   `targets/a.txt`) is served at URL path `/p`, byte for byte.
//! - Routes are a snapshot: files published later are not served until the
//!   repository is served again.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::http::{FaultServer, Reply};
use crate::sim::RepositorySimulator;

/// Route every file `sim` has published (`/metadata/...`, `/targets/...`).
pub fn serve_simulator(server: &FaultServer, sim: &RepositorySimulator) {
    for (path, bytes) in &sim.files {
        server.route(&format!("/{path}"), Reply::Body(bytes.clone()));
    }
}

/// Every regular file below `dir`, by its `/`-separated path relative to
/// `dir`.
pub fn read_tree(dir: &Path) -> io::Result<BTreeMap<String, Vec<u8>>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) -> io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(base, &path, out)?;
            } else {
                let rel = path
                    .strip_prefix(base)
                    .map_err(io::Error::other)?
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(rel, std::fs::read(&path)?);
            }
        }
        Ok(())
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out)?;
    Ok(out)
}

/// Route every file below `dir` at `/<relative path>`.
pub fn serve_directory(server: &FaultServer, dir: &Path) -> io::Result<()> {
    for (path, bytes) in read_tree(dir)? {
        server.route(&format!("/{path}"), Reply::Body(bytes));
    }
    Ok(())
}

/// A target a fixture's manifest lists, with its expected content digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureTarget {
    /// The target path.
    pub path: String,
    /// The role that lists it.
    pub role: String,
    /// Its length in bytes.
    pub length: u64,
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
}

/// One repository written by python-tuf (`scripts/gen_python_fixtures.py`),
/// with what its `manifest.json` promises about it.
#[derive(Debug, Clone)]
pub struct PythonFixture {
    /// The fixture's name (its directory name).
    pub name: String,
    /// The fixture directory (holding `metadata/` and `targets/`).
    pub dir: PathBuf,
    /// Whether its root enables consistent snapshots.
    pub consistent_snapshot: bool,
    /// A time at which all of its metadata is valid (`YYYY-MM-DDTHH:MM:SSZ`).
    pub valid_at: String,
    /// The root to start from, relative to `dir`.
    pub trusted_root: String,
    /// Targets a client must find and download.
    pub targets: Vec<FixtureTarget>,
    /// Target paths a client must not find.
    pub absent: Vec<String>,
}

fn field<'a>(v: &'a Value, name: &str, manifest: &Path) -> io::Result<&'a Value> {
    v.get(name).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: no `{name}`", manifest.display()),
        )
    })
}

fn string(v: &Value, name: &str, manifest: &Path) -> io::Result<String> {
    field(v, name, manifest)?
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: `{name}` is not a string", manifest.display()),
            )
        })
}

impl PythonFixture {
    /// The directory holding every python-tuf fixture of this crate.
    pub fn root_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/python-tuf")
    }

    /// Every fixture with a `manifest.json` that describes a repository
    /// (directories without one, such as `keys/`, are skipped), by name.
    pub fn all() -> io::Result<Vec<PythonFixture>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(Self::root_dir())? {
            let dir = entry?.path();
            if dir.join("manifest.json").is_file() && dir.join("metadata").is_dir() {
                out.push(Self::load(&dir)?);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Read the fixture in `dir`.
    pub fn load(dir: &Path) -> io::Result<PythonFixture> {
        let manifest = dir.join("manifest.json");
        let v: Value = serde_json::from_slice(&std::fs::read(&manifest)?)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        let bad = |what: &str| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: bad `{what}`", manifest.display()),
            )
        };
        let mut targets = Vec::new();
        for t in field(&v, "targets", &manifest)?
            .as_array()
            .ok_or_else(|| bad("targets"))?
        {
            targets.push(FixtureTarget {
                path: string(t, "path", &manifest)?,
                role: string(t, "role", &manifest)?,
                length: field(t, "length", &manifest)?
                    .as_u64()
                    .ok_or_else(|| bad("length"))?,
                sha256: string(t, "sha256", &manifest)?,
            });
        }
        let mut absent = Vec::new();
        if let Some(list) = v.get("absent") {
            for a in list.as_array().ok_or_else(|| bad("absent"))? {
                absent.push(string(a, "path", &manifest)?);
            }
        }
        Ok(PythonFixture {
            name: dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            dir: dir.to_path_buf(),
            consistent_snapshot: field(&v, "consistent_snapshot", &manifest)?
                .as_bool()
                .ok_or_else(|| bad("consistent_snapshot"))?,
            valid_at: string(&v, "valid_at", &manifest)?,
            trusted_root: string(&v, "trusted_root", &manifest)?,
            targets,
            absent,
        })
    }
}
