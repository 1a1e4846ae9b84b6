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

use super::Hashes;
use super::fields::algorithm_name;
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
    let mut one = None;
    s.object(|s, algorithm| {
        let digest = s.plain_str()?;
        one.replace((algorithm, digest)).is_none().then_some(())
    })?;
    let (algorithm, digest) = one?;
    Some(Hashes::one(algorithm_name(algorithm), digest.to_owned()))
}
