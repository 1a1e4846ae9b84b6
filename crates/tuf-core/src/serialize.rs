//! Metadata bytes straight from the typed model: the canonical JSON that
//! signatures cover, and the python-tuf file layout derived from it.
//!
//! Publishing 16,384 bins of a million targets spends most of its
//! serialization time building a `serde_json::Value` tree per role and
//! walking it twice (`canonical::to_canonical` and `json::to_pretty`). This module writes the same bytes without the tree.
//!
//! Contract:
//! - [`canonical`] returns exactly `crate::canonical::to_canonical(&
//!   serde_json::to_value(v))`, or `None` when it meets anything it does
//!   not handle itself (floats, non-string map keys, the same key twice in
//!   one object, raw JSON values, deep nesting, bytes); callers then take
//!   that slower path, which also reports the errors.
//! - [`pretty_from_canonical`] turns canonical bytes of a value into
//!   `crate::json::to_pretty` of the same value (python
//!   `json.dumps(indent=1, sort_keys=True)`): both sort keys by UTF-8 bytes,
//!   so only whitespace and string escapes differ. `None` if the input is
//!   not such canonical text.
//! - Tests check both against the `Value`-based writers on every metadata type and
//!   on random JSON values.

use std::cmp::Ordering;

use serde::ser::{self, Serialize};

/// Canonical JSON of `value`, or `None` to take the `serde_json::Value` path.
pub(crate) fn canonical<T: Serialize + ?Sized>(value: &T) -> Option<Vec<u8>> {
    let mut w = Canon {
        out: Vec::with_capacity(4096),
        members: Vec::new(),
        scratch: Vec::new(),
        depth: 0,
    };
    value.serialize(&mut w).ok()?;
    Some(w.out)
}

/// Deeper values go the slow way (`canonical`'s limit is 500 levels).
const MAX_DEPTH: usize = 128;

/// Not handled here: the caller falls back to the `Value` path.
#[derive(Debug)]
pub(crate) struct Unsupported;

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not handled by the direct serializer")
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        Unsupported
    }
}

type R<T = ()> = Result<T, Unsupported>;

/// One object member already written: `out[start..colon]` is its escaped
/// key with quotes, `out[start..end]` the whole `"key":value`.
#[derive(Clone, Copy)]
struct Member {
    start: usize,
    colon: usize,
    end: usize,
}

struct Canon {
    out: Vec<u8>,
    /// Members of the objects being written, innermost last.
    members: Vec<Member>,
    scratch: Vec<u8>,
    depth: usize,
}

impl Canon {
    fn enter(&mut self) -> R {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Unsupported);
        }
        Ok(())
    }

    fn string(&mut self, s: &str) {
        self.out.push(b'"');
        let b = s.as_bytes();
        let mut run = 0;
        for (i, &c) in b.iter().enumerate() {
            if c == b'"' || c == b'\\' {
                self.out.extend_from_slice(&b[run..i]);
                self.out.push(b'\\');
                run = i;
            }
        }
        self.out.extend_from_slice(&b[run..]);
        self.out.push(b'"');
    }

    fn int(&mut self, n: impl itoa::Integer) {
        self.out
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }
}

/// Compare two escaped canonical keys (with their quotes) by their
/// unescaped bytes, which is how canonical JSON orders members (`"ab"`
/// sorts before `"ab!"`, though `"` is above `!`).
fn cmp_keys(a: &[u8], b: &[u8]) -> Ordering {
    fn unescaped(k: &[u8]) -> impl Iterator<Item = u8> + '_ {
        let body = k;
        let mut i = 0;
        std::iter::from_fn(move || {
            let mut c = *body.get(i)?;
            if c == b'\\' {
                i += 1;
                c = body[i];
            }
            i += 1;
            Some(c)
        })
    }
    let (a, b) = (&a[1..a.len() - 1], &b[1..b.len() - 1]);
    if !a.contains(&b'\\') && !b.contains(&b'\\') {
        return a.cmp(b);
    }
    unescaped(a).cmp(unescaped(b))
}

/// An object or array being written.
struct Compound<'a> {
    w: &'a mut Canon,
    /// Index of this object's first entry in `w.members`.
    base: usize,
    first: bool,
    /// Members arrived in strictly increasing key order so far.
    sorted: bool,
    /// Where a pending key began (between `serialize_key` and `_value`).
    key_start: usize,
    /// `{"variant":` was written around this compound.
    variant: bool,
}

