//! [`RawMetadata`]: a received document split into its signatures and the
//! canonical bytes of its `signed` member *as received*, and [`RoleKeys`],
//! the keys and threshold a delegator gives one role.

use std::collections::{BTreeMap, HashSet};

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{Key, KeyId, Metadata, Parsed, Role, Signature, SignedMeta, Threshold, parse_typed};
use crate::canonical;
use crate::error::{FormatError, VerifyError};

/// A parsed envelope whose `signed` member is kept as received text.
#[derive(Debug)]
pub struct RawMetadata<'a> {
    role: String,
    /// The `signed` member's text as received (one JSON value).
    signed: &'a str,
    signatures: Vec<Signature>,
    unrecognized: Map<String, Value>,
    canonical_signed: std::sync::OnceLock<Vec<u8>>,
}

struct Envelope<'a> {
    signed: &'a RawValue,
    signatures: Vec<Signature>,
    unrecognized: Map<String, Value>,
}

impl<'de: 'a, 'a> de::Deserialize<'de> for Envelope<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Envelope<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a metadata object with \"signed\" and \"signatures\"")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let (mut signed, mut signatures) = (None, None);
                let mut unrecognized = Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    let dup = match key.as_str() {
                        "signed" => signed.replace(map.next_value::<&'a RawValue>()?).is_some(),
                        "signatures" => signatures
                            .replace(map.next_value::<Vec<Signature>>()?)
                            .is_some(),
                        _ => {
                            let v = map.next_value::<Value>()?;
                            unrecognized.insert(key.clone(), v).is_some()
                        }
                    };
                    if dup {
                        return Err(de::Error::custom(format!("duplicate field `{key}`")));
                    }
                }
                Ok(Envelope {
                    signed: signed.ok_or_else(|| de::Error::missing_field("signed"))?,
                    signatures: signatures.ok_or_else(|| de::Error::missing_field("signatures"))?,
                    unrecognized,
                })
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

impl<'a> RawMetadata<'a> {
    /// Split `bytes` into signatures and canonical `signed` bytes. Rejects
    /// invalid JSON or UTF-8, duplicate keys, floats in `signed`, and two
    /// signatures with one key id (spec §4.2.1).
    pub fn parse(bytes: &'a [u8], role: &str) -> Result<Self, FormatError> {
        let raw = Self::parse_envelope(bytes, role)?;
        raw.canonicalize()?;
        Ok(raw)
    }

    /// [`parse`](Self::parse) without canonicalizing `signed` yet: the
    /// verifier does that, possibly on another thread, before any signature
    /// is checked ([`canonicalize`](Self::canonicalize)).
    pub(crate) fn parse_envelope(bytes: &'a [u8], role: &str) -> Result<Self, FormatError> {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| FormatError::new(role, ".", format!("not UTF-8: {e}")))?;
        let env: Envelope<'a> =
            serde_json::from_str(text).map_err(|e| FormatError::new(role, ".", e.to_string()))?;
        let mut seen = HashSet::with_capacity(env.signatures.len());
        for s in &env.signatures {
            if !seen.insert(s.keyid.as_str()) {
                return Err(FormatError::new(
                    role,
                    "signatures",
                    format!("multiple signatures with keyid {:?}", s.keyid.as_str()),
                ));
            }
        }
        Ok(RawMetadata {
            role: role.to_owned(),
            signed: env.signed.get(),
            signatures: env.signatures,
            unrecognized: env.unrecognized,
            canonical_signed: std::sync::OnceLock::new(),
        })
    }

