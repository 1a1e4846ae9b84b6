//! Canonical JSON (OLPC form), byte for byte as securesystemslib's
//! `formats.encode_canonical` writes it.
//!
//! # Contract
//!
//! - Object members are sorted by key in Unicode code-point order, which is
//!   UTF-8 byte order (checklist F-09). `Map` order is never trusted.
//! - No whitespace; separators are `,` and `:` (F-08).
//! - Strings escape only `"` and `\`; every other character, control
//!   characters included, is written as raw UTF-8 (F-10). No normalisation.
//! - Numbers are integers only; any float is [`CanonicalError::Float`] (F-11).
//! - `true`, `false`, `null` as-is; arrays keep their order (F-12).
//! - [`canonicalize_text`] works on the text as received and additionally
//!   rejects duplicate keys, lone surrogates and invalid JSON (F-13).
//! - Nesting deeper than [`MAX_DEPTH`] containers is [`CanonicalError::TooDeep`]
//!   on both paths, never a stack overflow.
//! - For every text that `serde_json` parses into a [`Value`] without floats,
//!   `canonicalize_text(t) == to_canonical(&serde_json::from_str(t)?)`.
//!
//! The output is not always valid JSON (raw control characters); that is the
//! reference behaviour and it is only ever hashed or signed, never parsed.

use serde_json::Value;
use std::io::Write as _;

/// The deepest nesting of arrays and objects accepted (the outermost
/// container is depth 1).
pub const MAX_DEPTH: usize = 500;

/// Why a value or text could not be canonicalized.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CanonicalError {
    /// Canonical JSON has no floats.
    #[error("floats are not allowed in canonical JSON")]
    Float,
    /// An object has the same key twice.
    #[error("duplicate object key {0:?}")]
    DuplicateKey(String),
    /// The text is not valid JSON.
    #[error("invalid JSON at byte {offset}: {reason}")]
    InvalidJson {
        /// Byte offset into the text.
        offset: usize,
        /// What was wrong.
        reason: &'static str,
    },
    /// Arrays and objects are nested deeper than [`MAX_DEPTH`].
    #[error("JSON nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

/// Canonical bytes of a JSON value.
///
/// Fails with [`CanonicalError::Float`] if the value holds any non-integer
/// number (serde_json also stores integers beyond the `u64`/`i64` range as
/// floats), and with [`CanonicalError::TooDeep`] beyond [`MAX_DEPTH`].
pub fn to_canonical(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::with_capacity(256);
    write_value(&mut out, value, 0)?;
    Ok(out)
}

/// Canonical bytes of any serializable value written straight from it,
/// without a `serde_json::Value` tree: byte-identical to
/// `to_canonical(&serde_json::to_value(value)?)`. `None` for what this fast
/// path does not handle (floats, non-string map keys, a key twice, raw JSON
/// values, deep nesting); use [`to_canonical`] then, which also explains
/// the error.
pub fn serialize_direct<T: serde::Serialize + ?Sized>(value: &T) -> Option<Vec<u8>> {
    crate::serialize::canonical(value)
}

fn write_value(out: &mut Vec<u8>, value: &Value, depth: usize) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            // F-11: integers only; a Number that is neither i64 nor u64 is an f64.
            if let Some(i) = n.as_i64() {
                write_int(out, i);
            } else if let Some(u) = n.as_u64() {
                write_int(out, u);
            } else {
                return Err(CanonicalError::Float);
            }
        }
        Value::String(s) => write_string(out, s.as_bytes()),
        Value::Array(items) => {
            if depth >= MAX_DEPTH {
                return Err(CanonicalError::TooDeep);
            }
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item, depth + 1)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            if depth >= MAX_DEPTH {
                return Err(CanonicalError::TooDeep);
            }
            // F-09: sort by key bytes ourselves; `Map` may be insertion-ordered
            // if any crate enables serde_json/preserve_order.
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(out, key.as_bytes());
                out.push(b':');
                write_value(out, item, depth + 1)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_int(out: &mut Vec<u8>, n: impl std::fmt::Display) {
    // Writing to a Vec cannot fail.
    let _ = write!(out, "{n}");
}

/// Writes `"s"` escaping only `"` and `\` (F-10: `_canonical_string_encoder`).
fn write_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    write_escaped(out, s);
    out.push(b'"');
}

fn write_escaped(out: &mut Vec<u8>, s: &[u8]) {
    let mut run = 0;
    for (i, &b) in s.iter().enumerate() {
        if b == b'"' || b == b'\\' {
            out.extend_from_slice(&s[run..i]);
            out.push(b'\\');
            run = i;
        }
    }
    out.extend_from_slice(&s[run..]);
}

/// Canonical bytes straight from JSON text as received.
///
/// Equivalent to parsing the text and calling [`to_canonical`], without
/// building a tree, and stricter than a parser: duplicate keys at any depth
/// ([`CanonicalError::DuplicateKey`], F-13), lone surrogates, invalid JSON and
/// trailing characters ([`CanonicalError::InvalidJson`]) are rejected.
/// Integers of any size are kept as their digits (python's ints are
/// unbounded), except that `-0` becomes `0` as in python.
///
/// Errors take this precedence: invalid JSON and too-deep nesting stop the
/// parse at once; otherwise the first float or duplicate key met, in the
/// order python's `json.loads` hooks would meet them, is reported once the
/// whole text is known to be valid JSON.
pub fn canonicalize_text(text: &str) -> Result<Vec<u8>, CanonicalError> {
    match minify_sorted(text.as_bytes()) {
        Some(out) => Ok(out),
        None => canonicalize_full(text),
    }
}

/// [`canonicalize_text`] without its fast path: sorts, unescapes and
/// explains every error.
fn canonicalize_full(text: &str) -> Result<Vec<u8>, CanonicalError> {
    let mut p = Parser {
        src: text.as_bytes(),
        pos: 0,
        out: Vec::with_capacity(text.len()),
        keys: Vec::new(),
        members: Vec::new(),
        scratch: Vec::new(),
        deferred: None,
    };
    p.skip_ws();
    p.value(0)?;
    p.skip_ws();
    if p.pos != p.src.len() {
        return Err(p.invalid("trailing characters after the JSON value"));
    }
    match p.deferred {
        Some(e) => Err(e),
        None => Ok(p.out),
    }
}

