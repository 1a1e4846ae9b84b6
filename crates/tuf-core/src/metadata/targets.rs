//! [`Targets`] (spec §4.5; top-level and delegated alike) and [`TargetFile`].

use std::io::Read;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::fields::MemberName;
use super::fields::PlainDigest;
use super::hashes::{self, StreamError};
use super::scan::{Scan, entries, once, signed_object, single_plain_digest};
use super::{Delegations, Hashes, NameMap, Parsed, RoleKeys, RoleType, SpecVersion, Version};
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
    pub targets: NameMap<TargetFile>,
    /// Roles this role trusts for (parts of) its namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegations: Option<Delegations>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub unrecognized: Map<String, Value>,
}

super::impl_signed_meta!(Targets, RoleType::Targets, fast = parse_targets_fast);

impl Targets {
    /// A version-1 targets role with no targets and no delegations.
    pub fn new(expires: DateTime) -> Self {
        Targets {
            kind: RoleType::Targets,
            spec_version: SpecVersion::current(),
            version: Version::ONE,
            expires,
            targets: NameMap::new(),
            delegations: None,
            unrecognized: Map::new(),
        }
    }

    /// Add or replace a target; returns the previous entry.
    pub fn add_target(&mut self, path: impl AsRef<str>, file: TargetFile) -> Option<TargetFile> {
        self.targets.insert(path, file)
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

/// [`SignedMeta::parse_fast`](super::SignedMeta::parse_fast) for targets: the members of `signed` in one
/// pass, each target entry of the usual shape (`hashes` with one digest and
/// `length`, plain strings) read directly and any other entry or member
/// handed to serde (see [`super::scan`] for why the result equals the serde
/// parse's). Parsing a 100,000-target role this way takes about half the
/// time of the serde parse, which goes through a map visitor per entry.
fn parse_targets_fast(text: &str) -> Option<Parsed<Targets>> {
    let (mut targets, mut delegations) = (None, None);
    let c = signed_object(text, |s, key| {
        match key {
            "targets" => once(&mut targets, entries(s, plain_target_file)?)?,
            "delegations" => once(&mut delegations, s.value::<Delegations>()?)?,
            _ => return Some(false),
        }
        Some(true)
    })?;
    let entries = targets?;
    let partial = Targets {
        kind: c.kind?,
        spec_version: c.spec_version?,
        version: c.version?,
        expires: c.expires?,
        targets: NameMap::new(),
        delegations,
        unrecognized: c.unrecognized,
    };
    Some(Parsed::pending(
        partial,
        Box::new(move |t: &mut Targets| t.targets = entries.build(TargetFile::plain)),
    ))
}

/// A target entry holding exactly `length` and a single-digest `hashes`,
/// all plain, as (length, hashes) for [`TargetFile::plain`]; `None` for
/// anything else.
fn plain_target_file(s: &mut Scan<'_>) -> Option<(u64, PlainDigest)> {
    let (mut length, mut hashes) = (None, None);
    s.object(|s, key| match key {
        "length" => once(&mut length, s.u64()?),
        "hashes" => once(&mut hashes, single_plain_digest(s)?),
        _ => None,
    })?;
    Some((length?, hashes?))
}

impl TargetFile {
    /// The entry `plain_target_file` read.
    fn plain((length, digest): (u64, PlainDigest)) -> Self {
        TargetFile {
            length,
            hashes: digest.into_hashes(),
            custom: None,
            unrecognized: Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast parse either declines or gives exactly the serde parse's model.
    fn fast_agrees(text: &str) -> bool {
        let serde = serde_json::from_str::<Targets>(text);
        match parse_targets_fast(text).map(Parsed::finish) {
            Some(fast) => {
                assert_eq!(serde.as_ref().ok(), Some(&fast), "{text}");
                true
            }
            None => false,
        }
    }

    const HEX: &str = "d2f14ccbb787a2b88113c3bfbdf304defc0cbee3b0e6d57225fea516a03ecb73";

    fn doc(targets: &str, extra: &str) -> String {
        format!(
            r#"{{"_type": "targets", "expires": "2100-01-01T00:00:00Z",{extra}
 "spec_version": "1.0.31", "targets": {targets}, "version": 3}}"#
        )
    }

    #[test]
    fn fast_targets_parse_matches_serde_on_python_tuf_fixtures() {
        let payloads = crate::metadata::python_tuf_payloads("targets");
        for text in &payloads {
            assert!(fast_agrees(text), "fixture not taken by the fast path");
        }
        let checked = payloads.len();
        assert!(checked >= 10, "only {checked} targets fixtures found");
    }

    #[test]
    fn fast_targets_parse_hands_unusual_entries_to_serde() {
        let plain = format!(r#"{{"hashes": {{"sha256": "{HEX}"}}, "length": 7}}"#);
        for entry in [
            plain.clone(),
            format!(r#"{{"length": 0, "hashes": {{"sha256": "{HEX}"}}}}"#),
            format!(r#"{{"hashes": {{"sha256": "{HEX}"}}, "length": 7, "custom": {{"a": [1]}}}}"#),
            format!(r#"{{"hashes": {{"sha256": "{HEX}"}}, "length": 7, "custom": null}}"#),
            format!(r#"{{"hashes": {{"sha512": "bb", "sha256": "{HEX}"}}, "length": 7}}"#),
            r#"{"hashes": {"sha256": "a\u00e9"}, "length": 7, "x-unknown": true}"#.into(),
            r#"{"hashes": {"sha\u0032": "aa"}, "length": 18446744073709551615}"#.into(),
        ] {
            let t = doc(&format!(r#"{{"a/b.tgz": {entry}, "c": {plain}}}"#), "");
            assert!(fast_agrees(&t), "{t}");
        }
        // Several entries, a repeated path, delegations and unknown members.
        let t = doc(
            &format!(r#"{{"z": {plain}, "a": {plain}, "z": {plain}}}"#),
            r#" "delegations": {"keys": {}, "roles": []}, "x-extra": {"k": [1, "2"]},"#,
        );
        assert!(fast_agrees(&t));
        // Usual and unusual entries are held apart until the map is built:
        // text order, and so which of a repeated path wins, must survive.
        let custom = format!(r#"{{"hashes": {{"sha256": "{HEX}"}}, "length": 9, "custom": 1}}"#);
        for targets in [
            format!(r#"{{"z": {custom}, "a": {plain}, "z": {plain}}}"#),
            format!(r#"{{"z": {plain}, "a": {custom}, "z": {custom}, "b": {plain}}}"#),
            format!(r#"{{"c": {custom}, "b": {custom}, "a": {plain}}}"#),
        ] {
            let t = doc(&targets, "");
            assert!(fast_agrees(&t), "{t}");
        }
        // A path with an escape sends the whole document to serde.
        let t = doc(&format!(r#"{{"caf\u00e9": {plain}}}"#), "");
        assert!(!fast_agrees(&t));
        assert!(serde_json::from_str::<Targets>(&t).is_ok());
    }

    #[test]
    fn fast_targets_parse_never_accepts_what_serde_rejects() {
        let plain = format!(r#"{{"hashes": {{"sha256": "{HEX}"}}, "length": 7}}"#);
        let bad_entries = [
            r#"{"hashes": {"sha256": "aa"}, "length": 01}"#,
            r#"{"hashes": {"sha256": "aa"}, "length": 1.0}"#,
            r#"{"hashes": {"sha256": "aa"}, "length": 1e2}"#,
            r#"{"hashes": {"sha256": "aa"}, "length": -1}"#,
            r#"{"hashes": {"sha256": "aa"}, "length": 18446744073709551616}"#,
            r#"{"hashes": {}, "length": 1}"#,
            r#"{"hashes": {"sha256": "aa"}}"#,
            r#"{"length": 1}"#,
            r#"{"hashes": {"sha256": "aa"}, "length": 1, "length": 2}"#,
            r#"{"hashes": {"sha256": 5}, "length": 1}"#,
            r#"{"hashes": {"sha256": "aa"}, "length": 1,}"#,
            r#"[]"#,
        ];
        for entry in bad_entries {
            let t = doc(&format!(r#"{{"a": {plain}, "b": {entry}}}"#), "");
            assert!(serde_json::from_str::<Targets>(&t).is_err(), "{t}");
            assert!(!fast_agrees(&t), "{t}");
        }
        for t in [
            doc("{}", r#" "version": 4,"#),
            doc("{}", r#" "delegations": null,"#),
            doc("[]", ""),
            doc("{}", "") + " x",
            r#"{"_type": "targets", "spec_version": "1.0.31", "targets": {}, "version": 3}"#.into(),
        ] {
            assert!(!fast_agrees(&t), "{t}");
        }
    }

    proptest::proptest! {
        /// Arbitrary single-byte changes and truncations of a document:
        /// whatever the fast parse accepts, serde parses to the same model.
        #[test]
        fn fast_targets_parse_agrees_with_serde_on_mutations(
            n in 0usize..4,
            at in proptest::prelude::any::<usize>(),
            byte in proptest::sample::select(b" \t\n,:{}[]\"\\-0.e19a".to_vec()),
            cut in proptest::prelude::any::<bool>(),
        ) {
            let entries: Vec<String> = (0..n)
                .map(|i| format!(r#""p{i}": {{"hashes": {{"sha256": "{i}f"}}, "length": {i}}}"#))
                .collect();
            let text = doc(&format!("{{{}}}", entries.join(", ")), r#" "x": [1],"#);
            let mut bytes = text.into_bytes();
            let i = at % bytes.len();
            if cut { bytes.truncate(i) } else { bytes[i] = byte }
            if let Ok(t) = std::str::from_utf8(&bytes) {
                fast_agrees(t);
            }
        }
    }

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