    /// A fast split for large documents whose last member is `signed` (as
    /// python-tuf and this crate write them): the members before it are
    /// parsed, and `signed` is taken to be everything up to the closing
    /// brace, *without* scanning it. That guess is only right if the text
    /// is one JSON value, which the canonicalizer and the typed parse both
    /// check in full: a caller must treat a format error from either as
    /// "retry with [`parse_envelope`](Self::parse_envelope)", never as the
    /// verdict (see `verify::parse_and_verify`). `None`: use the strict path.
    pub(crate) fn split_signed_last(bytes: &'a [u8], role: &str) -> Option<Self> {
        let text = std::str::from_utf8(bytes).ok()?;
        let b = text.as_bytes();
        let mut pos = skip_ws(b, 0);
        if b.get(pos) != Some(&b'{') {
            return None;
        }
        pos += 1;
        let mut signatures: Option<Vec<Signature>> = None;
        let mut unrecognized = Map::new();
        loop {
            pos = skip_ws(b, pos);
            let key: String = next_value(text, &mut pos)?;
            pos = skip_ws(b, pos);
            if b.get(pos) != Some(&b':') {
                return None;
            }
            pos = skip_ws(b, pos + 1);
            match key.as_str() {
                "signed" => {
                    let end = trim_ws_end(b, b.len());
                    let end = trim_ws_end(b, end.checked_sub(1).filter(|&e| b[e] == b'}')?);
                    let signed = text.get(pos..end).filter(|s| !s.is_empty())?;
                    let signatures = signatures?;
                    let mut seen = HashSet::with_capacity(signatures.len());
                    if !signatures.iter().all(|s| seen.insert(s.keyid.as_str())) {
                        return None;
                    }
                    return Some(RawMetadata {
                        role: role.to_owned(),
                        signed,
                        signatures,
                        unrecognized,
                        canonical_signed: std::sync::OnceLock::new(),
                    });
                }
                "signatures" if signatures.is_none() => {
                    signatures = Some(next_value(text, &mut pos)?);
                }
                "signatures" => return None,
                _ => {
                    let value: Value = next_value(text, &mut pos)?;
                    if unrecognized.insert(key, value).is_some() {
                        return None;
                    }
                }
            }
            pos = skip_ws(b, pos);
            if b.get(pos) != Some(&b',') {
                return None;
            }
            pos += 1;
        }
    }

    /// Compute (once) the canonical bytes of `signed` as received, refusing
    /// floats and duplicate keys.
    pub(crate) fn canonicalize(&self) -> Result<&[u8], FormatError> {
        if let Some(done) = self.canonical_signed.get() {
            return Ok(done);
        }
        let bytes = canonical::canonicalize_text(self.signed)
            .map_err(|e| FormatError::new(&self.role, "signed", e.to_string()))?;
        Ok(self.canonical_signed.get_or_init(|| bytes))
    }

