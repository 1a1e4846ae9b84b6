//! Where everything lives on disk.
//!
//! ```text
//! REPO/metadata/   published metadata: N.root.json for every root version and
//!                  root.json; timestamp.json; with consistent snapshots
//!                  N.snapshot.json, N.targets.json, N.<encoded role>.json,
//!                  otherwise the same names without the N. prefix (F-67..F-70)
//! REPO/targets/    target files; with consistent snapshots also dir/HASH.name (F-71)
//! REPO/.tuf-repo/  tooling state, never served: config.json, and staged/
//!                  (unpublished changes: staged.json naming roles/SHA256.json)
//! KEYS/            private keys, outside REPO (see crate::keystore)
//! ```
//!
//! Role names reach file names only percent-encoded (spec §5.6.7.2), so a
//! delegated role called `../x` cannot escape `metadata/`.

use std::path::{Path, PathBuf};

use tuf_core::metadata::{Version, encode_role_name};

/// The paths of one repository.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    root: PathBuf,
}

impl Layout {
    pub(crate) fn new(root: &Path) -> Self {
        Layout {
            root: root.to_path_buf(),
        }
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn metadata_dir(&self) -> PathBuf {
        self.root.join("metadata")
    }

    pub(crate) fn targets_dir(&self) -> PathBuf {
        self.root.join("targets")
    }

    pub(crate) fn state_dir(&self) -> PathBuf {
        self.root.join(".tuf-repo")
    }

    pub(crate) fn config_file(&self) -> PathBuf {
        self.state_dir().join("config.json")
    }

    /// Unpublished changes kept between sessions (see crate::staging).
    pub(crate) fn staged_dir(&self) -> PathBuf {
        self.state_dir().join("staged")
    }

    /// The staging's commit point: it names every staged file.
    pub(crate) fn staged_manifest(&self) -> PathBuf {
        self.staged_dir().join("staged.json")
    }

    /// Staged metadata files, named by the SHA-256 of their bytes.
    pub(crate) fn staged_roles_dir(&self) -> PathBuf {
        self.staged_dir().join("roles")
    }

    /// `N.root.json` (F-68: every root version, consistent snapshots or not).
    pub(crate) fn versioned_root(&self, v: Version) -> PathBuf {
        self.metadata_dir().join(format!("{v}.root.json"))
    }

    /// `root.json`, `timestamp.json` and other unprefixed names.
    pub(crate) fn plain(&self, role: &str) -> PathBuf {
        self.metadata_dir()
            .join(format!("{}.json", encode_role_name(role)))
    }

    /// The published file of snapshot or a targets role (F-69).
    pub(crate) fn role_file(&self, role: &str, v: Version, consistent: bool) -> PathBuf {
        if consistent {
            self.metadata_dir()
                .join(format!("{v}.{}.json", encode_role_name(role)))
        } else {
            self.plain(role)
        }
    }
}
