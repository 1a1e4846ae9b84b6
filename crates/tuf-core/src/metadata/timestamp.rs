//! [`Timestamp`] (spec §4.6): names the current snapshot.
//!
//! Invariant: `meta` holds exactly one entry, `snapshot.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, de};
use serde_json::{Map, Value};

use super::{MetaFile, RoleType, SpecVersion, Version};
use crate::DateTime;

const SNAPSHOT_JSON: &str = "snapshot.json";

/// The `signed` part of `timestamp.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timestamp {
    #[serde(rename = "_type")]
    kind: RoleType,
    /// `spec_version`
    pub spec_version: SpecVersion,
    /// `version`
    pub version: Version,
    /// `expires`
    pub expires: DateTime,
    #[serde(deserialize_with = "only_snapshot_meta")]
    meta: BTreeMap<String, MetaFile>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub unrecognized: Map<String, Value>,
}

fn only_snapshot_meta<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, MetaFile>, D::Error> {
    let meta = BTreeMap::<String, MetaFile>::deserialize(d)?;
    if meta.len() != 1 || !meta.contains_key(SNAPSHOT_JSON) {
        return Err(de::Error::custom(
            "timestamp meta must contain exactly \"snapshot.json\"",
        ));
    }
    Ok(meta)
}

super::impl_signed_meta!(Timestamp, RoleType::Timestamp);

impl Timestamp {
    /// A version-1 timestamp pointing at `snapshot`.
    pub fn new(snapshot: MetaFile, expires: DateTime) -> Self {
        Timestamp {
            kind: RoleType::Timestamp,
            spec_version: SpecVersion::current(),
            version: Version::ONE,
            expires,
            meta: BTreeMap::from([(SNAPSHOT_JSON.to_owned(), snapshot)]),
            unrecognized: Map::new(),
        }
    }

    /// What this timestamp says about `snapshot.json`.
    pub fn snapshot_meta(&self) -> &MetaFile {
        &self.meta[SNAPSHOT_JSON]
    }

    /// Point at a new snapshot.
    pub fn set_snapshot_meta(&mut self, meta: MetaFile) {
        self.meta.insert(SNAPSHOT_JSON.to_owned(), meta);
    }
}