/// The fast path of [`canonicalize_text`]: the canonical bytes of `src` when
/// `src` is already canonical JSON apart from insignificant whitespace (as
/// python-tuf and most writers produce it), else `None`.
///
/// It accepts only what the full parser would turn into the very same
/// output: keys strictly increasing at every level (so no duplicates), no
/// escapes or control characters in strings, integers other than `-0`, and
/// at most [`MAX_DEPTH`] levels. Anything else, valid or not, is left to the
/// full parser, which also explains every error. One pass and no per-member
/// bookkeeping: each key is compared with its predecessor only.
fn minify_sorted(src: &[u8]) -> Option<Vec<u8>> {
    let mut m = Minify::head(src);
    match m.run(None)? {
        Step::Done => Some(m.out),
        Step::Paused | Step::Full(_) => None,
    }
}

/// An open container of [`Minify`].
struct OpenContainer {
    object: bool,
    /// For an object, where its previous key lies in the source.
    last_key: Option<(usize, usize)>,
    /// A tail's container that was already open at the split point; for an
    /// object, the first key the tail met in it.
    outer: Option<Option<(usize, usize)>>,
}

/// A container a tail found open at its split and closed: whether it is an
/// object, and the first key the tail met in it.
type ClosedOuter = (bool, Option<(usize, usize)>);

/// How [`Minify::run`] stopped.
enum Step {
    /// The whole text is done.
    Done,
    /// A head reached its split point at a key start (see [`Minify::run`]).
    Paused,
    /// A streaming head has [`Minify::flush_at`] bytes or more in `out`
    /// and stopped after a comma: at a key if `true`, else at a value.
    Full(bool),
}

/// The state of [`minify_sorted`], which can also run as the two halves of
/// a text split at a key ([`canonicalize_text_split`]): a *head* from the
/// start to the split, and a *tail* from the split to the end whose
/// enclosing containers are discovered as they close.
struct Minify<'a> {
    src: &'a [u8],
    out: Vec<u8>,
    open: Vec<OpenContainer>,
    i: usize,
    /// Set for a tail: the containers open at the split, innermost first,
    /// as (is an object, first key met) once the tail closed them.
    closed_outer: Option<Vec<ClosedOuter>>,
    /// For a tail: containers it opened itself and still holds.
    own_open: usize,
    /// For a tail: the most of `own_open - closed_outer.len()` reached
    /// after opening a container (the depth it adds to the split's depth).
    peak: isize,
    /// Streaming ([`canonicalize_streaming`]): stop with [`Step::Full`] once
    /// `out` holds this much; `usize::MAX` otherwise.
    flush_at: usize,
}

impl<'a> Minify<'a> {
    fn head(src: &'a [u8]) -> Self {
        Self::head_with(src, src.len(), usize::MAX)
    }

    /// A head whose output starts with `capacity` and stops at `flush_at`.
    fn head_with(src: &'a [u8], capacity: usize, flush_at: usize) -> Self {
        Minify {
            src,
            out: Vec::with_capacity(capacity),
            open: Vec::with_capacity(16),
            i: skip_ws_at(src, 0),
            closed_outer: None,
            own_open: 0,
            peak: 0,
            flush_at,
        }
    }

    /// The part of `src` from `split`, a key start inside an object (assumed
    /// here, proved by the head when it pauses there).
    fn tail(src: &'a [u8], split: usize) -> Self {
        let mut open = Vec::with_capacity(16);
        open.push(OpenContainer {
            object: true,
            last_key: None,
            outer: Some(None),
        });
        Minify {
            src,
            out: Vec::with_capacity(src.len().saturating_sub(split)),
            open,
            i: split,
            closed_outer: Some(Vec::new()),
            own_open: 0,
            peak: 0,
            flush_at: usize::MAX,
        }
    }

    /// Run to the end of the text. A head given `pause_at` stops with
    /// [`Step::Paused`] if it reaches that offset exactly at the start of a
    /// key that follows a comma; a tail starts at such a key. `None`: the
    /// text needs the full parser.
    fn run(&mut self, pause_at: Option<usize>) -> Option<Step> {
        let src = self.src;
        let mut at_key = self.closed_outer.is_some();
        loop {
            if at_key {
                let top = self.open.last_mut()?;
                self.i = minify_key(src, self.i, top, &mut self.out)?;
            }
            let mut i = self.i;
            // A value starts at `i`.
            match *src.get(i)? {
                c @ (b'{' | b'[') => {
                    self.check_depth()?;
                    let object = c == b'{';
                    let close = if object { b'}' } else { b']' };
                    self.out.push(c);
                    i = skip_ws_at(src, i + 1);
                    if src.get(i) == Some(&close) {
                        self.out.push(close);
                        i += 1;
                    } else {
                        self.push(object);
                        self.i = i;
                        at_key = object;
                        continue;
                    }
                }
                b'"' => {
                    let stop = scan_plain(src, i + 1);
                    if src.get(stop) != Some(&b'"') {
                        return None;
                    }
                    self.out.extend_from_slice(&src[i..=stop]);
                    i = stop + 1;
                }
                b'-' | b'0'..=b'9' => {
                    let start = i;
                    if src[i] == b'-' {
                        i += 1;
                    }
                    match src.get(i) {
                        // `-0` becomes `0`; a leading zero before a digit is invalid.
                        Some(b'0') if i > start => return None,
                        Some(b'0') => i += 1,
                        Some(b'1'..=b'9') => {
                            while let Some(b'0'..=b'9') = src.get(i) {
                                i += 1;
                            }
                        }
                        _ => return None,
                    }
                    // A fraction or exponent (a float), or a digit after a leading 0.
                    if let Some(b'.' | b'e' | b'E' | b'0'..=b'9') = src.get(i) {
                        return None;
                    }
                    self.out.extend_from_slice(&src[start..i]);
                }
                b't' | b'f' | b'n' => {
                    let word: &[u8] = match src[i] {
                        b't' => b"true",
                        b'f' => b"false",
                        _ => b"null",
                    };
                    if !src[i..].starts_with(word) {
                        return None;
                    }
                    self.out.extend_from_slice(word);
                    i += word.len();
                }
                _ => return None,
            }
            // After a value: separators and closing brackets.
            loop {
                i = skip_ws_at(src, i);
                let Some(top) = self.open.last_mut() else {
                    match self.outer_step(i)? {
                        OuterStep::End => return Some(Step::Done),
                        OuterStep::Closed(next) => {
                            i = next;
                            continue;
                        }
                        OuterStep::Member { next, object } => {
                            self.i = next;
                            at_key = object;
                            break;
                        }
                    }
                };
                match *src.get(i)? {
                    b',' => {
                        self.out.push(b',');
                        i = skip_ws_at(src, i + 1);
                        self.i = i;
                        if top.object && pause_at == Some(i) {
                            return Some(Step::Paused);
                        }
                        if self.out.len() >= self.flush_at {
                            return Some(Step::Full(top.object));
                        }
                        at_key = top.object;
                        break;
                    }
                    b'}' if top.object => self.out.push(b'}'),
                    b']' if !top.object => self.out.push(b']'),
                    _ => return None,
                }
                i += 1;
                self.pop();
            }
        }
    }

