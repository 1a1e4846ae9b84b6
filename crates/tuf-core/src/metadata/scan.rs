//! A small cursor over JSON text for the fast typed parses of large
//! documents (a targets role with many targets).
//!
//! # Contract
//!
//! A fast parse built on [`Scan`] is only an optimisation of the serde
//! parse: it handles the common shapes (plain strings without escapes,
//! integers, objects whose members it knows) and hands every other value to
//! serde at the same position. Whenever it meets something it does not
//! handle, or anything invalid, it returns `None`, and the caller runs the
//! serde parse from the start, which produces the model or the error. So the
//! result of a fast parse, when there is one, is the result of the serde
//! parse of the same text; the differential tests in `targets.rs` check it.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::fields::PlainDigest;
use super::{Hashes, NameMap, RoleType, SpecVersion, Version};
use crate::DateTime;
use crate::canonical::scan_plain;

/// A position in JSON text.
pub(crate) struct Scan<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scan<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Scan { text, pos: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn set_pos(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// Skip RFC 8259 whitespace.
    pub(crate) fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes().get(self.pos) {
            self.pos += 1;
        }
    }

    /// After whitespace, the byte `c`.
    pub(crate) fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.bytes().get(self.pos) == Some(&c)).then(|| self.pos += 1)
    }

    /// Only whitespace is left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.ws();
        self.pos == self.text.len()
    }

    /// After whitespace, a string without escapes or control characters:
    /// its content, exactly what a JSON parser decodes it to.
    pub(crate) fn plain_str(&mut self) -> Option<&'a str> {
        self.ws();
        if self.bytes().get(self.pos) != Some(&b'"') {
            return None;
        }
        let start = self.pos + 1;
        let stop = scan_plain(self.bytes(), start);
        if self.bytes().get(stop) != Some(&b'"') {
            return None;
        }
        self.pos = stop + 1;
        self.text.get(start..stop)
    }

    /// After whitespace, a non-negative integer that fits a `u64`, written
    /// as JSON allows (no leading zero, no fraction, no exponent).
    pub(crate) fn u64(&mut self) -> Option<u64> {
        self.ws();
        let b = self.bytes();
        let start = self.pos;
        let mut n: u64 = 0;
        while let Some(&d @ b'0'..=b'9') = b.get(self.pos) {
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
            self.pos += 1;
        }
        let digits = self.pos - start;
        if digits == 0 || (digits > 1 && b[start] == b'0') {
            return None;
        }
        match b.get(self.pos) {
            Some(b'.' | b'e' | b'E') => None,
            _ => Some(n),
        }
    }

    /// After whitespace, one JSON value parsed by serde.
    pub(crate) fn value<T: Deserialize<'a>>(&mut self) -> Option<T> {
        self.ws();
        let rest = self.text.get(self.pos..)?;
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<T>();
        let value = stream.next()?.ok()?;
        self.pos += stream.byte_offset();
        Some(value)
    }

    /// After whitespace, an object whose keys are plain strings: `member`
    /// is called with each key and the scanner just after its `:`, and must
    /// consume the value.
    pub(crate) fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, &'a str) -> Option<()>,
    ) -> Option<()> {
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let key = self.plain_str()?;
            self.eat(b':')?;
            member(self, key)?;
            self.ws();
            match self.bytes().get(self.pos)? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }
}

/// After whitespace, a `hashes` object with a single plain digest; `None`
/// for anything else (several digests are sorted by the serde parse).
pub(crate) fn single_digest(s: &mut Scan<'_>) -> Option<Hashes> {
    let (algorithm, digest) = one_digest(s)?;
    Some(Hashes::one(algorithm, digest))
}

/// [`single_digest`], a SHA-256 digest kept as bytes for now.
pub(crate) fn single_plain_digest(s: &mut Scan<'_>) -> Option<PlainDigest> {
    let (algorithm, digest) = one_digest(s)?;
    Some(PlainDigest::new(algorithm, digest))
}

fn one_digest<'a>(s: &mut Scan<'a>) -> Option<(&'a str, &'a str)> {
    let mut one = None;
    s.object(|s, algorithm| {
        let digest = s.plain_str()?;
        once(&mut one, (algorithm, digest))
    })?;
    one
}

