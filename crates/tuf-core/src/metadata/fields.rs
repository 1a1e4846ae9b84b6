//! Validated scalar fields shared by every role: versions, thresholds,
//! `spec_version`, key ids and hash maps. A value of these types is valid by
//! construction, so metadata built from them cannot carry e.g. a threshold of 0.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::num::{NonZeroU32, NonZeroU64};

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// A metadata `version`: an integer ≥ 1 (spec §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(NonZeroU64);

impl Version {
    /// Version 1.
    pub const ONE: Version = Version(NonZeroU64::MIN);

    /// `v` as a version, if it is at least 1.
    pub fn new(v: u64) -> Option<Self> {
        NonZeroU64::new(v).map(Version)
    }
    /// The number.
    pub fn get(self) -> u64 {
        self.0.get()
    }
    /// The next version (saturating at `u64::MAX`).
    pub fn next(self) -> Self {
        Version(self.0.saturating_add(1))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.get())
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = u64::deserialize(d)?;
        Version::new(v).ok_or_else(|| de::Error::custom("version must be at least 1"))
    }
}

/// A signature `threshold`: an integer ≥ 1 (spec 1.0.34 §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Threshold(NonZeroU32);

impl Threshold {
    /// Threshold 1.
    pub const ONE: Threshold = Threshold(NonZeroU32::MIN);

    /// `t` as a threshold, if it is at least 1.
    pub fn new(t: u32) -> Option<Self> {
        NonZeroU32::new(t).map(Threshold)
    }
    /// The number.
    pub fn get(self) -> u32 {
        self.0.get()
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Threshold {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.get())
    }
}

impl<'de> Deserialize<'de> for Threshold {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Read as i64 first so that 0 and negatives get the precise message.
        let v = i64::deserialize(d)?;
        if v < 1 {
            return Err(de::Error::custom("threshold must be at least 1"));
        }
        u32::try_from(v)
            .ok()
            .and_then(Threshold::new)
            .ok_or_else(|| de::Error::custom("threshold is too large"))
    }
}

/// The `spec_version` of a document: `MAJOR.MINOR[.PATCH]`, digits only, major 1.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SpecVersion(String);

impl SpecVersion {
    /// The specification version this crate implements and writes.
    pub fn current() -> Self {
        SpecVersion("1.0.34".to_owned())
    }
    /// Validate a version string (§4.3; TAP 6: major must be 1).
    pub fn parse(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split('.').collect();
        if !(2..=3).contains(&parts.len())
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(format!("spec_version {s:?} is not MAJOR.MINOR[.PATCH]"));
        }
        if parts[0] != "1" {
            return Err(format!(
                "unsupported spec_version {s:?}: major version must be 1"
            ));
        }
        Ok(SpecVersion(s.to_owned()))
    }
    /// The string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Serialize for SpecVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SpecVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        SpecVersion::parse(&s).map_err(de::Error::custom)
    }
}

/// A key id: an opaque label in loaded metadata (TAP 12); for keys we create,
/// the hex SHA-256 of the canonical public key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KeyId(String);