    /// Before a container opens (empty or not): within [`MAX_DEPTH`] for a
    /// head; for a tail the depth it adds is recorded, and checked when it
    /// is joined.
    fn check_depth(&mut self) -> Option<()> {
        match &self.closed_outer {
            Some(closed) => {
                if self.own_open >= MAX_DEPTH {
                    return None;
                }
                let reach = (self.own_open + 1) as isize - closed.len() as isize;
                self.peak = self.peak.max(reach);
                Some(())
            }
            None => (self.open.len() < MAX_DEPTH).then_some(()),
        }
    }

    /// Open a container (after [`check_depth`](Self::check_depth)).
    fn push(&mut self, object: bool) {
        if self.closed_outer.is_some() {
            self.own_open += 1;
        }
        self.open.push(OpenContainer {
            object,
            last_key: None,
            outer: None,
        });
    }

    fn pop(&mut self) {
        if let Some(closed) = self.open.pop() {
            match (closed.outer, &mut self.closed_outer) {
                (Some(first_key), Some(record)) => record.push((closed.object, first_key)),
                _ => self.own_open = self.own_open.saturating_sub(1),
            }
        }
    }

    /// A tail with nothing open: the next container open at the split ends
    /// (`}` or `]`) or goes on (`,` then a member, whose form tells the
    /// container's kind); a head is done if only whitespace is left.
    fn outer_step(&mut self, i: usize) -> Option<OuterStep> {
        let src = self.src;
        if i == src.len() {
            return Some(OuterStep::End);
        }
        let record = self.closed_outer.as_mut()?;
        match src[i] {
            c @ (b'}' | b']') => {
                self.out.push(c);
                record.push((c == b'}', None));
                Some(OuterStep::Closed(i + 1))
            }
            b',' => {
                self.out.push(b',');
                let next = skip_ws_at(src, i + 1);
                // `"…"` followed by `:` starts a member: the container is an object.
                let object = src.get(next) == Some(&b'"') && {
                    let stop = scan_plain(src, next + 1);
                    src.get(stop) == Some(&b'"')
                        && src.get(skip_ws_at(src, stop + 1)) == Some(&b':')
                };
                self.open.push(OpenContainer {
                    object,
                    last_key: None,
                    outer: Some(None),
                });
                Some(OuterStep::Member { next, object })
            }
            _ => None,
        }
    }
}

/// What [`Minify::outer_step`] found.
enum OuterStep {
    End,
    Closed(usize),
    Member { next: usize, object: bool },
}

/// A key, its `:` and the whitespace after it, for [`Minify`]: the key must
/// have no escapes and sort strictly after the object's previous key.
/// Returns where the member's value starts.
fn minify_key(
    src: &[u8],
    i: usize,
    object: &mut OpenContainer,
    out: &mut Vec<u8>,
) -> Option<usize> {
    if src.get(i) != Some(&b'"') {
        return None;
    }
    let stop = scan_plain(src, i + 1);
    if src.get(stop) != Some(&b'"') {
        return None;
    }
    let key = &src[i + 1..stop];
    // Without escapes, byte order of the raw key is code-point order (F-09).
    if let Some((a, b)) = object.last_key
        && src[a..b] >= *key
    {
        return None;
    }
    object.last_key = Some((i + 1, stop));
    if let Some(first @ None) = &mut object.outer {
        *first = Some((i + 1, stop));
    }
    let colon = skip_ws_at(src, stop + 1);
    if src.get(colon) != Some(&b':') {
        return None;
    }
    out.extend_from_slice(&src[i..=stop]);
    out.push(b':');
    Some(skip_ws_at(src, colon + 1))
}

/// Where [`canonicalize_text_split`] may split `src`: the first key start
/// after a comma at or past the middle. Only a guess: the head proves it or
/// the text is done in one piece.
pub(crate) fn split_point(src: &[u8]) -> Option<usize> {
    let mut i = src.len() / 2;
    loop {
        i += src.get(i..)?.iter().position(|&b| b == b',')?;
        let next = skip_ws_at(src, i + 1);
        if src.get(next) == Some(&b'"') {
            return Some(next);
        }
        i = next;
    }
}

/// The canonical bytes of `src[split..]` as a tail of [`canonicalize_text_split`]
/// (to compute on another thread). `None`: the split cannot be used.
pub(crate) fn canonical_tail(src: &[u8], split: usize) -> Option<CanonicalTail> {
    let mut m = Minify::tail(src, split);
    match m.run(None)? {
        Step::Done => Some(CanonicalTail {
            out: m.out,
            closed: m.closed_outer?,
            peak: m.peak,
        }),
        Step::Paused | Step::Full(_) => None,
    }
}