    /// The canonical bytes of `signed` computed for one use and not kept
    /// (unless [`canonicalize`](Self::canonicalize) already kept them):
    /// the caller drops them once the signatures are checked, so an 18 MB
    /// targets.json does not hold its 15 MB canonical form for as long as
    /// its `RawMetadata` lives. Split as in
    /// `canonical::canonicalize_text_split` when `split` is given (the tail
    /// computed elsewhere and awaited through the closure).
    pub(crate) fn canonical_once(
        &self,
        split: Option<(usize, &mut dyn FnMut() -> Option<canonical::CanonicalTail>)>,
    ) -> Result<std::borrow::Cow<'_, [u8]>, FormatError> {
        if let Some(done) = self.canonical_signed.get() {
            return Ok(std::borrow::Cow::Borrowed(done));
        }
        let bytes = match split {
            Some((at, tail)) => canonical::canonicalize_text_split(self.signed, at, tail),
            None => canonical::canonicalize_text(self.signed),
        }
        .map_err(|e| FormatError::new(&self.role, "signed", e.to_string()))?;
        Ok(std::borrow::Cow::Owned(bytes))
    }

    /// The role name used in errors.
    pub fn role(&self) -> &str {
        &self.role
    }

    /// Signatures as received.
    pub fn signatures(&self) -> &[Signature] {
        &self.signatures
    }

    /// Canonical bytes of `signed` as received: what signatures cover.
    pub fn canonical_signed(&self) -> &[u8] {
        // Every public constructor canonicalizes; the crate-internal deferred
        // path canonicalizes before it verifies.
        self.canonical_signed
            .get()
            .map(Vec::as_slice)
            .expect("canonicalized before use")
    }

    /// The `signed` text as received.
    pub fn signed_text(&self) -> &str {
        self.signed
    }

    /// Parse `signed` as `T` (format checks, including `_type`), untrusted.
    pub fn to_metadata<T: SignedMeta>(&self) -> Result<Metadata<T>, FormatError> {
        self.to_parsed().map(Parsed::finish)
    }

    /// [`Self::to_metadata`], leaving what [`SignedMeta::parse_fast`] left to
    /// build unbuilt: the result no longer needs this text.
    pub(crate) fn to_parsed<T: SignedMeta>(&self) -> Result<Parsed<Metadata<T>>, FormatError> {
        let text = self.signed;
        // Fast path: one plain parse. Path tracking and the separate `_type`
        // check cost more than the parse itself on a large targets.json, so
        // they run only to explain a failure.
        let parsed = match T::parse_fast(text) {
            Some(parsed) => Ok(parsed),
            None => serde_json::from_str::<T>(text).map(Parsed::done),
        };
        let signed = match parsed {
            Ok(signed) => signed,
            Err(_) => Parsed::done({
                self.check_type::<T>()?;
                parse_typed::<T>(text, &self.role, "signed")?
            }),
        };
        // `_type` is read before anything is left to build.
        let kind = signed.partial().kind();
        if kind != T::TYPE {
            return Err(self.wrong_type::<T>(kind.as_str()));
        }
        let (signatures, unrecognized) = (self.signatures.clone(), self.unrecognized.clone());
        Ok(signed.wrap(
            |signed| Metadata {
                signed,
                signatures,
                unrecognized,
            },
            |m| &mut m.signed,
        ))
    }

    /// Check `_type` alone, so a snapshot offered as timestamp says so plainly.
    fn check_type<T: SignedMeta>(&self) -> Result<(), FormatError> {
        #[derive(serde::Deserialize)]
        struct TypeOnly {
            #[serde(rename = "_type")]
            kind: String,
        }
        let t: TypeOnly = parse_typed(self.signed, &self.role, "signed")?;
        if t.kind != T::TYPE.as_str() {
            return Err(self.wrong_type::<T>(&t.kind));
        }
        Ok(())
    }

    fn wrong_type<T: SignedMeta>(&self, got: &str) -> FormatError {
        FormatError::new(
            &self.role,
            "signed._type",
            format!("expected {:?}, got {:?}", T::TYPE.as_str(), got),
        )
    }
}

/// JSON whitespace (RFC 8259 §2).
fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while b.get(pos).copied().is_some_and(is_ws) {
        pos += 1;
    }
    pos
}

fn trim_ws_end(b: &[u8], mut end: usize) -> usize {
    while end > 0 && is_ws(b[end - 1]) {
        end -= 1;
    }
    end
}

/// Parse one JSON value starting at `text[*pos..]` and advance past it.
fn next_value<'de, T: de::Deserialize<'de>>(text: &'de str, pos: &mut usize) -> Option<T> {
    let mut stream = serde_json::Deserializer::from_str(text.get(*pos..)?).into_iter::<T>();
    let value = stream.next()?.ok()?;
    *pos += stream.byte_offset();
    Some(value)
}

/// The keys and threshold a delegator assigns to one role. Key ids listed
/// for the role but absent from the key map are skipped (spec: F-29).
#[derive(Debug, Clone)]
pub struct RoleKeys<'a> {
    role: &'a str,
    keys: Vec<(&'a KeyId, &'a Key)>,
    threshold: Threshold,
}

impl<'a> RoleKeys<'a> {
    pub(crate) fn resolve(role: &'a str, entry: &'a Role, keys: &'a BTreeMap<KeyId, Key>) -> Self {
        RoleKeys::from_parts(role, &entry.keyids, entry.threshold, keys)
    }