impl<'a> Compound<'a> {
    fn new(w: &'a mut Canon, open: u8, variant: bool) -> R<Self> {
        w.enter()?;
        w.out.push(open);
        let base = w.members.len();
        Ok(Compound {
            w,
            base,
            first: true,
            sorted: true,
            key_start: 0,
            variant,
        })
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
        if !self.first {
            self.w.out.push(b',');
        }
        self.first = false;
        value.serialize(&mut *self.w)
    }

    fn end_array(self) -> R {
        self.w.out.push(b']');
        self.w.depth -= 1;
        if self.variant {
            self.w.out.push(b'}');
        }
        Ok(())
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.w.out.push(b',');
        }
        self.first = false;
        self.key_start = self.w.out.len();
        self.w.string(key);
    }

    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
        let colon = self.w.out.len();
        self.w.out.push(b':');
        value.serialize(&mut *self.w)?;
        let m = Member {
            start: self.key_start,
            colon,
            end: self.w.out.len(),
        };
        if self.sorted
            && let Some(prev) = self.w.members[self.base..].last()
        {
            let out = &self.w.out;
            match cmp_keys(&out[prev.start..prev.colon], &out[m.start..m.colon]) {
                Ordering::Less => {}
                // serde_json would keep the last value: leave that to it.
                Ordering::Equal => return Err(Unsupported),
                Ordering::Greater => self.sorted = false,
            }
        }
        self.w.members.push(m);
        Ok(())
    }

    fn end_object(self) -> R {
        let w = self.w;
        if !self.sorted {
            let members = &mut w.members[self.base..];
            let out = &w.out;
            members
                .sort_unstable_by(|a, b| cmp_keys(&out[a.start..a.colon], &out[b.start..b.colon]));
            if members.windows(2).any(|p| {
                cmp_keys(&out[p[0].start..p[0].colon], &out[p[1].start..p[1].colon])
                    == Ordering::Equal
            }) {
                return Err(Unsupported);
            }
            let from = members
                .iter()
                .map(|m| m.start)
                .min()
                .expect("out of order means two members or more");
            w.scratch.clear();
            w.scratch.extend_from_slice(&w.out[from..]);
            w.out.truncate(from);
            for (i, m) in w.members[self.base..].iter().enumerate() {
                if i > 0 {
                    w.out.push(b',');
                }
                w.out
                    .extend_from_slice(&w.scratch[m.start - from..m.end - from]);
            }
        }
        w.members.truncate(self.base);
        w.out.push(b'}');
        w.depth -= 1;
        if self.variant {
            w.out.push(b'}');
        }
        Ok(())
    }
}

/// Map keys: strings only (serde_json also accepts numbers and booleans;
/// those go the slow way).
struct KeyOnly<'a, 'b>(&'a mut Compound<'b>);

macro_rules! unsupported {
    ($($name:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $name(self, $(_: $arg),*) -> R<Self::Ok> { Err(Unsupported) })*
    };
}