/// The second half of a split canonicalization.
pub(crate) struct CanonicalTail {
    out: Vec<u8>,
    /// The containers open at the split, innermost first: (object?, first key).
    closed: Vec<ClosedOuter>,
    peak: isize,
}

/// [`canonicalize_text`] in two halves: this thread canonicalizes up to
/// `split` while another computes [`canonical_tail`] from it, which `tail`
/// waits for. The halves are joined only if the head reaches `split` at a
/// key start and the tail's view of the containers around it agrees with
/// the head's (same kinds, keys still strictly increasing across the split,
/// depth within [`MAX_DEPTH`]); then the result is exactly the one-piece
/// result. Otherwise this thread carries on alone.
pub(crate) fn canonicalize_text_split(
    text: &str,
    split: usize,
    tail: impl FnOnce() -> Option<CanonicalTail>,
) -> Result<Vec<u8>, CanonicalError> {
    let src = text.as_bytes();
    let mut head = Minify::head(src);
    match head.run(Some(split)) {
        Some(Step::Done) => return Ok(head.out),
        Some(Step::Paused) => {
            if let Some(tail) = tail()
                && joins(&head, &tail)
            {
                let mut out = head.out;
                out.extend_from_slice(&tail.out);
                return Ok(out);
            }
            // Carry on from the split alone.
            if let Some(Step::Done) = head.resume() {
                return Ok(head.out);
            }
        }
        Some(Step::Full(_)) | None => {}
    }
    canonicalize_full(text)
}

/// The canonical bytes of `src` handed to `sink` in pieces of about
/// `piece` bytes, in order, when the fast path of [`minify_sorted`] takes
/// `src` (the pieces joined are then exactly its output). `false`: it does
/// not, and what `sink` received so far must be thrown away; the caller
/// canonicalizes the whole text another way. Memory: one piece, not the
/// whole canonical form (ADR 0011).
pub(crate) fn canonicalize_streaming(
    src: &[u8],
    piece: usize,
    sink: &mut dyn FnMut(&[u8]),
) -> bool {
    let piece = piece.max(1);
    // Room for the piece and the value that crosses its end, mostly.
    let mut m = Minify::head_with(src, piece.saturating_mul(2).min(src.len()), piece);
    let mut step = m.run(None);
    loop {
        match step {
            Some(Step::Done) => {
                sink(&m.out);
                return true;
            }
            Some(Step::Full(at_key)) => {
                sink(&m.out);
                m.out.clear();
                step = if at_key { m.resume() } else { m.run(None) };
            }
            Some(Step::Paused) | None => return false,
        }
    }
}

/// [`canonicalize_text`] on UTF-8 text passed as bytes (checked only if
/// the fast path gives up).
pub(crate) fn canonicalize_utf8(src: &[u8]) -> Result<Vec<u8>, CanonicalError> {
    match minify_sorted(src) {
        Some(out) => Ok(out),
        None => canonicalize_full(std::str::from_utf8(src).map_err(|e| {
            CanonicalError::InvalidJson {
                offset: e.valid_up_to(),
                reason: "invalid UTF-8",
            }
        })?),
    }
}

impl Minify<'_> {
    /// Go on from a pause as if there had been none: the key at the split,
    /// then (`run` starts a head at a value) the rest.
    fn resume(&mut self) -> Option<Step> {
        let top = self.open.last_mut()?;
        self.i = minify_key(self.src, self.i, top, &mut self.out)?;
        self.run(None)
    }
}

/// Whether a head paused at a split and the tail from it describe the same
/// containers around the split, in an order one pass would accept.
fn joins(head: &Minify<'_>, tail: &CanonicalTail) -> bool {
    let src = head.src;
    if tail.closed.len() != head.open.len() {
        return false;
    }
    let depth = head.open.len() as isize;
    if depth + tail.peak > MAX_DEPTH as isize {
        return false;
    }
    head.open
        .iter()
        .rev()
        .zip(&tail.closed)
        .all(|(h, &(object, first))| {
            h.object == object
                && match (h.last_key, first) {
                    (Some((a, b)), Some((c, d))) => src[a..b] < src[c..d],
                    // The tail met no key in it: nothing to order.
                    (_, None) => true,
                    // A head always has a key before the comma it paused after.
                    (None, Some(_)) => !h.object,
                }
        })
}

/// RFC 8259 whitespace only, from `i`.
fn skip_ws_at(src: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = src.get(i) {
        i += 1;
    }
    i
}

/// One object member already written to the output, awaiting sorting.
#[derive(Clone, Copy)]
struct Member {
    /// Decoded key bytes: in `src` when the key had no escapes, else in `keys`.
    key_in_src: bool,
    key_start: usize,
    key_end: usize,
    /// `"key":value` in `out`, without separators.
    seg_start: usize,
    seg_end: usize,
}

/// A recursive-descent parser that writes canonical output as it goes.
///
/// Object members are written in received order; at `}` they are checked for
/// order and, only if needed, permuted through `scratch`. `keys` and
/// `members` are stacks shared by all nesting levels, so no allocation
/// happens per key.
struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
    out: Vec<u8>,
    keys: Vec<u8>,
    members: Vec<Member>,
    scratch: Vec<u8>,
    deferred: Option<CanonicalError>,
}