    pub(crate) fn from_parts(
        role: &'a str,
        keyids: &'a [KeyId],
        threshold: Threshold,
        keys: &'a BTreeMap<KeyId, Key>,
    ) -> Self {
        let keys = keyids
            .iter()
            .filter_map(|id| keys.get_key_value(id))
            .collect();
        RoleKeys {
            role,
            keys,
            threshold,
        }
    }

    /// The role these keys are for.
    pub fn role(&self) -> &str {
        self.role
    }

    /// The threshold.
    pub fn threshold(&self) -> Threshold {
        self.threshold
    }

    /// The authorized keys (those present in the key map).
    pub fn keys(&self) -> &[(&'a KeyId, &'a Key)] {
        &self.keys
    }

    /// Whether two role-key sets are the same (same keys and threshold): used
    /// to detect key rotation (§5.3.11).
    pub fn same_as(&self, other: &RoleKeys<'_>) -> bool {
        self.threshold == other.threshold && {
            let a: HashSet<_> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
            let b: HashSet<_> = other.keys.iter().map(|(id, _)| id.as_str()).collect();
            a == b
        }
    }

    /// Count distinct public keys whose signature over `raw` verifies; error
    /// unless the count reaches the threshold.
    pub fn verify(&self, raw: &RawMetadata<'_>) -> Result<(), VerifyError> {
        self.verify_message(raw.canonical_signed(), raw.signatures())
    }

    /// [`verify`](Self::verify) over canonical bytes held elsewhere.
    pub(crate) fn verify_message(
        &self,
        msg: &[u8],
        signatures: &[Signature],
    ) -> Result<(), VerifyError> {
        self.verify_with(signatures, |public, sig| public.verify(msg, sig))
    }

    /// The threshold rule of [`verify_message`](Self::verify_message), with
    /// `check` deciding each signature whose key this role lists: every such
    /// signature is checked, and distinct keys that pass are counted once.
    fn verify_with(
        &self,
        signatures: &[Signature],
        mut check: impl FnMut(&crate::crypto::PublicKey, &[u8]) -> bool,
    ) -> Result<(), VerifyError> {
        let mut verified: HashSet<Vec<u8>> = HashSet::new();
        for sig in signatures {
            let Some((public, sig_bytes)) = self.candidate(sig) else {
                continue;
            };
            if check(&public, &sig_bytes) {
                verified.insert(public.material().to_vec());
            }
        }
        let count = u32::try_from(verified.len()).unwrap_or(u32::MAX);
        if count >= self.threshold.get() {
            Ok(())
        } else {
            Err(VerifyError::ThresholdNotMet {
                role: self.role.to_owned(),
                verified: count,
                threshold: self.threshold.get(),
            })
        }
    }

    /// The key this role gives `sig`'s keyid, parsed, and the signature's
    /// bytes; `None` if there is no such key or either does not parse (the
    /// signature then counts for nothing).
    fn candidate(&self, sig: &Signature) -> Option<(crate::crypto::PublicKey, Vec<u8>)> {
        let (_, key) = self.keys.iter().find(|(id, _)| *id == &sig.keyid)?;
        let public = crate::crypto::PublicKey::from_key(key).ok()?;
        let sig_bytes = hex::decode(&sig.sig).ok()?;
        Some((public, sig_bytes))
    }
}

/// [`RoleKeys::verify_message`] for several delegators over the canonical
/// form of one `signed` text, hashed piece by piece as it is produced
/// instead of being held whole (ADR 0011). Taken only when every signature
/// some delegator would check is Ed25519 and
/// [`Ed25519Stream`](crate::crypto::ed25519_stream::Ed25519Stream) takes it.
pub(crate) struct StreamedCheck {
    /// Each (key material, signature) pair to check, once.
    pairs: Vec<(
        Vec<u8>,
        Vec<u8>,
        crate::crypto::ed25519_stream::Ed25519Stream,
    )>,
}

