//! [`Root`]: the root of trust (spec §4.3).
//!
//! Invariants enforced on parse: `_type` is `root`; `roles` holds all four
//! top-level roles; every threshold is ≥ 1; keyids within a role are unique.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, de};
use serde_json::{Map, Value};

use super::{Key, KeyId, Role, RoleKeys, RoleType, SpecVersion, Threshold, Version, present_bool};
use crate::DateTime;

/// The `signed` part of `root.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Root {
    #[serde(rename = "_type")]
    kind: RoleType,
    /// `spec_version`
    pub spec_version: SpecVersion,
    /// `version`
    pub version: Version,
    /// `expires`
    pub expires: DateTime,
    /// `consistent_snapshot` (absent means false).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present_bool"
    )]
    pub consistent_snapshot: Option<bool>,
    /// Every key any top-level role uses.
    pub keys: BTreeMap<KeyId, Key>,
    /// Keys and thresholds of the top-level roles; always holds all four.
    #[serde(deserialize_with = "top_level_roles")]
    roles: BTreeMap<String, Role>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub unrecognized: Map<String, Value>,
}

fn top_level_roles<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Role>, D::Error> {
    let roles = BTreeMap::<String, Role>::deserialize(d)?;
    for r in RoleType::ALL {
        if !roles.contains_key(r.as_str()) {
            return Err(de::Error::custom(format!(
                "missing top-level role {:?}",
                r.as_str()
            )));
        }
    }
    Ok(roles)
}

super::impl_signed_meta!(Root, RoleType::Root);

impl Root {
    /// A version-1 root with no keys, every threshold 1 and consistent snapshots on.
    pub fn new(expires: DateTime) -> Self {
        Root {
            kind: RoleType::Root,
            spec_version: SpecVersion::current(),
            version: Version::ONE,
            expires,
            consistent_snapshot: Some(true),
            keys: BTreeMap::new(),
            roles: RoleType::ALL
                .iter()
                .map(|r| (r.as_str().to_owned(), Role::new(Threshold::ONE)))
                .collect(),
            unrecognized: Map::new(),
        }
    }

    /// Whether the repository uses consistent snapshots (§5.3.12).
    pub fn consistent_snapshot(&self) -> bool {
        self.consistent_snapshot.unwrap_or(false)
    }

    /// The entry of a top-level role (always present).
    pub fn role(&self, role: RoleType) -> &Role {
        &self.roles[role.as_str()]
    }

    /// All role entries, including any beyond the four (e.g. `mirrors`).
    pub fn roles(&self) -> &BTreeMap<String, Role> {
        &self.roles
    }

    /// Keys and threshold that must sign `role`.
    pub fn role_keys(&self, role: RoleType) -> RoleKeys<'_> {
        RoleKeys::resolve(role.as_str(), self.role(role), &self.keys)
    }

    /// Authorize `key` for `role`, adding it to `keys`; returns its key id.
    pub fn add_key(&mut self, role: RoleType, key: Key) -> KeyId {
        let id = key.compute_keyid();
        self.add_key_with_id(role, id.clone(), key);
        id
    }

    /// Authorize `key` for `role` under a chosen key id.
    pub fn add_key_with_id(&mut self, role: RoleType, id: KeyId, key: Key) {
        self.keys.insert(id.clone(), key);
        self.roles
            .get_mut(role.as_str())
            .expect("top-level role present")
            .add_keyid(id);
    }

    /// Remove `id` from `role`; the key is dropped from `keys` when no role uses it.
    /// Returns whether the role had it.
    pub fn revoke_key(&mut self, role: RoleType, id: &KeyId) -> bool {
        let r = self
            .roles
            .get_mut(role.as_str())
            .expect("top-level role present");
        let before = r.keyids.len();
        r.keyids.retain(|k| k != id);
        let removed = r.keyids.len() != before;
        if !self.roles.values().any(|r| r.keyids.contains(id)) {
            self.keys.remove(id);
        }
        removed
    }

    /// Set the threshold of `role`.
    pub fn set_threshold(&mut self, role: RoleType, threshold: Threshold) {
        self.roles
            .get_mut(role.as_str())
            .expect("top-level role present")
            .threshold = threshold;
    }
}