impl Parser<'_> {
    fn invalid(&self, reason: &'static str) -> CanonicalError {
        CanonicalError::InvalidJson {
            offset: self.pos.min(self.src.len()),
            reason,
        }
    }

    fn defer(&mut self, e: CanonicalError) {
        if self.deferred.is_none() {
            self.deferred = Some(e);
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    /// RFC 8259 whitespace only (python's `json` accepts the same four).
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Parses one value at `self.pos`; `depth` counts enclosing containers.
    fn value(&mut self, depth: usize) -> Result<(), CanonicalError> {
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                self.pos += 1;
                self.out.push(b'"');
                decode_string(self.src, &mut self.pos, &mut self.out, true)?;
                self.out.push(b'"');
                Ok(())
            }
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.invalid("expected a JSON value")),
            None => Err(self.invalid("unexpected end of input")),
        }
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<(), CanonicalError> {
        if self.src[self.pos..].starts_with(word) {
            self.pos += word.len();
            self.out.extend_from_slice(word);
            Ok(())
        } else {
            Err(self.invalid("expected a JSON value"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<(), CanonicalError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.invalid("expected a digit")),
        }
        let int_end = self.pos;
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.invalid("expected a digit after '.'"));
            }
            float = true;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.invalid("expected a digit in the exponent"));
            }
            float = true;
        }
        if float {
            // F-11: python parses a fraction or exponent as a float, which
            // encode_canonical refuses.
            self.defer(CanonicalError::Float);
        } else {
            let digits = &self.src[start..int_end];
            // python's int("-0") is 0, so the canonical form is "0".
            if digits == b"-0" {
                self.out.push(b'0');
            } else {
                self.out.extend_from_slice(digits);
            }
        }
        Ok(())
    }

    fn array(&mut self, depth: usize) -> Result<(), CanonicalError> {
        if depth >= MAX_DEPTH {
            return Err(CanonicalError::TooDeep);
        }
        self.pos += 1;
        self.out.push(b'[');
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.out.push(b']');
            return Ok(());
        }
        loop {
            self.value(depth + 1)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.out.push(b',');
                    self.skip_ws();
                }
                Some(b']') => {
                    self.pos += 1;
                    self.out.push(b']');
                    return Ok(());
                }
                _ => return Err(self.invalid("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<(), CanonicalError> {
        if depth >= MAX_DEPTH {
            return Err(CanonicalError::TooDeep);
        }
        self.pos += 1;
        self.out.push(b'{');
        let body_start = self.out.len();
        let base = self.members.len();
        let keys_mark = self.keys.len();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.out.push(b'}');
            return Ok(());
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.invalid("expected a string key"));
            }
            self.pos += 1;
            if self.members.len() > base {
                self.out.push(b',');
            }
            let seg_start = self.out.len();
            let (key_in_src, key_start, key_end) = self.key()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.invalid("expected ':'"));
            }
            self.pos += 1;
            self.out.push(b':');
            self.skip_ws();
            self.value(depth + 1)?;
            self.members.push(Member {
                key_in_src,
                key_start,
                key_end,
                seg_start,
                seg_end: self.out.len(),
            });
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.invalid("expected ',' or '}'")),
            }
        }
        self.sort_members(base, body_start);
        self.members.truncate(base);
        self.keys.truncate(keys_mark);
        self.out.push(b'}');
        Ok(())
    }

    /// Parses a key after its opening quote and writes `"key"` (escaped
    /// form) to `out`; returns where its decoded bytes are.
    fn key(&mut self) -> Result<(bool, usize, usize), CanonicalError> {
        let start = self.pos;
        let stop = scan_plain(self.src, start);
        if self.src.get(stop) == Some(&b'"') {
            // No escapes: the decoded key is the received slice, and raw
            // input has no bare `"` or `\`, so it is also the escaped form.
            self.pos = stop + 1;
            self.out.push(b'"');
            self.out.extend_from_slice(&self.src[start..stop]);
            self.out.push(b'"');
            return Ok((true, start, stop));
        }
        let key_start = self.keys.len();
        decode_string(self.src, &mut self.pos, &mut self.keys, false)?;
        self.out.push(b'"');
        write_escaped(&mut self.out, &self.keys[key_start..]);
        self.out.push(b'"');
        Ok((false, key_start, self.keys.len()))
    }

    /// Puts the members `members[base..]` of the object whose body starts at
    /// `out[body_start..]` in key order; records a duplicate key.
    fn sort_members(&mut self, base: usize, body_start: usize) {
        let Parser {
            src,
            out,
            keys,
            members,
            scratch,
            deferred,
            ..
        } = self;
        let key_of = |m: &Member| -> &[u8] {
            if m.key_in_src {
                &src[m.key_start..m.key_end]
            } else {
                &keys[m.key_start..m.key_end]
            }
        };
        let members = &mut members[base..];
        // Fast path: python-tuf writes sorted keys, so most objects arrive in
        // order; strictly increasing also proves there is no duplicate.
        if members.windows(2).all(|w| key_of(&w[0]) < key_of(&w[1])) {
            return;
        }
        members.sort_unstable_by(|a, b| key_of(a).cmp(key_of(b)));
        // F-13: a duplicate key is a parser-differential attack; reject it.
        if let Some(w) = members.windows(2).find(|w| key_of(&w[0]) == key_of(&w[1])) {
            let dup = String::from_utf8_lossy(key_of(&w[0])).into_owned();
            if deferred.is_none() {
                *deferred = Some(CanonicalError::DuplicateKey(dup));
            }
            return;
        }
        scratch.clear();
        for (i, m) in members.iter().enumerate() {
            if i > 0 {
                scratch.push(b',');
            }
            scratch.extend_from_slice(&out[m.seg_start..m.seg_end]);
        }
        out.truncate(body_start);
        out.extend_from_slice(scratch);
    }
}