impl KeyId {
    /// Wrap a label.
    pub fn new(s: impl Into<String>) -> Self {
        KeyId(s.into())
    }
    /// The label.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::borrow::Borrow<str> for KeyId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// A non-empty map from hash algorithm name to lowercase hex digest.
///
/// Not a `BTreeMap`: a targets.json holds one of these per target, and a
/// `BTreeMap` node costs over 500 bytes for the usual single entry. The
/// usual SHA-256 digest is held inline (72 bytes, no allocation), so a
/// 100,000-target role makes no allocation per digest and frees none; any
/// other single digest is stored with its algorithm name in one allocation.
#[derive(Clone, PartialEq, Eq)]
pub struct Hashes(HashesRepr);

/// One representation per value, so the derived equality is the map's:
/// `Sha256` exactly when the one pair is `sha256` with a 64-byte digest,
/// else `One` when there is one pair whose name fits `u32`, `Many`
/// otherwise, its names sorted and distinct.
#[derive(Clone, PartialEq, Eq)]
enum HashesRepr {
    /// The usual digest, inline: a target entry then owns no heap block.
    /// The bytes are those of a `str`, so always UTF-8.
    Sha256([u8; 64]),
    /// The name's `name_len` bytes, then the digest.
    One {
        packed: Box<str>,
        name_len: u32,
    },
    Many(Box<[(Cow<'static, str>, String)]>),
}

/// `name` without an allocation when it is one of the usual algorithms.
pub(crate) fn algorithm_name(name: &str) -> Cow<'static, str> {
    match name {
        "sha224" => Cow::Borrowed("sha224"),
        "sha256" => Cow::Borrowed("sha256"),
        "sha384" => Cow::Borrowed("sha384"),
        "sha512" => Cow::Borrowed("sha512"),
        "sha512_256" => Cow::Borrowed("sha512_256"),
        other => Cow::Owned(other.to_owned()),
    }
}

impl Hashes {
    /// Build from a map; `None` if it is empty.
    pub fn new(map: BTreeMap<String, String>) -> Option<Self> {
        Self::from_sorted(
            map.into_iter()
                .map(|(a, h)| (algorithm_name(&a), h))
                .collect(),
        )
    }
    /// A single digest.
    pub(crate) fn one(algorithm: &str, digest: &str) -> Self {
        if algorithm == "sha256"
            && let Ok(inline) = <[u8; 64]>::try_from(digest.as_bytes())
        {
            return Hashes(HashesRepr::Sha256(inline));
        }
        match u32::try_from(algorithm.len()) {
            Ok(name_len) => {
                let mut packed = String::with_capacity(algorithm.len() + digest.len());
                packed.push_str(algorithm);
                packed.push_str(digest);
                Hashes(HashesRepr::One {
                    packed: packed.into_boxed_str(),
                    name_len,
                })
            }
            Err(_) => Hashes(HashesRepr::Many(Box::new([(
                algorithm_name(algorithm),
                digest.to_owned(),
            )]))),
        }
    }
    /// From pairs sorted by algorithm name without repeats; `None` if empty.
    pub(crate) fn from_sorted(mut pairs: Vec<(Cow<'static, str>, String)>) -> Option<Self> {
        match pairs.len() {
            0 => None,
            1 => pairs.pop().map(|(a, h)| Hashes::one(&a, &h)),
            _ => Some(Hashes(HashesRepr::Many(pairs.into_boxed_slice()))),
        }
    }
    fn pairs(&self) -> &[(Cow<'static, str>, String)] {
        match &self.0 {
            HashesRepr::Sha256(_) | HashesRepr::One { .. } => &[],
            HashesRepr::Many(v) => v,
        }
    }
    /// The algorithm → hex digest pairs, in algorithm-name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let one = match &self.0 {
            // `name_len` is a char boundary: it was the name's length.
            // Whole, the bytes are a `str`'s, so this never fails.
            HashesRepr::Sha256(hex) => std::str::from_utf8(hex).ok().map(|h| ("sha256", h)),
            HashesRepr::One { packed, name_len } => packed.split_at_checked(*name_len as usize),
            HashesRepr::Many(_) => None,
        };
        one.into_iter()
            .chain(self.pairs().iter().map(|(a, h)| (a.as_ref(), h.as_str())))
    }
    /// Digest for one algorithm.
    pub fn get(&self, algorithm: &str) -> Option<&str> {
        self.iter().find(|(a, _)| *a == algorithm).map(|(_, h)| h)
    }
    /// The pairs as a map (a copy).
    pub fn as_map(&self) -> BTreeMap<String, String> {
        self.iter()
            .map(|(a, h)| (a.to_owned(), h.to_owned()))
            .collect()
    }
}

/// A single digest as the fast parse of a targets role first holds it: a
/// SHA-256 digest written as 64 lowercase hex digits is kept as its 32
/// bytes, allocating nothing until [`PlainDigest::into_hashes`] (run once
/// the input text is freed, see `Parsed`); any other digest is a [`Hashes`]
/// at once. Writing the bytes back as lowercase hex gives the text read.
pub(crate) enum PlainDigest {
    Sha256([u8; 32]),
    /// Boxed: kept small, as `Hashes` holds a SHA-256 digest inline.
    Other(Box<Hashes>),
}

impl PlainDigest {
    pub(crate) fn new(algorithm: &str, digest: &str) -> Self {
        if algorithm == "sha256"
            && let Some(raw) = lower_hex_32(digest.as_bytes())
        {
            return PlainDigest::Sha256(raw);
        }
        PlainDigest::Other(Box::new(Hashes::one(algorithm, digest)))
    }

    pub(crate) fn into_hashes(self) -> Hashes {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        match self {
            PlainDigest::Sha256(raw) => {
                let mut hex = [0u8; 64];
                for (pair, b) in hex.chunks_exact_mut(2).zip(raw) {
                    pair[0] = DIGITS[usize::from(b >> 4)];
                    pair[1] = DIGITS[usize::from(b & 15)];
                }
                Hashes(HashesRepr::Sha256(hex))
            }
            PlainDigest::Other(hashes) => *hashes,
        }
    }
}

/// The 32 bytes written as exactly 64 lowercase hex digits, if `hex` is that.
/// By hand and without a branch per digit: `hex::decode_to_slice`, then a
/// `match` per digit (hex digits are random, so its branches mispredict),
/// each took ~10% of a 100k-target refresh.
fn lower_hex_32(hex: &[u8]) -> Option<[u8; 32]> {
    /// A digit's value, or 0x10 (a bit no digit has) for anything else.
    const VALUE: [u8; 256] = {
        let mut t = [0x10u8; 256];
        let mut i = 0;
        while i < 10 {
            t[b'0' as usize + i] = i as u8;
            i += 1;
        }
        let mut i = 0;
        while i < 6 {
            t[b'a' as usize + i] = 10 + i as u8;
            i += 1;
        }
        t
    };
    let hex: &[u8; 64] = hex.try_into().ok()?;
    let mut raw = [0u8; 32];
    let mut bad = 0u8;
    for (out, pair) in raw.iter_mut().zip(hex.chunks_exact(2)) {
        let (hi, lo) = (VALUE[usize::from(pair[0])], VALUE[usize::from(pair[1])]);
        bad |= hi | lo;
        *out = (hi << 4) | (lo & 0x0f);
    }
    (bad & 0x10 == 0).then_some(raw)
}

impl fmt::Debug for Hashes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Hashes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Hashes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Hashes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Hashes, A::Error> {
                // The usual single digest never touches the vector.
                let Some((k, v)) = map.next_entry::<MemberName<'de>, String>()? else {
                    return Err(de::Error::custom("hashes must not be empty"));
                };
                let Some(second) = map.next_entry::<MemberName<'de>, String>()? else {
                    return Ok(Hashes::one(k.as_str(), &v));
                };
                let mut pairs = vec![(algorithm_name(k.as_str()), v)];
                let mut next = Some(second);
                while let Some((k, v)) = next.take() {
                    let k = k.as_str();
                    // As a BTreeMap would: a repeated key keeps the last value.
                    match pairs.binary_search_by(|(a, _)| a.as_ref().cmp(k)) {
                        Ok(i) => pairs[i].1 = v,
                        Err(i) => pairs.insert(i, (algorithm_name(k), v)),
                    }
                    next = map.next_entry::<MemberName<'de>, String>()?;
                }
                Hashes::from_sorted(pairs)
                    .ok_or_else(|| de::Error::custom("hashes must not be empty"))
            }
        }
        d.deserialize_map(V)
    }
}

