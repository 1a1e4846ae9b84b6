//! [`Snapshot`] (spec §4.4) and [`MetaFile`], the METAFILES entry that
//! timestamp and snapshot use to pin other metadata by version, length and hashes.

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::fields::MemberName;
use super::scan::{Scan, entries, once, signed_object, single_digest};
use super::{Hashes, NameMap, Parsed, RoleType, SpecVersion, Version, hashes};
use crate::DateTime;
use crate::error::LengthOrHashError;

/// A METAFILES entry: `{version, length?, hashes?}` plus unknown fields.
///
/// Sixteen bytes: a snapshot of 16,384 hashed bins lists that many of these,
/// nearly all with a version only, so the rarer members live behind one
/// optional box (ADR 0009).
#[derive(Clone)]
pub struct MetaFile {
    /// The version of the file.
    pub version: Version,
    pinned: Option<Box<Pinned>>,
}

/// What a [`MetaFile`] may hold beside its version.
#[derive(Clone, Default)]
struct Pinned {
    length: Option<u64>,
    hashes: Option<Hashes>,
    unrecognized: Map<String, Value>,
}

/// The `unrecognized` of an entry that has none.
fn no_fields() -> &'static Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Map::new)
}

impl MetaFile {
    fn from_parts(
        version: Version,
        length: Option<u64>,
        hashes: Option<Hashes>,
        unrecognized: Map<String, Value>,
    ) -> Self {
        let pinned =
            (length.is_some() || hashes.is_some() || !unrecognized.is_empty()).then(|| {
                Box::new(Pinned {
                    length,
                    hashes,
                    unrecognized,
                })
            });
        MetaFile { version, pinned }
    }

    fn pinned_mut(&mut self) -> &mut Pinned {
        self.pinned.get_or_insert_with(Box::default)
    }

    /// Its exact length in bytes, if pinned.
    pub fn length(&self) -> Option<u64> {
        self.pinned.as_ref().and_then(|p| p.length)
    }

    /// Its digests, if pinned.
    pub fn hashes(&self) -> Option<&Hashes> {
        self.pinned.as_ref().and_then(|p| p.hashes.as_ref())
    }

    /// Fields this crate does not know.
    pub fn unrecognized(&self) -> &Map<String, Value> {
        match &self.pinned {
            Some(p) => &p.unrecognized,
            None => no_fields(),
        }
    }

    /// Pin (or with `None`, unpin) the length.
    pub fn set_length(&mut self, length: Option<u64>) {
        self.pinned_mut().length = length;
    }

    /// Pin (or with `None`, unpin) the digests.
    pub fn set_hashes(&mut self, hashes: Option<Hashes>) {
        self.pinned_mut().hashes = hashes;
    }

    /// The unknown fields, to edit.
    pub fn unrecognized_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.pinned_mut().unrecognized
    }
}

impl PartialEq for MetaFile {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
            && self.length() == other.length()
            && self.hashes() == other.hashes()
            && self.unrecognized() == other.unrecognized()
    }
}

impl Eq for MetaFile {}

impl std::fmt::Debug for MetaFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetaFile")
            .field("version", &self.version)
            .field("length", &self.length())
            .field("hashes", &self.hashes())
            .field("unrecognized", self.unrecognized())
            .finish()
    }
}