/// Index of the first byte at or after `from` that is `"`, `\` or a control
/// character (below 0x20), or `src.len()`.
pub(crate) fn scan_plain(src: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    // Eight bytes at a time: a byte is flagged when it is below 0x20 or equal
    // to `"`/`\`. The lowest flagged byte is exact (borrows only travel upward).
    while let Some(chunk) = src.get(i..).and_then(|s| s.first_chunk::<8>()) {
        let w = u64::from_le_bytes(*chunk);
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        let hit = (w.wrapping_sub(ONES * 0x20) & !w
            | quote.wrapping_sub(ONES) & !quote
            | backslash.wrapping_sub(ONES) & !backslash)
            & HIGH;
        if hit != 0 {
            return i + (hit.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = src.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            return i;
        }
        i += 1;
    }
    i
}

/// Decodes a JSON string body from `*pos` (just after the opening quote)
/// through its closing quote into `dst`. With `reescape`, a decoded `"` or
/// `\` is written as `\"` / `\\` (canonical form); otherwise raw (a key's
/// bytes for sorting).
fn decode_string(
    src: &[u8],
    pos: &mut usize,
    dst: &mut Vec<u8>,
    reescape: bool,
) -> Result<(), CanonicalError> {
    let invalid = |offset: usize, reason| CanonicalError::InvalidJson {
        offset: offset.min(src.len()),
        reason,
    };
    loop {
        let stop = scan_plain(src, *pos);
        dst.extend_from_slice(&src[*pos..stop]);
        *pos = stop;
        match src.get(stop) {
            None => return Err(invalid(stop, "unterminated string")),
            Some(b'"') => {
                *pos = stop + 1;
                return Ok(());
            }
            Some(b'\\') => {}
            Some(_) => return Err(invalid(stop, "control character in string")),
        }
        let Some(&esc) = src.get(stop + 1) else {
            return Err(invalid(stop + 1, "unterminated string"));
        };
        *pos = stop + 2;
        let raw = match esc {
            b'"' | b'\\' => {
                if reescape {
                    dst.push(b'\\');
                }
                esc
            }
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let ch = decode_unicode_escape(src, pos)?;
                if reescape && (ch == '"' || ch == '\\') {
                    dst.push(b'\\');
                }
                dst.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                continue;
            }
            _ => return Err(invalid(stop, "invalid escape")),
        };
        dst.push(raw);
    }
}

/// Decodes the hex of a `\u` escape at `*pos` (after `\u`), and of its low
/// surrogate partner if it is a high surrogate. Lone surrogates are rejected
/// (F-13): they have no UTF-8 form.
fn decode_unicode_escape(src: &[u8], pos: &mut usize) -> Result<char, CanonicalError> {
    let start = *pos - 2;
    let hi = hex4(src, pos)?;
    let code = match hi {
        0xD800..=0xDBFF => {
            if src.get(*pos..*pos + 2) != Some(b"\\u") {
                return Err(CanonicalError::InvalidJson {
                    offset: start,
                    reason: "lone surrogate",
                });
            }
            *pos += 2;
            let lo = hex4(src, pos)?;
            if !(0xDC00..=0xDFFF).contains(&lo) {
                return Err(CanonicalError::InvalidJson {
                    offset: start,
                    reason: "lone surrogate",
                });
            }
            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        }
        0xDC00..=0xDFFF => {
            return Err(CanonicalError::InvalidJson {
                offset: start,
                reason: "lone surrogate",
            });
        }
        _ => hi,
    };
    char::from_u32(code).ok_or(CanonicalError::InvalidJson {
        offset: start,
        reason: "invalid \\u escape",
    })
}

