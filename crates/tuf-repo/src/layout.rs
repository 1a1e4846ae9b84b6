//! Where everything lives on disk.
//!
//! ```text
//! REPO/metadata/   published metadata: N.root.json for every root version and
//!                  root.json; timestamp.json; with consistent snapshots
//!                  N.snapshot.json, N.targets.json, N.<role>.json (role
//!                  `apps/v1`: N.apps/v1.json), otherwise the same names
//!                  without the N. prefix (F-67..F-70)
//! REPO/targets/    target files; with consistent snapshots also dir/HASH.name (F-71)
//! REPO/.tuf-repo/  tooling state, never served: config.json, and staged/
//!                  (unpublished changes: staged.json naming roles/SHA256.json)
//! KEYS/            private keys, outside REPO (see crate::keystore)
//! ```
//!
//! Role files are named by the *decoded* role name, because web servers
//! decode the percent-encoded URLs clients request (spec §5.6.7.2); only
//! names [`check_role_name`] accepts get a path, so a delegated role called
//! `../x` cannot escape `metadata/`.

use std::path::{Path, PathBuf};

use tuf_core::metadata::Version;

use crate::error::{RepoError, Result};
use crate::role_name::check_role_name;

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

    /// `root.json` and `timestamp.json` (fixed names).
    pub(crate) fn plain(&self, role: &str) -> PathBuf {
        self.metadata_dir().join(format!("{role}.json"))
    }

    /// The published file of snapshot or a targets role (F-69), under the
    /// decoded role name; [`RepoError::InvalidRoleName`] for a name that is
    /// not a safe relative path.
    pub(crate) fn role_file(&self, role: &str, v: Version, consistent: bool) -> Result<PathBuf> {
        check_role_name(role).map_err(|reason| RepoError::InvalidRoleName {
            role: role.to_owned(),
            reason,
        })?;
        let name = if consistent {
            format!("{v}.{role}.json")
        } else {
            format!("{role}.json")
        };
        Ok(self.metadata_dir().join(name))
    }
}