impl Serialize for MetaFile {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("version", &self.version)?;
        if let Some(length) = self.length() {
            map.serialize_entry("length", &length)?;
        }
        if let Some(hashes) = self.hashes() {
            map.serialize_entry("hashes", hashes)?;
        }
        for (k, v) in self.unrecognized() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
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
                Ok(MetaFile::from_parts(
                    version.ok_or_else(|| de::Error::missing_field("version"))?,
                    length.flatten(),
                    hashes.flatten(),
                    unrecognized,
                ))
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
            pinned: None,
        }
    }

    /// An entry pinning `data` by length and the given hash algorithms.
    pub fn for_bytes(
        version: Version,
        data: &[u8],
        algorithms: &[&str],
    ) -> Result<Self, LengthOrHashError> {
        Ok(MetaFile::from_parts(
            version,
            Some(data.len() as u64),
            Some(hashes::digest_bytes(data, algorithms)?),
            Map::new(),
        ))
    }

    /// Check `data` against whatever length and hashes are pinned (§5.5.2, §5.6.2).
    pub fn verify_bytes(&self, data: &[u8]) -> Result<(), LengthOrHashError> {
        if let Some(expected) = self.length()
            && expected != data.len() as u64
        {
            return Err(LengthOrHashError::Length {
                expected,
                actual: data.len() as u64,
            });
        }
        match self.hashes() {
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
    pub meta: NameMap<MetaFile>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub unrecognized: Map<String, Value>,
}

super::impl_signed_meta!(Snapshot, RoleType::Snapshot, fast = parse_snapshot_fast);

/// [`SignedMeta::parse_fast`](super::SignedMeta::parse_fast) for snapshot,
/// as for targets (`parse_targets_fast`): a snapshot of 16,384 hashed bins
/// lists that many entries.
fn parse_snapshot_fast(text: &str) -> Option<Parsed<Snapshot>> {
    let mut meta = None;
    let c = signed_object(text, |s, key| {
        if key != "meta" {
            return Some(false);
        }
        once(&mut meta, entries(s, plain_meta_file)?)?;
        Some(true)
    })?;
    let entries = meta?;
    let partial = Snapshot {
        kind: c.kind?,
        spec_version: c.spec_version?,
        version: c.version?,
        expires: c.expires?,
        meta: NameMap::new(),
        unrecognized: c.unrecognized,
    };
    Some(Parsed::pending(
        partial,
        Box::new(move |s: &mut Snapshot| s.meta = entries.build(|m| m)),
    ))
}

/// An entry holding `version` and optionally `length` and a single-digest
/// `hashes`, all plain; `None` for anything else.
fn plain_meta_file(s: &mut Scan<'_>) -> Option<MetaFile> {
    let (mut version, mut length, mut hashes) = (None, None, None);
    s.object(|s, key| match key {
        "version" => once(&mut version, Version::new(s.u64()?)?),
        "length" => once(&mut length, s.u64()?),
        "hashes" => once(&mut hashes, single_digest(s)?),
        _ => None,
    })?;
    Some(MetaFile::from_parts(version?, length, hashes, Map::new()))
}

impl Snapshot {
    /// A version-1 snapshot listing `targets.json` version 1.
    pub fn new(expires: DateTime) -> Self {
        Snapshot {
            kind: RoleType::Snapshot,
            spec_version: SpecVersion::current(),
            version: Version::ONE,
            expires,
            meta: NameMap::from_iter([("targets.json", MetaFile::new(Version::ONE))]),
            unrecognized: Map::new(),
        }
    }

    /// The entry for a targets role (`targets` or a delegated name), keyed `<name>.json`.
    pub fn role_meta(&self, role: &str) -> Option<&MetaFile> {
        self.meta.get(&format!("{role}.json"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast parse either declines or gives exactly the serde parse's model.
    fn fast_agrees(text: &str) -> bool {
        let serde = serde_json::from_str::<Snapshot>(text);
        match parse_snapshot_fast(text).map(Parsed::finish) {
            Some(fast) => {
                assert_eq!(serde.as_ref().ok(), Some(&fast), "{text}");
                true
            }
            None => false,
        }
    }

    fn doc(meta: &str, extra: &str) -> String {
        format!(
            r#"{{"_type": "snapshot", "expires": "2100-01-01T00:00:00Z",{extra}
 "meta": {meta}, "spec_version": "1.0.31", "version": 2}}"#
        )
    }

    #[test]
    fn fast_snapshot_parse_matches_serde() {
        for meta in [
            r#"{"targets.json": {"version": 1}}"#,
            r#"{"bins-0.json": {"version": 3}, "targets.json": {"length": 12, "version": 1}}"#,
            r#"{"a.json": {"hashes": {"sha256": "ab"}, "length": 0, "version": 9}}"#,
            // Handed to serde entry by entry: several digests, null, unknown fields.
            r#"{"a.json": {"hashes": {"sha512": "cd", "sha256": "ab"}, "version": 9}}"#,
            r#"{"a.json": {"length": null, "version": 1}, "b.json": {"version": 1, "x": [1]}}"#,
            r#"{"z.json": {"version": 1}, "a.json": {"version": 2}, "z.json": {"version": 3}}"#,
        ] {
            let t = doc(meta, r#" "x-extra": {"k": 1},"#);
            assert!(fast_agrees(&t), "{t}");
        }
        for meta in [
            r#"{"a.json": {"version": 0}}"#,
            r#"{"a.json": {"version": -1}}"#,
            r#"{"a.json": {"version": 1.0}}"#,
            r#"{"a.json": {"length": 1}}"#,
            r#"{"a.json": {"version": 1, "version": 2}}"#,
            r#"{"a.json": {"version": 1, "hashes": {}}}"#,
            r#"{"a.json": {"version": 1},}"#,
            r#"{"a.json": 1}"#,
        ] {
            let t = doc(meta, "");
            assert!(serde_json::from_str::<Snapshot>(&t).is_err(), "{t}");
            assert!(!fast_agrees(&t), "{t}");
        }
        assert!(!fast_agrees(&doc("{}", r#" "version": 3,"#)));
        assert!(!fast_agrees(&(doc("{}", "") + "]")));
    }

    #[test]
    fn a_meta_file_is_sixteen_bytes_and_its_box_is_invisible() {
        assert_eq!(std::mem::size_of::<MetaFile>(), 16);
        let plain = MetaFile::new(Version::ONE);
        let mut touched = plain.clone();
        touched.set_length(None);
        touched.unrecognized_mut();
        assert_eq!(plain, touched);
        assert_eq!(
            serde_json::to_string(&plain).unwrap(),
            serde_json::to_string(&touched).unwrap()
        );
        touched.set_length(Some(3));
        assert_ne!(plain, touched);
        let text = r#"{"hashes":{"sha256":"ab"},"length":3,"version":1,"x":[true]}"#;
        let full: MetaFile = serde_json::from_str(text).unwrap();
        assert_eq!(full.length(), Some(3));
        assert_eq!(full.hashes().and_then(|h| h.get("sha256")), Some("ab"));
        assert_eq!(full.unrecognized()["x"], serde_json::json!([true]));
        let again: Value = serde_json::to_value(&full).unwrap();
        assert_eq!(again, serde_json::from_str::<Value>(text).unwrap());
    }

    #[test]
    fn fast_snapshot_parse_matches_serde_on_python_tuf_fixtures() {
        let payloads = crate::metadata::python_tuf_payloads("snapshot");
        for text in &payloads {
            assert!(fast_agrees(text), "fixture not taken by the fast path");
        }
        let checked = payloads.len();
        assert!(checked >= 3, "only {checked} snapshot fixtures found");
    }
}