/// An object member name, borrowed from the input when it has no escapes, so
/// hand-written visitors match field names without allocating.
pub(crate) struct MemberName<'de>(std::borrow::Cow<'de, str>);

impl MemberName<'_> {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
    pub(crate) fn into_string(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> Deserialize<'de> for MemberName<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = MemberName<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(MemberName(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(MemberName(std::borrow::Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(MemberName(std::borrow::Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Deserialize a list of key ids, refusing duplicates (spec §4.3: keyids are unique).
pub(crate) fn unique_keyids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<KeyId>, D::Error> {
    let ids = Vec::<KeyId>::deserialize(d)?;
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    for id in &ids {
        if !seen.insert(id.as_str()) {
            return Err(de::Error::custom(format!(
                "duplicate keyid {:?}",
                id.as_str()
            )));
        }
    }
    Ok(ids)
}

/// Deserialize an optional boolean that, when present, must be a boolean (not null).
pub(crate) fn present_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    bool::deserialize(d).map(Some)
}

/// Deserialize a list of strings that, when present, must be a list (not null).
pub(crate) fn present_strings<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<String>>, D::Error> {
    Vec::<String>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_one_or_many_behave_as_a_sorted_map() {
        let one: Hashes = serde_json::from_str(r#"{"sha256": "aa"}"#).unwrap();
        assert_eq!(one.iter().collect::<Vec<_>>(), [("sha256", "aa")]);
        assert_eq!(one.get("sha256"), Some("aa"));
        assert_eq!(one.get("sha512"), None);
        let many: Hashes = serde_json::from_str(
            r#"{"sha512": "bb", "x-own": "cc", "sha256": "aa", "sha512": "dd"}"#,
        )
        .unwrap();
        assert_eq!(
            many.iter().collect::<Vec<_>>(),
            [("sha256", "aa"), ("sha512", "dd"), ("x-own", "cc")],
            "sorted, a repeated name keeps its last digest"
        );
        assert_eq!(
            serde_json::to_string(&many).unwrap(),
            r#"{"sha256":"aa","sha512":"dd","x-own":"cc"}"#
        );
        assert_eq!(Hashes::new(many.as_map()), Some(many.clone()));
        assert_eq!(Hashes::new(one.as_map()), Some(one.clone()));
        assert_ne!(one, many);
        assert!(Hashes::new(BTreeMap::new()).is_none());
        assert!(serde_json::from_str::<Hashes>("{}").is_err());
    }

    #[test]
    fn hashes_equal_whichever_way_they_were_built() {
        // The packed single digest must compare as the map it stands for,
        // however it was reached: serde, a map, a repeated name collapsing
        // to one, the fast parse's constructor, or a name with non-ASCII text.
        let from_serde: Hashes = serde_json::from_str(r#"{"sha256": "aa"}"#).unwrap();
        let collapsed: Hashes =
            serde_json::from_str(r#"{"sha256": "bb", "sha256": "aa"}"#).unwrap();
        let from_map = Hashes::new(BTreeMap::from([("sha256".into(), "aa".into())])).unwrap();
        for h in [&collapsed, &from_map, &Hashes::one("sha256", "aa")] {
            assert_eq!(h, &from_serde);
        }
        // The boundary between name and digest is kept, not guessed.
        assert_ne!(Hashes::one("sha256a", "a"), from_serde);
        let odd = Hashes::one("é-alg", "ü");
        assert_eq!(odd.iter().collect::<Vec<_>>(), [("é-alg", "ü")]);
        assert_eq!(format!("{odd:?}"), r#"{"é-alg": "ü"}"#);
        // A SHA-256 digest of 64 bytes is held inline, whatever its text.
        let long = "ab".repeat(32);
        let wide = "é".repeat(32);
        for digest in [long.as_str(), wide.as_str()] {
            let text = format!(r#"{{"sha256": "{digest}"}}"#);
            let from_serde: Hashes = serde_json::from_str(&text).unwrap();
            let from_map = Hashes::new(BTreeMap::from([("sha256".into(), digest.into())])).unwrap();
            assert!(matches!(from_serde.0, HashesRepr::Sha256(_)));
            assert_eq!(from_serde, from_map);
            assert_eq!(from_serde.iter().collect::<Vec<_>>(), [("sha256", digest)]);
            assert_eq!(
                serde_json::to_string(&from_serde).unwrap(),
                text.replace(' ', "")
            );
        }
        let two: Hashes =
            serde_json::from_str(&format!(r#"{{"sha512": "cd", "sha256": "{long}"}}"#)).unwrap();
        assert_eq!(
            two.iter().collect::<Vec<_>>(),
            [("sha256", long.as_str()), ("sha512", "cd")]
        );
        assert!(
            std::mem::size_of::<Hashes>() <= 72,
            "a target entry stays within a cache line or two"
        );
    }

    #[test]
    fn a_digest_kept_as_bytes_is_written_back_exactly_as_read() {
        let lower = "0123456789abcdef".repeat(4);
        let kept = PlainDigest::new("sha256", &lower);
        assert!(matches!(kept, PlainDigest::Sha256(_)));
        assert_eq!(kept.into_hashes(), Hashes::one("sha256", &lower));
        // Anything that would not come back byte for byte stays text.
        let upper = lower.to_uppercase();
        let long = format!("{lower}0");
        let not_hex = format!("{}g", &lower[1..]);
        for (alg, digest) in [
            ("sha256", upper.as_str()),
            ("sha256", &lower[1..]),
            ("sha256", long.as_str()),
            ("sha256", not_hex.as_str()),
            ("sha512", lower.as_str()),
        ] {
            let other = PlainDigest::new(alg, digest);
            assert!(matches!(other, PlainDigest::Other(_)), "{alg} {digest}");
            assert_eq!(other.into_hashes(), Hashes::one(alg, digest));
        }
    }

    #[test]
    fn spec_version_rules() {
        for ok in ["1.0", "1.0.34", "1.20.0"] {
            assert!(SpecVersion::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["2.0.0", "1", "1.0.0.0", "1.a.0", "v1.0", "1..0", ""] {
            assert!(SpecVersion::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn threshold_and_version_reject_zero_negative_and_non_integers() {
        for bad in ["0", "-1", "1.0", "true", "\"1\"", "null"] {
            assert!(serde_json::from_str::<Threshold>(bad).is_err(), "{bad}");
            assert!(serde_json::from_str::<Version>(bad).is_err(), "{bad}");
        }
        assert_eq!(serde_json::from_str::<Threshold>("2").unwrap().get(), 2);
        assert!(serde_json::from_str::<Version>("18446744073709551616").is_err());
    }
}
