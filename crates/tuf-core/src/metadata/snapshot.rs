//! [`Snapshot`] (spec §4.4) and [`MetaFile`], the METAFILES entry that
//! timestamp and snapshot use to pin other metadata by version, length and hashes.

use std::collections::BTreeMap;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::fields::{MemberName, string_map};
use super::{Hashes, RoleType, SpecVersion, Version, hashes};
use crate::DateTime;
use crate::error::LengthOrHashError;

/// A METAFILES entry: `{version, length?, hashes?}` plus unknown fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetaFile {
    /// The version of the file.
    pub version: Version,
    /// Its exact length in bytes, if pinned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
    /// Its digests, if pinned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hashes: Option<Hashes>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub unrecognized: Map<String, Value>,
}

// By hand rather than derived, for the reason given on `TargetFile`'s impl:
// a snapshot of hashed bins lists thousands of these.
impl<'de> Deserialize<'de> for MetaFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MetaFile;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("struct MetaFile")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MetaFile, A::Error> {
                let (mut version, mut length, mut hashes) = (None, None, None);
                let mut unrecognized = Map::new();
                while let Some(key) = map.next_key::<MemberName<'de>>()? {
                    match key.as_str() {
                        "version" => {
                            if version.replace(map.next_value::<Version>()?).is_some() {
                                return Err(de::Error::duplicate_field("version"));
                            }
                        }
                        "length" => {
                            if length.replace(map.next_value::<Option<u64>>()?).is_some() {
                                return Err(de::Error::duplicate_field("length"));
                            }
                        }
                        "hashes" => {
                            if hashes
                                .replace(map.next_value::<Option<Hashes>>()?)
                                .is_some()
                            {
                                return Err(de::Error::duplicate_field("hashes"));
                            }
                        }
                        _ => {
                            let v = map.next_value::<Value>()?;
                            unrecognized.insert(key.into_string(), v);
                        }
                    }
                }
                Ok(MetaFile {
                    version: version.ok_or_else(|| de::Error::missing_field("version"))?,
                    length: length.flatten(),
                    hashes: hashes.flatten(),
                    unrecognized,
                })
            }
        }
        d.deserialize_map(V)
    }
}

impl MetaFile {
    /// An entry with only a version.
    pub fn new(version: Version) -> Self {
        MetaFile {
            version,
            length: None,
            hashes: None,
            unrecognized: Map::new(),
        }
    }

    /// An entry pinning `data` by length and the given hash algorithms.
    pub fn for_bytes(
        version: Version,
        data: &[u8],
        algorithms: &[&str],
    ) -> Result<Self, LengthOrHashError> {
        Ok(MetaFile {
            version,
            length: Some(data.len() as u64),
            hashes: Some(hashes::digest_bytes(data, algorithms)?),
            unrecognized: Map::new(),
        })
    }

    /// Check `data` against whatever length and hashes are pinned (§5.5.2, §5.6.2).
    pub fn verify_bytes(&self, data: &[u8]) -> Result<(), LengthOrHashError> {
        if let Some(expected) = self.length
            && expected != data.len() as u64
        {
            return Err(LengthOrHashError::Length {
                expected,
                actual: data.len() as u64,
            });
        }
        match &self.hashes {
            Some(h) => hashes::verify_bytes(h, data),
            None => Ok(()),
        }
    }
}

/// The `signed` part of `snapshot.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    #[serde(rename = "_type")]
    kind: RoleType,
    /// `spec_version`
    pub spec_version: SpecVersion,
    /// `version`
    pub version: Version,
    /// `expires`
    pub expires: DateTime,
    /// `targets.json` and every delegated role's `<name>.json`.
    #[serde(deserialize_with = "string_map")]
    pub meta: BTreeMap<String, MetaFile>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub unrecognized: Map<String, Value>,
}

super::impl_signed_meta!(Snapshot, RoleType::Snapshot);

impl Snapshot {
    /// A version-1 snapshot listing `targets.json` version 1.
    pub fn new(expires: DateTime) -> Self {
        Snapshot {
            kind: RoleType::Snapshot,
            spec_version: SpecVersion::current(),
            version: Version::ONE,
            expires,
            meta: BTreeMap::from([("targets.json".to_owned(), MetaFile::new(Version::ONE))]),
            unrecognized: Map::new(),
        }
    }

    /// The entry for a targets role (`targets` or a delegated name), keyed `<name>.json`.
    pub fn role_meta(&self, role: &str) -> Option<&MetaFile> {
        self.meta.get(&format!("{role}.json"))
    }
}
