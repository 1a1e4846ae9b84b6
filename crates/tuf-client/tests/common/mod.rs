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