fn hex4(src: &[u8], pos: &mut usize) -> Result<u32, CanonicalError> {
    let mut v = 0u32;
    for k in 0..4 {
        let d = src
            .get(*pos + k)
            .and_then(|&b| char::from(b).to_digit(16))
            .ok_or(CanonicalError::InvalidJson {
                offset: (*pos + k).min(src.len()),
                reason: "expected four hex digits after \\u",
            })?;
        v = v << 4 | d;
    }
    *pos += 4;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(t: &str) -> Result<String, CanonicalError> {
        canonicalize_text(t).map(|b| String::from_utf8(b).expect("utf-8"))
    }

    #[test]
    fn sorts_keys_by_code_point_not_utf16() {
        // U+FF61 < U+1F600 by code point; in UTF-16 the surrogate D83D < FF61.
        let t = "{\"\u{1F600}\":1,\"\u{FF61}\":2,\"B\":3,\"a\":4,\"\":5}";
        let want = "{\"\":5,\"B\":3,\"a\":4,\"\u{FF61}\":2,\"\u{1F600}\":1}";
        assert_eq!(text(t).unwrap(), want);
        let v: Value = serde_json::from_str(t).unwrap();
        assert_eq!(to_canonical(&v).unwrap(), want.as_bytes());
    }

    #[test]
    fn escapes_only_quote_and_backslash() {
        let t = r#"["a\"b\\c\/d\n\t\u0000\u001f\u007f\u00e9\ud83d\ude00"]"#;
        let want = "[\"a\\\"b\\\\c/d\n\t\u{0}\u{1f}\u{7f}\u{e9}\u{1F600}\"]";
        assert_eq!(text(t).unwrap(), want);
        let v: Value = serde_json::from_str(t).unwrap();
        assert_eq!(to_canonical(&v).unwrap(), want.as_bytes());
    }

    #[test]
    fn keys_sort_by_decoded_bytes_not_escaped_bytes() {
        // '"' (0x22) sorts before '#' (0x23) though its escape starts with '\'.
        assert_eq!(
            text(r##"{"a#b":1,"a\"b":2,"a\u0001":3,"a":4}"##).unwrap(),
            "{\"a\":4,\"a\u{1}\":3,\"a\\\"b\":2,\"a#b\":1}"
        );
    }

    #[test]
    fn integers() {
        assert_eq!(text("-0").unwrap(), "0");
        assert_eq!(
            text("[0,-1,18446744073709551616]").unwrap(),
            "[0,-1,18446744073709551616]"
        );
        assert_eq!(
            to_canonical(&json!(u64::MAX)).unwrap(),
            b"18446744073709551615"
        );
        assert_eq!(
            to_canonical(&json!(i64::MIN)).unwrap(),
            b"-9223372036854775808"
        );
    }

    #[test]
    fn floats_rejected() {
        for t in ["1.0", "1e2", "-0.0", "[1,{\"a\":2E-1}]", "0.5"] {
            assert_eq!(canonicalize_text(t), Err(CanonicalError::Float), "{t}");
        }
        assert_eq!(to_canonical(&json!(1.5)), Err(CanonicalError::Float));
    }

    #[test]
    fn invalid_json_rejected() {
        for t in [
            "",
            " ",
            "01",
            "-",
            "1.",
            "1e",
            "[1,]",
            "{\"a\":1,}",
            "{a:1}",
            "[1 2]",
            "nul",
            "\"abc",
            "\"\\x\"",
            "\"\u{1}\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"\\u12\"",
            "1 2",
            "[1]x",
            "\u{feff}1",
            "NaN",
            "{\"a\" 1}",
            "[1.0 x",
        ] {
            assert!(
                matches!(
                    canonicalize_text(t),
                    Err(CanonicalError::InvalidJson { .. })
                ),
                "{t:?} -> {:?}",
                canonicalize_text(t)
            );
        }
    }

    #[test]
    fn invalid_json_wins_over_float_and_duplicate() {
        assert!(matches!(
            canonicalize_text("[1.5, {\"a\":1,\"a\":2}, ]"),
            Err(CanonicalError::InvalidJson { .. })
        ));
        assert_eq!(
            canonicalize_text("[{\"a\":1,\"a\":2}, 1.5]"),
            Err(CanonicalError::DuplicateKey("a".into()))
        );
        assert_eq!(
            canonicalize_text("[1.5, {\"a\":1,\"a\":2}]"),
            Err(CanonicalError::Float)
        );
    }

    #[test]
    fn duplicate_keys_rejected_at_any_depth() {
        assert_eq!(
            canonicalize_text(r#"{"x":[{"k":1,"j":0,"k":2}]}"#),
            Err(CanonicalError::DuplicateKey("k".into()))
        );
        // Equal after decoding escapes is still a duplicate.
        assert_eq!(
            canonicalize_text(r#"{"\u0061":1,"a":2}"#),
            Err(CanonicalError::DuplicateKey("a".into()))
        );
    }

    #[test]
    fn depth_limit() {
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert_eq!(text(&ok).unwrap(), ok);
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(canonicalize_text(&deep), Err(CanonicalError::TooDeep));
        let huge = "{\"a\":".repeat(100_000);
        assert_eq!(canonicalize_text(&huge), Err(CanonicalError::TooDeep));
        let mut v = json!(1);
        for _ in 0..MAX_DEPTH {
            v = json!([v]);
        }
        assert!(to_canonical(&v).is_ok());
        assert_eq!(
            to_canonical(&json!({ "a": v })),
            Err(CanonicalError::TooDeep)
        );
    }

    /// The fast path either declines or gives exactly the full parser's bytes.
    fn fast_agrees(t: &str) -> bool {
        let fast = minify_sorted(t.as_bytes());
        // Streamed in pieces of any size, the same bytes, or the same refusal.
        for piece in [1, 2, 5, 64] {
            let mut joined = Vec::new();
            let taken = canonicalize_streaming(t.as_bytes(), piece, &mut |p: &[u8]| {
                joined.extend_from_slice(p)
            });
            assert_eq!(
                taken.then_some(&joined),
                fast.as_ref(),
                "{t:?} in pieces of {piece}"
            );
        }
        match fast {
            Some(out) => {
                assert_eq!(canonicalize_full(t).as_deref(), Ok(&out[..]), "{t:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn fast_path_takes_sorted_escape_free_json() {
        for t in [
            "{\n \"a\": [1, -2, 0, true, false, null, \"x y\"],\n \"b\": {}, \"c\": []\n}",
            "  \"\u{e9}t\u{e9}\" ",
            "[[], {}, [{\"a\": {\"b\": 18446744073709551616123}}]]",
            "{\"a\":1,\"aa\":2,\"b\":3}",
            "-12",
            "0",
        ] {
            assert!(fast_agrees(t), "{t:?} should take the fast path");
        }
    }

    #[test]
    fn fast_path_declines_what_needs_the_full_parser() {
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        for t in [
            // Needs rewriting: unsorted keys, escapes, -0.
            "{\"b\": 1, \"a\": 2}",
            "{\"a\\u0062\": 1}",
            "\"a\\\"b\"",
            "\"a\\/b\"",
            "-0",
            // Errors the full parser must explain.
            "{\"a\": 1, \"a\": 2}",
            "{\"a\": 1.5}",
            "1e3",
            "01",
            "-01",
            "-",
            "\"a\u{1}b\"",
            "\"open",
            "[1, 2",
            "[1, 2,]",
            "{\"a\": 1,}",
            "{\"a\" 1}",
            "{\"a\": }",
            "{1: 2}",
            "tru",
            "nul",
            "[1] x",
            "[1]]",
            "{\"a\": 1]",
            "[1}",
            "",
            "   ",
            deep.as_str(),
        ] {
            assert!(!fast_agrees(t), "{t:?} should take the full parser");
        }
        // At the limit itself the fast path still applies.
        let limit = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(fast_agrees(&limit));
    }

    proptest::proptest! {
        /// Any text (mutations of sorted documents included): the fast path
        /// never accepts what the full parser rejects or writes otherwise.
        #[test]
        fn fast_path_never_disagrees(
            keys in proptest::collection::vec("[a-c\\\\\"]{0,3}", 0..6),
            ints in proptest::collection::vec(-3i64..30, 0..6),
            at in proptest::prelude::any::<usize>(),
            byte in proptest::sample::select(b" \t\n,:{}[]\"\\-0.e1tn".to_vec()),
            cut in proptest::prelude::any::<bool>(),
        ) {
            let mut map = serde_json::Map::new();
            for (i, k) in keys.iter().enumerate() {
                let v = match ints.get(i) {
                    Some(n) if n % 3 == 0 => json!([n, {k.clone(): n}]),
                    Some(n) => json!(n),
                    None => json!(k),
                };
                map.insert(k.clone(), v);
            }
            let doc = serde_json::to_string_pretty(&Value::Object(map)).unwrap();
            fast_agrees(&doc);
            let mut bytes = doc.into_bytes();
            if !bytes.is_empty() {
                let i = at % bytes.len();
                if cut { bytes.truncate(i) } else { bytes[i] = byte }
            }
            if let Ok(t) = std::str::from_utf8(&bytes) {
                fast_agrees(t);
            }
        }
    }

    /// At every split offset, the two-piece result is the one-piece result.
    fn split_agrees_everywhere(t: &str) -> usize {
        let full = canonicalize_full(t);
        let mut joined = 0;
        for split in 0..=t.len() {
            let mut used = false;
            let out = canonicalize_text_split(t, split, || {
                used = true;
                canonical_tail(t.as_bytes(), split)
            });
            assert_eq!(out, full, "split at {split} of {t:?}");
            if used {
                let mut head = Minify::head(t.as_bytes());
                if let (Some(Step::Paused), Some(tail)) =
                    (head.run(Some(split)), canonical_tail(t.as_bytes(), split))
                    && joins(&head, &tail)
                {
                    joined += 1;
                }
            }
        }
        joined
    }

    #[test]
    fn split_canonicalization_equals_one_pass_at_every_offset() {
        let deep = format!(
            "{{\"a\": {}1{}, \"b\": 2}}",
            "[".repeat(MAX_DEPTH - 2),
            "]".repeat(MAX_DEPTH - 2)
        );
        let too_deep = format!(
            "{{\"a\": 1, \"b\": {}1{}}}",
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        );
        let joining = [
            "{\n \"a\": {\"x\": 1, \"y\": [1, 2, {\"k\": \"v\"}]},\n \"b\": {\"p\": {\"q\": 1, \"r\": 2}, \"s\": 3},\n \"c\": [\"x, \", \"z\"]\n}",
            "{\"signed\": {\"_type\": \"targets\", \"targets\": {\"a\": {\"hashes\": {\"sha256\": \"aa\"}, \"length\": 1}, \"b\": {\"hashes\": {\"sha256\": \"bb\"}, \"length\": 2}}, \"version\": 1}}",
            "[{\"a\": 1, \"b\": 2}, {\"a\": 3, \"b\": [true, false, null, -5]}]",
            deep.as_str(),
        ];
        for t in joining {
            assert!(split_agrees_everywhere(t) > 0, "no split joined in {t:?}");
        }
        // Order, duplicates and shapes the halves cannot judge alone.
        for t in [
            "{\"b\": 1, \"a\": 2}",
            "{\"a\": 1, \"a\": 2}",
            "{\"a\": {\"x\": 1}, \"a\": {\"y\": 2}}",
            "{\"a\": {\"z\": 1, \"y\": 2}, \"b\": 3}",
            "{\"b\": [1, {\"c\": 1, \"d\": 2}], \"a\": 3}",
            "[\"a, \", \"b\": 1]",
            "{\"a\": 1, \"c\": [\"x, \\\"y\", \"z\"], \"d\": 2}",
            "{\"a\": \"x, \", \"b\": \"y\"}",
            "{\"a\": [\"x\", \"y\"], \"b\": 1} x",
            "{\"a\": 1, \"b\": 2.5, \"c\": 3}",
            "{\"a\": 1, \"b\\u0063\": 2, \"c\": 3}",
            "{\"a\": 1, \"b\": -0, \"c\": 3}",
            "{\"a\": [1, 2], \"b\": 2}]",
            // Brackets that do not match across the split.
            "[{\"a\": 1, \"b\": 2}}",
            "{\"x\": [{\"a\": 1, \"b\": 2}, 3}}",
            "{\"x\": {\"a\": 1, \"b\": 2}]",
            too_deep.as_str(),
        ] {
            split_agrees_everywhere(t);
        }
    }

    proptest::proptest! {
        /// Random documents, and byte mutations of them, at every offset.
        #[test]
        fn split_canonicalization_agrees_on_random_documents(
            keys in proptest::collection::vec("[a-c]{1,2}", 1..6),
            nest in proptest::collection::vec(0u8..4, 1..6),
            at in proptest::prelude::any::<usize>(),
            byte in proptest::sample::select(b" ,:{}[]\"0a-".to_vec()),
        ) {
            let mut v = json!(1);
            for (k, n) in keys.iter().zip(&nest) {
                v = match n {
                    0 => json!({ k.clone(): v, "zz": [1, "x"] }),
                    1 => json!([v, { k.clone(): 2 }]),
                    2 => json!({ "a": { k.clone(): v }, "b": -3 }),
                    _ => json!({ k.clone(): [v, v.clone()] }),
                };
            }
            let doc = serde_json::to_string_pretty(&v).unwrap();
            split_agrees_everywhere(&doc);
            let mut bytes = doc.into_bytes();
            let i = at % bytes.len();
            bytes[i] = byte;
            if let Ok(t) = std::str::from_utf8(&bytes) {
                split_agrees_everywhere(t);
            }
        }
    }

    #[test]
    fn split_point_is_a_key_after_a_comma_past_the_middle() {
        let t = br#"{"a": 1, "b": [1, 2], "c": 3}"#;
        let at = split_point(t).unwrap();
        assert!(at >= t.len() / 2 && t[at] == b'"');
        assert_eq!(split_point(b"[1, 2, 3]"), None);
    }

    #[test]
    fn scan_plain_finds_first_special_byte() {
        let s = b"abcdefghijklmnop\"qrs";
        assert_eq!(scan_plain(s, 0), 16);
        assert_eq!(scan_plain(b"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\x1f", 0), 8);
        assert_eq!(scan_plain(b"abcdefgh\\", 0), 8);
        assert_eq!(scan_plain(b"ab", 0), 2);
        assert_eq!(scan_plain(b"a\x7f\xff \x00", 0), 4);
        for n in 0..20 {
            let mut v = vec![b'x'; n];
            v.push(b'"');
            v.extend_from_slice(b"\\\x01");
            assert_eq!(scan_plain(&v, 0), n);
        }
    }
}
