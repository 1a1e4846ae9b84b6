//! [`Targets`] (spec §4.5; top-level and delegated alike) and [`TargetFile`].

use std::collections::BTreeMap;
use std::io::Read;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::fields::{MemberName, string_map};
use super::hashes::{self, StreamError};
use super::{Delegations, Hashes, RoleKeys, RoleType, SpecVersion, Version};
use crate::DateTime;
use crate::error::LengthOrHashError;

/// A TARGETS entry: `{length, hashes, custom?}` plus unknown fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetFile {
    /// Exact length in bytes.
    pub length: u64,
    /// Digests; at least one.
    pub hashes: Hashes,
    /// Opaque application data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<Value>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub unrecognized: Map<String, Value>,
}

// Written by hand rather than derived: `#[serde(flatten)]` makes serde
// buffer every entry into an intermediate tree before reading it, which
// dominates parsing a targets.json with many targets. Unknown members still
// go to `unrecognized`, so nothing is lost.
impl<'de> Deserialize<'de> for TargetFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TargetFile;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("struct TargetFile")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TargetFile, A::Error> {
                let (mut length, mut hashes, mut custom) = (None, None, None);
                let mut unrecognized = Map::new();
                while let Some(key) = map.next_key::<MemberName<'de>>()? {
                    match key.as_str() {
                        "length" => {
                            if length.replace(map.next_value::<u64>()?).is_some() {
                                return Err(de::Error::duplicate_field("length"));
                            }
                        }
                        "hashes" => {
                            if hashes.replace(map.next_value::<Hashes>()?).is_some() {
                                return Err(de::Error::duplicate_field("hashes"));
                            }
                        }
                        "custom" => {
                            if custom.replace(map.next_value::<Option<Value>>()?).is_some() {
                                return Err(de::Error::duplicate_field("custom"));
                            }
                        }
                        _ => {
                            let v = map.next_value::<Value>()?;
                            unrecognized.insert(key.into_string(), v);
                        }
                    }
                }
                Ok(TargetFile {
                    length: length.ok_or_else(|| de::Error::missing_field("length"))?,
                    hashes: hashes.ok_or_else(|| de::Error::missing_field("hashes"))?,
                    custom: custom.flatten(),
                    unrecognized,
                })
            }
        }
        d.deserialize_map(V)
    }
}

impl TargetFile {
    /// Describe `data` with the given algorithms (e.g. `&["sha256"]`).
    pub fn from_bytes(data: &[u8], algorithms: &[&str]) -> Result<Self, LengthOrHashError> {
        let hashes = hashes::digest_bytes(data, algorithms)?;
        Ok(TargetFile {
            length: data.len() as u64,
            hashes,
            custom: None,
            unrecognized: Map::new(),
        })
    }

    /// Describe a stream of any size, hashing as it is read.
    pub fn from_reader(reader: &mut dyn Read, algorithms: &[&str]) -> Result<Self, StreamError> {
        let (length, hashes) = hashes::digest_reader(reader, algorithms)?;
        Ok(TargetFile {
            length,
            hashes,
            custom: None,
            unrecognized: Map::new(),
        })
    }

    /// Check bytes against this entry's length and every hash (§5.7.3).
    pub fn verify_bytes(&self, data: &[u8]) -> Result<(), LengthOrHashError> {
        if data.len() as u64 != self.length {
            return Err(LengthOrHashError::Length {
                expected: self.length,
                actual: data.len() as u64,
            });
        }
        hashes::verify_bytes(&self.hashes, data)
    }

    /// Check a stream; reads at most `length + 1` bytes.
    pub fn verify_reader(&self, reader: &mut dyn Read) -> Result<(), StreamError> {
        hashes::verify_reader(reader, self.length, &self.hashes)
    }

    /// A streaming verifier for this entry (feed chunks, then `verify(Some(len), &hashes)`).
    pub fn hasher(&self) -> hashes::Hasher {
        hashes::Hasher::for_hashes(&self.hashes)
    }

    /// `dir/HASH.base` names of a target under consistent snapshots (§5.7.3),
    /// one per listed hash, in algorithm-name order.
    pub fn hash_prefixed_paths(&self, path: &str) -> Vec<String> {
        let (dir, base) = match path.rfind('/') {
            Some(i) => (&path[..=i], &path[i + 1..]),
            None => ("", path),
        };
        self.hashes
            .iter()
            .map(|(_, h)| format!("{dir}{h}.{base}"))
            .collect()
    }
}

/// The `signed` part of `targets.json` or of a delegated role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Targets {
    #[serde(rename = "_type")]
    kind: RoleType,
    /// `spec_version`
    pub spec_version: SpecVersion,
    /// `version`
    pub version: Version,
    /// `expires`
    pub expires: DateTime,
    /// Target path → file info.
    #[serde(deserialize_with = "string_map")]
    pub targets: BTreeMap<String, TargetFile>,
    /// Roles this role trusts for (parts of) its namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegations: Option<Delegations>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub unrecognized: Map<String, Value>,
}

super::impl_signed_meta!(Targets, RoleType::Targets);

impl Targets {
    /// A version-1 targets role with no targets and no delegations.
    pub fn new(expires: DateTime) -> Self {
        Targets {
            kind: RoleType::Targets,
            spec_version: SpecVersion::current(),
            version: Version::ONE,
            expires,
            targets: BTreeMap::new(),
            delegations: None,
            unrecognized: Map::new(),
        }
    }

    /// Add or replace a target; returns the previous entry.
    pub fn add_target(&mut self, path: impl Into<String>, file: TargetFile) -> Option<TargetFile> {
        self.targets.insert(path.into(), file)
    }

    /// Remove a target; returns it if it was listed.
    pub fn remove_target(&mut self, path: &str) -> Option<TargetFile> {
        self.targets.remove(path)
    }

    /// Keys and threshold this role's delegations give `role`, if it delegates to it.
    pub fn delegated_role_keys<'a>(&'a self, role: &'a str) -> Option<RoleKeys<'a>> {
        self.delegations.as_ref()?.role_keys(role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_prefix_goes_before_the_basename() {
        let f = TargetFile::from_bytes(b"x", &["sha256"]).unwrap();
        let h = f.hashes.get("sha256").unwrap().to_owned();
        assert_eq!(
            f.hash_prefixed_paths("a/b/c.tgz"),
            vec![format!("a/b/{h}.c.tgz")]
        );
        assert_eq!(f.hash_prefixed_paths("c.tgz"), vec![format!("{h}.c.tgz")]);
    }

    #[test]
    fn target_length_and_every_hash_are_checked() {
        let f = TargetFile::from_bytes(b"hello", &["sha256", "sha512"]).unwrap();
        f.verify_bytes(b"hello").unwrap();
        assert!(matches!(
            f.verify_bytes(b"hellO"),
            Err(LengthOrHashError::Hash { .. })
        ));
        assert!(matches!(
            f.verify_bytes(b"hello!"),
            Err(LengthOrHashError::Length { .. })
        ));
        f.verify_reader(&mut &b"hello"[..]).unwrap();
    }
}