impl ser::Serializer for KeyOnly<'_, '_> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = ser::Impossible<(), Unsupported>;
    type SerializeTuple = ser::Impossible<(), Unsupported>;
    type SerializeTupleStruct = ser::Impossible<(), Unsupported>;
    type SerializeTupleVariant = ser::Impossible<(), Unsupported>;
    type SerializeMap = ser::Impossible<(), Unsupported>;
    type SerializeStruct = ser::Impossible<(), Unsupported>;
    type SerializeStructVariant = ser::Impossible<(), Unsupported>;

    fn serialize_str(self, v: &str) -> R {
        self.0.key(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> R {
        self.0.key(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> R {
        self.0.key(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> R {
        v.serialize(self)
    }
    unsupported!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
    );
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> R {
        Err(Unsupported)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> R {
        Err(Unsupported)
    }
    fn serialize_seq(self, _: Option<usize>) -> R<Self::SerializeSeq> {
        Err(Unsupported)
    }
    fn serialize_tuple(self, _: usize) -> R<Self::SerializeTuple> {
        Err(Unsupported)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> R<Self::SerializeTupleStruct> {
        Err(Unsupported)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> R<Self::SerializeTupleVariant> {
        Err(Unsupported)
    }
    fn serialize_map(self, _: Option<usize>) -> R<Self::SerializeMap> {
        Err(Unsupported)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> R<Self::SerializeStruct> {
        Err(Unsupported)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> R<Self::SerializeStructVariant> {
        Err(Unsupported)
    }
}

/// serde_json's marker for `RawValue`: its text would be parsed, not copied.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

impl<'a> ser::Serializer for &'a mut Canon {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> R {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> R {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> R {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> R {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> R {
        self.int(v);
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> R {
        if let Ok(v) = i64::try_from(v) {
            return self.serialize_i64(v);
        }
        let v = u64::try_from(v).map_err(|_| Unsupported)?;
        self.serialize_u64(v)
    }
    fn serialize_u8(self, v: u8) -> R {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> R {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> R {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> R {
        self.int(v);
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> R {
        let v = u64::try_from(v).map_err(|_| Unsupported)?;
        self.serialize_u64(v)
    }
    // Floats are refused by canonical JSON (or become `null`): the slow
    // path decides.
    fn serialize_f32(self, _: f32) -> R {
        Err(Unsupported)
    }
    fn serialize_f64(self, _: f64) -> R {
        Err(Unsupported)
    }
    fn serialize_char(self, v: char) -> R {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> R {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> R {
        Err(Unsupported)
    }
    fn serialize_none(self) -> R {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> R {
        v.serialize(self)
    }
    fn serialize_unit(self) -> R {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> R {
        self.serialize_none()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> R {
        self.string(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> R {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> R {
        // `{"variant":value}`: one member, nothing to sort.
        self.enter()?;
        self.out.push(b'{');
        self.string(variant);
        self.out.push(b':');
        v.serialize(&mut *self)?;
        self.out.push(b'}');
        self.depth -= 1;
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> R<Compound<'a>> {
        Compound::new(self, b'[', false)
    }
    fn serialize_tuple(self, len: usize) -> R<Compound<'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> R<Compound<'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> R<Compound<'a>> {
        self.enter()?;
        self.out.push(b'{');
        self.string(variant);
        self.out.push(b':');
        Compound::new(self, b'[', true)
    }
    fn serialize_map(self, _: Option<usize>) -> R<Compound<'a>> {
        Compound::new(self, b'{', false)
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> R<Compound<'a>> {
        if name == RAW_VALUE_TOKEN {
            return Err(Unsupported);
        }
        Compound::new(self, b'{', false)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> R<Compound<'a>> {
        self.enter()?;
        self.out.push(b'{');
        self.string(variant);
        self.out.push(b':');
        Compound::new(self, b'{', true)
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> R {
        self.element(v)
    }
    fn end(self) -> R {
        self.end_array()
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> R {
        self.element(v)
    }
    fn end(self) -> R {
        self.end_array()
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> R {
        self.element(v)
    }
    fn end(self) -> R {
        self.end_array()
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> R {
        self.element(v)
    }
    fn end(self) -> R {
        self.w.depth -= 1; // the `{"variant":` wrapper
        self.end_array()
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> R {
        key.serialize(KeyOnly(self))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> R {
        self.value(v)
    }
    fn end(self) -> R {
        self.end_object()
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> R {
        self.key(key);
        self.value(v)
    }
    fn end(self) -> R {
        self.end_object()
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> R {
        self.key(key);
        self.value(v)
    }
    fn end(self) -> R {
        self.w.depth -= 1; // the `{"variant":` wrapper
        self.end_object()
    }
}

/// python `json.dumps(v, indent=1, separators=(",", ": "), sort_keys=True)`
/// of the value whose canonical JSON is `canonical` (see the module
/// contract); `None` if `canonical` is not canonical JSON of a value.
pub(crate) fn pretty_from_canonical(canonical: &[u8]) -> Option<Vec<u8>> {
    let src = canonical;
    // Indentation and escapes add roughly a third.
    let mut out = Vec::with_capacity(src.len() + src.len() / 2 + 64);
    let mut level = 0usize;
    let mut i = 0;
    let newline = |out: &mut Vec<u8>, level: usize| {
        out.push(b'\n');
        out.resize(out.len() + level, b' ');
    };
    while i < src.len() {
        let c = src[i];
        match c {
            b'{' | b'[' => {
                let close = if c == b'{' { b'}' } else { b']' };
                out.push(c);
                if src.get(i + 1) == Some(&close) {
                    out.push(close);
                    i += 2;
                    continue;
                }
                level += 1;
                newline(&mut out, level);
            }
            b'}' | b']' => {
                level = level.checked_sub(1)?;
                newline(&mut out, level);
                out.push(c);
            }
            b',' => {
                out.push(b',');
                newline(&mut out, level);
            }
            b':' => out.extend_from_slice(b": "),
            b'"' => {
                i = python_string(src, i, &mut out)?;
                continue;
            }
            b'-' | b'0'..=b'9' | b'a'..=b'z' => out.push(c),
            _ => return None,
        }
        i += 1;
    }
    (level == 0).then_some(out)
}

/// Re-escape the canonical string starting at `src[start]` (its opening
/// quote) as python's `ensure_ascii` encoder writes it; returns the index
/// after its closing quote. Canonical strings escape only `"` and `\`, as
/// `\"` and `\\`, which python writes the same way.
fn python_string(src: &[u8], start: usize, out: &mut Vec<u8>) -> Option<usize> {
    out.push(b'"');
    let mut i = start + 1;
    let mut run = i;
    loop {
        let c = *src.get(i)?;
        match c {
            b'"' => {
                out.extend_from_slice(&src[run..i]);
                out.push(b'"');
                return Some(i + 1);
            }
            b'\\' => {
                if !matches!(src.get(i + 1)?, b'"' | b'\\') {
                    return None;
                }
                i += 2;
            }
            0x20..=0x7e => i += 1,
            _ => {
                out.extend_from_slice(&src[run..i]);
                let short: &[u8] = match c {
                    b'\n' => b"\\n",
                    b'\r' => b"\\r",
                    b'\t' => b"\\t",
                    0x08 => b"\\b",
                    0x0c => b"\\f",
                    _ => b"",
                };
                if !short.is_empty() {
                    out.extend_from_slice(short);
                    i += 1;
                } else {
                    let len = match c {
                        0x00..=0x7f => 1,
                        0xc0..=0xdf => 2,
                        0xe0..=0xef => 3,
                        0xf0..=0xf7 => 4,
                        _ => return None,
                    };
                    let ch = std::str::from_utf8(src.get(i..i + len)?)
                        .ok()?
                        .chars()
                        .next()?;
                    let mut units = [0u16; 2];
                    for unit in ch.encode_utf16(&mut units) {
                        out.extend_from_slice(b"\\u");
                        for shift in [12, 8, 4, 0] {
                            out.push(b"0123456789abcdef"[usize::from((*unit >> shift) & 0xf)]);
                        }
                    }
                    i += len;
                }
                run = i;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn slow(v: &impl Serialize) -> Vec<u8> {
        crate::canonical::to_canonical(&serde_json::to_value(v).unwrap()).unwrap()
    }

    fn check(v: &impl Serialize) {
        let fast = canonical(v).expect("handled");
        assert_eq!(
            String::from_utf8_lossy(&fast),
            String::from_utf8_lossy(&slow(v))
        );
        let value = serde_json::to_value(v).unwrap();
        assert_eq!(
            String::from_utf8(pretty_from_canonical(&fast).unwrap()).unwrap(),
            String::from_utf8(crate::json::to_pretty(&value)).unwrap()
        );
    }

    #[test]
    fn values_match_tuf_core() {
        check(&json!({}));
        check(&json!([]));
        check(&json!({"b": [1, {}, [], -3, null, true, false], "a": {"x": "y"}}));
        check(&json!(
            "\"\\/\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}\u{e9}\u{ff61}\u{1F600}~ "
        ));
        check(&json!({"\u{1F600}": 1, "\u{FF61}": 2, "a": 3, "B": 4, "a\"b": 5, "a\\": 6, "a": 7}));
        check(&json!({"\"": 1, "#": 2, "\\": 3, "]": 4, "": 5}));
        check(&json!([u64::MAX, i64::MIN, 0, [[[[]]]]]));
    }

    #[derive(serde::Serialize)]
    struct Unsorted {
        z: u8,
        a: Vec<u8>,
        #[serde(flatten)]
        more: serde_json::Map<String, Value>,
        m: Option<u8>,
    }

    #[derive(serde::Serialize)]
    enum E {
        Unit,
        New(u8),
        Tuple(u8, String),
        Struct { z: u8, a: u8 },
    }

    #[test]
    fn structs_flatten_and_enums_match_tuf_core() {
        let mut more = serde_json::Map::new();
        more.insert("b".into(), json!({"y": 1, "x": [2]}));
        more.insert("\"q".into(), json!("v"));
        check(&Unsorted {
            z: 1,
            a: vec![3, 2],
            more,
            m: None,
        });
        check(&vec![
            E::Unit,
            E::New(1),
            E::Tuple(2, "t".into()),
            E::Struct { z: 1, a: 2 },
        ]);
    }

    #[test]
    fn what_it_does_not_handle_goes_the_slow_way() {
        assert!(canonical(&json!({"a": 1.5})).is_none());
        assert!(canonical(&std::collections::BTreeMap::from([(1, 2)])).is_none());
        let mut more = serde_json::Map::new();
        more.insert("z".into(), json!(2));
        // The same key twice: serde_json keeps the last, so leave it to it.
        assert!(
            canonical(&Unsorted {
                z: 1,
                a: vec![],
                more,
                m: None
            })
            .is_none()
        );
        let raw = serde_json::value::RawValue::from_string("{\"b\":1,\"a\":2}".into()).unwrap();
        assert!(canonical(&raw).is_none());
        let mut deep = json!(1);
        for _ in 0..200 {
            deep = json!([deep]);
        }
        assert!(canonical(&deep).is_none());
        assert!(pretty_from_canonical(b"{\"a\":1").is_none());
    }

    /// Random JSON values without floats, from a fixed-seed generator.
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }

        fn string(&mut self) -> String {
            const CHARS: &[&str] = &[
                "a", "b", "Z", "\"", "\\", "/", "!", "\n", "\u{0}", "\u{7f}", "é", "\u{ff61}",
                "😀", " ", "~",
            ];
            let len = self.next() % 5;
            (0..len)
                .map(|_| CHARS[(self.next() % CHARS.len() as u64) as usize])
                .collect()
        }

        fn value(&mut self, depth: u32) -> Value {
            let kinds = if depth > 4 { 4 } else { 6 };
            match self.next() % kinds {
                0 => Value::Null,
                1 => Value::Bool(self.next().is_multiple_of(2)),
                2 => {
                    let n = self.next();
                    if n.is_multiple_of(2) {
                        json!(n * 977)
                    } else {
                        json!(-(n as i64))
                    }
                }
                3 => Value::String(self.string()),
                4 => {
                    let n = self.next() % 5;
                    Value::Array((0..n).map(|_| self.value(depth + 1)).collect())
                }
                _ => {
                    let n = self.next() % 6;
                    let mut m = serde_json::Map::new();
                    for _ in 0..n {
                        let k = self.string();
                        let v = self.value(depth + 1);
                        m.insert(k, v);
                    }
                    Value::Object(m)
                }
            }
        }
    }

    /// Serializes objects with their members in reverse order, as a struct
    /// or a flattened map may hand them over.
    struct Reversed<'a>(&'a Value);

    impl Serialize for Reversed<'_> {
        fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use ser::{SerializeMap, SerializeSeq};
            match self.0 {
                Value::Array(items) => {
                    let mut seq = s.serialize_seq(Some(items.len()))?;
                    for item in items {
                        seq.serialize_element(&Reversed(item))?;
                    }
                    seq.end()
                }
                Value::Object(map) => {
                    let mut m = s.serialize_map(Some(map.len()))?;
                    for (k, v) in map.iter().rev() {
                        m.serialize_entry(k, &Reversed(v))?;
                    }
                    m.end()
                }
                other => other.serialize(s),
            }
        }
    }

    #[test]
    fn random_values_match_tuf_core() {
        let mut g = Gen(7);
        for _ in 0..5000 {
            let v = g.value(0);
            check(&v);
            let fast = canonical(&Reversed(&v)).expect("handled");
            assert_eq!(fast, slow(&v), "{v}");
        }
    }
}
