//! Role names and the [`Role`] entry (keys and threshold) of root's `roles`.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{KeyId, Threshold, unique_keyids};

/// The four top-level roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoleType {
    /// root
    Root,
    /// timestamp
    Timestamp,
    /// snapshot
    Snapshot,
    /// targets (top-level and delegated)
    Targets,
}

impl RoleType {
    /// All four, in workflow order.
    pub const ALL: [RoleType; 4] = [
        RoleType::Root,
        RoleType::Timestamp,
        RoleType::Snapshot,
        RoleType::Targets,
    ];

    /// The name used in `_type`, `roles` and file names.
    pub fn as_str(self) -> &'static str {
        match self {
            RoleType::Root => "root",
            RoleType::Timestamp => "timestamp",
            RoleType::Snapshot => "snapshot",
            RoleType::Targets => "targets",
        }
    }

    /// The top-level role with this name, if any.
    pub fn from_name(name: &str) -> Option<RoleType> {
        RoleType::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl fmt::Display for RoleType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Keys and threshold of a top-level role, as listed in root (spec §4.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    /// Key ids authorized for the role (unique).
    #[serde(deserialize_with = "unique_keyids")]
    pub keyids: Vec<KeyId>,
    /// Signatures needed from distinct keys.
    pub threshold: Threshold,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub unrecognized: Map<String, Value>,
}

impl Role {
    /// A role with no keys yet.
    pub fn new(threshold: Threshold) -> Self {
        Role {
            keyids: Vec::new(),
            threshold,
            unrecognized: Map::new(),
        }
    }

    /// Authorize a key id (no-op if present).
    pub fn add_keyid(&mut self, id: KeyId) {
        if !self.keyids.contains(&id) {
            self.keyids.push(id);
        }
    }
}

/// Percent-encode a role name for use as a file name or URL segment
/// (spec §5.6.7.2; python's `quote(name, safe="")`: only `A-Za-z0-9_.-~` stay).
pub fn encode_role_name(name: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'_')
        .remove(b'.')
        .remove(b'-')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(name, SET).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_cannot_escape_directories_once_encoded() {
        assert_eq!(encode_role_name("../a"), "..%2Fa");
        assert_eq!(encode_role_name("a/b?c#d e"), "a%2Fb%3Fc%23d%20e");
        assert_eq!(encode_role_name("bin-0a_~."), "bin-0a_~.");
        assert_eq!(encode_role_name("ü"), "%C3%BC");
    }
}
