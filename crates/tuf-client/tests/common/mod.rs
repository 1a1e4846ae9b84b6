//! Helpers shared by the integration tests.
#![allow(dead_code, reason = "each test file uses a subset of the helpers")]

use std::time::Duration;

use tuf_client::{HttpConfig, HttpTransport};
use tuf_core::metadata::TargetFile;

/// Generous limits so a loaded machine never fails a test that is not about
/// time; the environment's proxy is ignored so requests stay on loopback.
pub fn config() -> HttpConfig {
    let mut c = HttpConfig::default();
    c.connect_timeout = Duration::from_secs(10);
    c.read_timeout = Duration::from_secs(10);
    c.deadline_base = Duration::from_secs(30);
    c.proxy_from_env = false;
    c
}

pub fn http() -> HttpTransport {
    HttpTransport::new(config()).unwrap()
}

pub fn http_with(config: HttpConfig) -> HttpTransport {
    HttpTransport::new(config).unwrap()
}

/// Trusted target info for `data` (sha256 and sha512).
pub fn info(data: &[u8]) -> TargetFile {
    TargetFile::from_bytes(data, &["sha256", "sha512"]).unwrap()
}

/// Names in `dir`, sorted.
pub fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// ---------------------------------------------------------------------------
// The in-memory simulator as a `Transport`, for workflow tests (style rule 13).

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tuf_client::{
    DirectoryStore, Fetched, MetadataStore, TargetDirectory, Transport, TransportError, Updater,
    UpdaterConfig,
};
use tuf_core::DateTime;
use tuf_testkit::{RepositorySimulator, ts};

/// Base URL of the simulator's metadata.
pub const METADATA_URL: &str = "http://sim/metadata/";
/// Base URL of the simulator's targets.
pub const TARGETS_URL: &str = "http://sim/targets/";

/// How [`SimTransport`] misserves one repository path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimFault {
    /// Serve this many extra bytes after the file (endless data).
    ExtraBytes(usize),
    /// Flip every bit of the byte at this offset.
    CorruptByte(usize),
    /// Answer "not found" although the file exists.
    Drop,
}

/// A [`Transport`] that serves a [`RepositorySimulator`]: URL
/// `http://sim/<path>` is `sim.fetch("<path>")` (logged there), or failing
/// that the percent-decoded path (logged too); anything the simulator lacks
/// is "not found". Clones share the
/// simulator and the fault table.
#[derive(Clone)]
pub struct SimTransport {
    sim: Arc<Mutex<RepositorySimulator>>,
    faults: Arc<Mutex<HashMap<String, SimFault>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SimTransport {
    pub fn new(sim: RepositorySimulator) -> SimTransport {
        SimTransport {
            sim: Arc::new(Mutex::new(sim)),
            faults: Arc::default(),
        }
    }

    /// The simulator, to play repository owner or attacker.
    pub fn sim(&self) -> MutexGuard<'_, RepositorySimulator> {
        lock(&self.sim)
    }

    /// Misserve `path` (e.g. `metadata/timestamp.json`) from now on.
    pub fn fault(&self, path: &str, fault: SimFault) {
        lock(&self.faults).insert(path.to_owned(), fault);
    }

    /// Serve `path` faithfully again.
    pub fn heal(&self, path: &str) {
        lock(&self.faults).remove(path);
    }

    /// Paths requested so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.sim().requests()
    }

    /// Forget the request log.
    pub fn clear_requests(&self) {
        self.sim().clear_requests();
    }

    /// Requested paths that start with `prefix`.
    pub fn requests_under(&self, prefix: &str) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|p| p.starts_with(prefix))
            .collect()
    }
}

impl Transport for SimTransport {
    fn fetch(
        &self,
        url: &str,
        max_length: u64,
        sink: &mut dyn Write,
    ) -> Result<Fetched, TransportError> {
        let Some(path) = url.strip_prefix("http://sim/") else {
            panic!("SimTransport asked for a URL outside the simulator: {url}");
        };
        // As published (metadata names are stored percent-encoded), else
        // percent-decoded, as a static file server maps a URL to a file.
        let decoded = percent_encoding::percent_decode_str(path)
            .decode_utf8()
            .expect("UTF-8 path");
        let literal = self.sim().fetch(path);
        let (path, found) = match literal {
            Some(bytes) => (path, Some(bytes)),
            None if decoded != path => (decoded.as_ref(), self.sim().fetch(&decoded)),
            None => (path, None),
        };
        let Some(mut bytes) = found else {
            return Ok(Fetched::NotFound);
        };
        match lock(&self.faults).get(path) {
            None => {}
            Some(SimFault::ExtraBytes(n)) => bytes.extend(std::iter::repeat_n(b' ', *n)),
            Some(SimFault::CorruptByte(i)) => bytes[*i] ^= 0xff,
            Some(SimFault::Drop) => return Ok(Fetched::NotFound),
        }
        if bytes.len() as u64 > max_length {
            return Err(TransportError::TooLarge {
                url: url.to_owned(),
                max_length,
            });
        }
        sink.write_all(&bytes)
            .map_err(|source| TransportError::Write {
                url: url.to_owned(),
                source,
            })?;
        Ok(Fetched::Found {
            length: bytes.len() as u64,
        })
    }
}

/// The reference time of workflow tests; the simulator's metadata expires in 2100.
pub fn reference_time() -> DateTime {
    ts("2030-01-01T00:00:00Z")
}

/// A client with its own metadata and target directories in a temporary
/// directory, initialized with the simulator's root v1.
pub struct Client {
    pub tmp: tempfile::TempDir,
    pub transport: SimTransport,
    pub config: UpdaterConfig,
}

impl Client {
    pub fn new(transport: &SimTransport) -> Client {
        let tmp = tempfile::tempdir().unwrap();
        let client = Client {
            tmp,
            transport: transport.clone(),
            config: UpdaterConfig::default(),
        };
        let root = transport.sim().signed_root(1);
        client.store().put("root.json", &root).unwrap();
        client
    }

    pub fn metadata_dir(&self) -> std::path::PathBuf {
        self.tmp.path().join("metadata")
    }

    pub fn store(&self) -> DirectoryStore {
        DirectoryStore::new(self.metadata_dir()).unwrap()
    }

    pub fn target_dir(&self) -> TargetDirectory {
        TargetDirectory::new(self.tmp.path().join("targets")).unwrap()
    }

    /// A fresh updater (one refresh per updater, as python-tuf), at
    /// [`reference_time`].
    pub fn updater(&self) -> Updater {
        let mut u = Updater::new(
            METADATA_URL,
            Box::new(self.store()),
            Box::new(self.transport.clone()),
            self.config.clone(),
        );
        u.set_reference_time(reference_time());
        u
    }

    /// Refresh with a fresh updater.
    pub fn refresh(&self) -> Result<Updater, tuf_client::Error> {
        let mut u = self.updater();
        u.refresh()?;
        Ok(u)
    }

    /// The stored bytes of metadata file `name`.
    pub fn stored(&self, name: &str) -> Option<Vec<u8>> {
        self.store().get(name).unwrap()
    }

    /// Look up and download `path`, returning its bytes.
    pub fn download(
        &self,
        updater: &mut Updater,
        path: &str,
    ) -> Result<Vec<u8>, tuf_client::Error> {
        let info = updater
            .get_targetinfo(path)?
            .unwrap_or_else(|| panic!("{path} not found"));
        let local = updater.download_target(&info, &self.target_dir(), TARGETS_URL)?;
        Ok(std::fs::read(local).unwrap())
    }
}