impl StreamedCheck {
    /// Canonical bytes go to the hashes in pieces of this size: small enough
    /// to stay in cache between the canonicalizer and SHA-512.
    const PIECE: usize = 64 << 10;

    /// `None`: not taken; check over the whole canonical form instead.
    pub(crate) fn new(delegators: &[&RoleKeys<'_>], signatures: &[Signature]) -> Option<Self> {
        use crate::crypto::ed25519_stream::Ed25519Stream;
        let mut pairs: Vec<(Vec<u8>, Vec<u8>, Ed25519Stream)> = Vec::new();
        for keys in delegators {
            for sig in signatures {
                let Some((public, sig_bytes)) = keys.candidate(sig) else {
                    continue;
                };
                if public.scheme() != crate::crypto::Scheme::Ed25519 {
                    return None;
                }
                let material = public.material();
                if pairs
                    .iter()
                    .any(|(m, s, _)| m == material && *s == sig_bytes)
                {
                    continue;
                }
                let stream = Ed25519Stream::new(material, &sig_bytes)?;
                pairs.push((material.to_vec(), sig_bytes, stream));
            }
        }
        // Nothing to hash: the usual path gives the usual error.
        (!pairs.is_empty()).then_some(StreamedCheck { pairs })
    }

    /// The verdict of every delegator in turn, as `verify_message` would
    /// give it over the canonical form of `signed`; `None` when the fast
    /// canonicalizer does not take `signed` (the caller then canonicalizes
    /// it whole, which also explains a format error).
    pub(crate) fn run(
        mut self,
        signed: &[u8],
        delegators: &[&RoleKeys<'_>],
        signatures: &[Signature],
    ) -> Option<Result<(), VerifyError>> {
        let taken = canonical::canonicalize_streaming(signed, Self::PIECE, &mut |piece| {
            for (_, _, stream) in &mut self.pairs {
                stream.update(piece);
            }
        });
        if !taken {
            return None;
        }
        let verdicts: Vec<(Vec<u8>, Vec<u8>, bool)> = self
            .pairs
            .into_iter()
            .map(|(material, sig, stream)| (material, sig, stream.verify()))
            .collect();
        Some(delegators.iter().try_for_each(|keys| {
            keys.verify_with(signatures, |public, sig| {
                verdicts
                    .iter()
                    .any(|(m, s, ok)| *ok && m == public.material() && s == sig)
            })
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::RawMetadata;

    const SIGS: &str = r#"[{"keyid": "ab", "sig": "cd"}]"#;

    #[test]
    fn fast_split_takes_signed_up_to_the_closing_brace() {
        let text = format!(
            "\n {{ \"x\" : [1, {{}}], \"signatures\" :{SIGS},\t\"signed\" : {{\"a\": \"}}\"}} \r\n}}\n"
        );
        let raw = RawMetadata::split_signed_last(text.as_bytes(), "r").expect("fast path");
        assert_eq!(raw.signed_text(), r#"{"a": "}"}"#);
        assert_eq!(raw.signatures().len(), 1);
        assert_eq!(raw.unrecognized["x"], serde_json::json!([1, {}]));
    }

    /// A missing closing brace is not noticed here: the guessed `signed`
    /// (`{`) fails the full parses later, and the strict path decides.
    #[test]
    fn fast_split_declines_what_it_cannot_split() {
        for text in [
            format!(r#"{{"signed": {{}}, "signatures": {SIGS}}}"#),
            format!(r#"{{"signatures": {SIGS}, "signatures": {SIGS}, "signed": {{}}}}"#),
            format!(r#"{{"x": 1, "x": 2, "signatures": {SIGS}, "signed": {{}}}}"#),
            format!(r#"{{"signatures": {SIGS} "signed": {{}}}}"#),
            format!(r#"{{"signatures": {SIGS}, "signed": }}"#),
            r#"[{"signatures": [], "signed": {}}]"#.to_owned(),
            r#"{"signatures": [{"keyid": "a", "sig": "1"}, {"keyid": "a", "sig": "2"}], "signed": {}}"#.to_owned(),
        ] {
            assert!(RawMetadata::split_signed_last(text.as_bytes(), "r").is_none(), "{text}");
        }
    }

    /// Which documents `StreamedCheck` takes, and that where it takes one
    /// its verdict is `verify_message`'s over the whole canonical form.
    #[test]
    fn the_streamed_check_takes_ed25519_only_and_agrees_with_the_whole_check() {
        use super::StreamedCheck;
        use crate::crypto::{KeySpec, PrivateKey, Signer};
        use crate::metadata::{Metadata, RoleType, Root, TargetFile, Targets, Threshold};
        use crate::{DateTime, canonical};

        let when = DateTime::parse("2030-01-01T00:00:00Z").unwrap();
        let mut targets = Targets::new(when);
        for i in 0..2_000 {
            let file = TargetFile::from_bytes(format!("t{i}").as_bytes(), &["sha256"]).unwrap();
            targets.add_target(format!("dir/file-{i:05}.tar.gz"), file);
        }
        let ed = [
            PrivateKey::generate(KeySpec::Ed25519).unwrap(),
            PrivateKey::generate(KeySpec::Ed25519).unwrap(),
        ];
        let ec = PrivateKey::generate(KeySpec::EcdsaP256).unwrap();
        let doc = |signers: &[&PrivateKey]| {
            let mut md = Metadata::new(targets.clone());
            for key in signers {
                md.sign(*key, true).unwrap();
            }
            md.to_bytes()
        };
        let root = |keys: &[&PrivateKey], threshold: u32| {
            let mut root = Root::new(when);
            for key in keys {
                let public = key.public_key();
                root.add_key_with_id(RoleType::Targets, public.compute_keyid(), public);
            }
            root.set_threshold(RoleType::Targets, Threshold::new(threshold).unwrap());
            root
        };
        let both = root(&[&ed[0], &ed[1]], 2);
        let mixed = root(&[&ed[0], &ec], 2);
        let cases: Vec<(&Root, Vec<u8>, bool)> = vec![
            (&both, doc(&[&ed[0], &ed[1]]), true),
            (&both, doc(&[&ed[0]]), true),
            (&mixed, doc(&[&ed[0], &ec]), false),
            (&mixed, doc(&[&ed[0]]), true),
        ];
        for (root, bytes, streamed) in cases {
            let keys = root.role_keys(RoleType::Targets);
            let raw = RawMetadata::parse_envelope(&bytes, "targets").unwrap();
            let signed = raw.signed_text().as_bytes();
            let canonical = canonical::canonicalize_utf8(signed).unwrap();
            let whole = keys.verify_message(&canonical, raw.signatures());
            let check = StreamedCheck::new(&[&keys], raw.signatures());
            assert_eq!(check.is_some(), streamed);
            if let Some(check) = check {
                let verdict = check.run(signed, &[&keys], raw.signatures()).unwrap();
                assert_eq!(format!("{verdict:?}"), format!("{whole:?}"));
            }
            // One byte of the text changed inside a digest: both refuse it.
            let text = raw
                .signed_text()
                .replacen("\"sha256\": \"", "\"sha256\": \"0", 1);
            let tampered = canonical::canonicalize_utf8(text.as_bytes()).unwrap();
            let whole = keys.verify_message(&tampered, raw.signatures());
            assert!(whole.is_err());
            if let Some(check) = StreamedCheck::new(&[&keys], raw.signatures()) {
                let verdict = check
                    .run(text.as_bytes(), &[&keys], raw.signatures())
                    .unwrap();
                assert_eq!(format!("{verdict:?}"), format!("{whole:?}"));
            }
        }
    }
}
