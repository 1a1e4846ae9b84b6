//! Locating python-tuf for interop tests: `$TUF_PYTHON` if set (scripts/test.sh
//! sets it), else the interpreter `scripts/pyenv.sh` prints (it creates the
//! venv on first use). If neither works the test fails: a skipped interop
//! test would prove nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The project root, where `scripts/` lives.
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A python interpreter with python-tuf 7.0.x installed.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("TUF_PYTHON") {
        return p.into();
    }
    let out = Command::new("bash")
        .arg(project_root().join("scripts/pyenv.sh"))
        .output()
        .expect("run scripts/pyenv.sh (or set TUF_PYTHON)");
    assert!(
        out.status.success(),
        "scripts/pyenv.sh failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).expect("a UTF-8 path").trim())
}