/// Set `slot` once; a repeated member (`None`) is for the serde parse to judge.
pub(crate) fn once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    slot.replace(value).is_none().then_some(())
}

/// The members every `signed` payload has, as a fast parse found them.
#[derive(Default)]
pub(crate) struct Common {
    pub(crate) kind: Option<RoleType>,
    pub(crate) spec_version: Option<SpecVersion>,
    pub(crate) version: Option<Version>,
    pub(crate) expires: Option<DateTime>,
    pub(crate) unrecognized: Map<String, Value>,
}

/// The whole of `text` as one `signed` object: `own` reads the members of
/// the role's own (returning `Some(false)` for any other key), and the
/// common and unknown members are gathered here.
pub(crate) fn signed_object<'a>(
    text: &'a str,
    mut own: impl FnMut(&mut Scan<'a>, &'a str) -> Option<bool>,
) -> Option<Common> {
    let mut s = Scan::new(text);
    let mut c = Common::default();
    s.object(|s, key| {
        if own(s, key)? {
            return Some(());
        }
        match key {
            "_type" => once(&mut c.kind, s.value()?),
            "spec_version" => once(&mut c.spec_version, s.value()?),
            "version" => once(&mut c.version, s.value()?),
            "expires" => once(&mut c.expires, s.value()?),
            other => {
                let v = s.value::<Value>()?;
                c.unrecognized
                    .insert(other.to_owned(), v)
                    .is_none()
                    .then_some(())
            }
        }
    })?;
    s.at_end().then_some(c)
}

/// The entries of an object (targets, or snapshot's `meta`), read by
/// [`entries`] and turned into a map by [`Entries::build`]. The names go
/// straight into the one string a [`NameMap`] keeps; usual entries are kept
/// in a compact form `P` until the build: they and the input text are what
/// memory holds at the end of a large parse.
pub(crate) struct Entries<P, V> {
    names: String,
    /// Where each name ends in `names`.
    ends: Vec<usize>,
    plain: Vec<P>,
    /// Entries read by serde, with their position among all entries.
    other: Vec<(usize, V)>,
}

/// The entries of an object in text order. `plain` reads the usual entry
/// directly; any other entry is read by serde from the same position.
pub(crate) fn entries<'a, P, V: Deserialize<'a>>(
    s: &mut Scan<'a>,
    plain: impl Fn(&mut Scan<'a>) -> Option<P>,
) -> Option<Entries<P, V>> {
    let mut e = Entries {
        names: String::new(),
        ends: Vec::new(),
        plain: Vec::new(),
        other: Vec::new(),
    };
    s.object(|s, name| {
        let start = s.pos();
        match plain(s) {
            Some(p) => e.plain.push(p),
            None => {
                s.set_pos(start);
                let value = s.value::<V>()?;
                e.other.push((e.ends.len(), value));
            }
        }
        e.names.push_str(name);
        e.ends.push(e.names.len());
        Some(())
    })?;
    Some(e)
}

impl<P, V> Entries<P, V> {
    /// The map, built as deserializing a [`NameMap`] builds it (the entries
    /// in text order, then sorted once), so a repeated name resolves the
    /// same way. `expand` turns a compact entry into its value. Needs
    /// nothing of the text: see [`super::Parsed`].
    pub(crate) fn build(self, expand: impl Fn(P) -> V) -> NameMap<V> {
        if self.other.is_empty() {
            // The usual case: in place when `P` and `V` have the same size.
            let values = self.plain.into_iter().map(expand).collect();
            return NameMap::from_parts(self.names, self.ends, values);
        }
        let total = self.ends.len();
        let mut plain = self.plain.into_iter();
        let mut other = self.other.into_iter().peekable();
        let mut values = Vec::with_capacity(total);
        for at in 0..total {
            match other.next_if(|(i, _)| *i == at) {
                Some((_, value)) => values.push(value),
                None => values.extend(plain.next().map(&expand)),
            }
        }
        drop(plain);
        NameMap::from_parts(self.names, self.ends, values)
    }
}
