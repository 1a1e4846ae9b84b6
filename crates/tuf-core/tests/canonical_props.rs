//! Property tests for `canonical` and `json`: the text and value canonical
//! paths agree on arbitrary float-free JSON written in arbitrary (valid)
//! ways, strings round-trip, the writers' output re-parses to the same value,
//! and no input makes anything panic.

use proptest::prelude::*;
use serde_json::{Map, Value};
use tuf_core::canonical::{CanonicalError, canonicalize_text, to_canonical};
use tuf_core::json::{to_compact, to_pretty};

/// Characters biased toward the ones canonical JSON treats specially.
fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => proptest::char::range('a', 'e'),
        2 => proptest::char::range('\u{0}', '\u{1f}'),
        2 => prop_oneof![Just('"'), Just('\\'), Just('/'), Just('\u{7f}'), Just(' ')],
        1 => proptest::char::range('\u{80}', '\u{7ff}'),
        1 => proptest::char::range('\u{e000}', '\u{ffff}'),
        1 => proptest::char::range('\u{10000}', '\u{10ffff}'),
        1 => any::<char>(),
    ]
}

fn any_string(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(any_char(), 0..max).prop_map(String::from_iter)
}

/// Arbitrary JSON values without floats.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any_string(12).prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::vec((any_string(4), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A tiny deterministic generator for the writing choices in [`render`].
struct Choices(u64);

impl Choices {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    fn ws(&mut self, out: &mut String) {
        for _ in 0..self.next(3) {
            out.push([' ', '\t', '\n', '\r'][self.next(4) as usize]);
        }
    }
}

/// Writes `v` as valid JSON the way a hostile but honest sender might:
/// members in a shuffled order, random whitespace, characters randomly
/// written as short escapes or `\uXXXX` (surrogate pairs beyond the BMP).
fn render(v: &Value, c: &mut Choices, out: &mut String) {
    c.ws(out);
    match v {
        Value::String(s) => render_string(s, c, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                render(item, c, out);
            }
            c.ws(out);
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<_> = map.iter().collect();
            for i in (1..members.len()).rev() {
                members.swap(i, c.next(i as u64 + 1) as usize);
            }
            out.push('{');
            for (i, (k, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                c.ws(out);
                render_string(k, c, out);
                c.ws(out);
                out.push(':');
                render(item, c, out);
            }
            c.ws(out);
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
    c.ws(out);
}

fn render_string(s: &str, c: &mut Choices, out: &mut String) {
    out.push('"');
    for ch in s.chars() {
        let short = match ch {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            '/' if c.next(2) == 0 => Some("\\/"),
            _ => None,
        };
        match short {
            Some(esc) if c.next(3) > 0 => out.push_str(esc),
            _ if ch < ' ' || ch == '"' || ch == '\\' || c.next(4) == 0 => {
                let mut units = [0u16; 2];
                for u in ch.encode_utf16(&mut units) {
                    if c.next(2) == 0 {
                        out.push_str(&format!("\\u{u:04x}"));
                    } else {
                        out.push_str(&format!("\\u{u:04X}"));
                    }
                }
            }
            _ => out.push(ch),
        }
    }
    out.push('"');
}

/// The canonical form of a string, written independently of the crate.
fn canonical_string(s: &str) -> Vec<u8> {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")).into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn text_and_value_paths_agree(v in any_value(), seed in 1u64..) {
        let want = to_canonical(&v).expect("no floats");
        let mut text = String::new();
        render(&v, &mut Choices(seed), &mut text);
        prop_assert_eq!(canonicalize_text(&text), Ok(want.clone()), "text {:?}", text);
        let serde_text = serde_json::to_string(&v).expect("serializes");
        prop_assert_eq!(canonicalize_text(&serde_text), Ok(want.clone()));
        for written in [to_pretty(&v), to_compact(&v)] {
            let written = String::from_utf8(written).expect("ensure_ascii output is ASCII");
            prop_assert!(written.is_ascii());
            prop_assert_eq!(canonicalize_text(&written), Ok(want.clone()));
        }
    }

    #[test]
    fn writers_reparse_to_the_same_value(v in any_value()) {
        let pretty: Value = serde_json::from_slice(&to_pretty(&v)).expect("pretty parses");
        prop_assert_eq!(&pretty, &v);
        let compact: Value = serde_json::from_slice(&to_compact(&v)).expect("compact parses");
        prop_assert_eq!(&compact, &v);
        // Compact is pretty without the layout whitespace (no string holds a
        // raw newline, since ensure_ascii escapes it).
        let squeezed: Vec<u8> = {
            let pretty = String::from_utf8(to_pretty(&v)).expect("ascii");
            let mut out = String::new();
            let mut in_string = false;
            let mut escaped = false;
            let mut chars = pretty.chars().peekable();
            while let Some(ch) = chars.next() {
                if in_string {
                    in_string = escaped || ch != '"';
                    escaped = !escaped && ch == '\\';
                    out.push(ch);
                } else if ch == '\n' {
                    while chars.peek() == Some(&' ') {
                        chars.next();
                    }
                } else if ch == ':' && chars.peek() == Some(&' ') {
                    chars.next();
                    out.push(ch);
                } else {
                    in_string = ch == '"';
                    out.push(ch);
                }
            }
            out.into_bytes()
        };
        prop_assert_eq!(squeezed, to_compact(&v));
    }

    #[test]
    fn strings_round_trip(s in any_string(40)) {
        let want = canonical_string(&s);
        let v = Value::String(s.clone());
        prop_assert_eq!(to_canonical(&v), Ok(want.clone()));
        let mut text = String::new();
        render_string(&s, &mut Choices(s.len() as u64 + 7), &mut text);
        prop_assert_eq!(canonicalize_text(&text), Ok(want));
        let back: String = serde_json::from_slice(&to_pretty(&v)).expect("parses");
        prop_assert_eq!(back, s);
    }

    #[test]
    fn big_integers_pass_through(digits in "[1-9][0-9]{0,60}", neg in any::<bool>()) {
        let text = format!("{}{digits}", if neg { "-" } else { "" });
        prop_assert_eq!(canonicalize_text(&format!(" [ {text} ] ")), Ok(format!("[{text}]").into_bytes()));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(out) = canonicalize_text(&text) {
            // Whatever is accepted is JSON that serde_json also accepts.
            prop_assert!(serde_json::from_str::<Value>(&text).is_ok());
            prop_assert!(!out.is_empty());
        }
    }

    #[test]
    fn mutated_json_never_panics(v in any_value(), at in any::<usize>(), b in any::<u8>(), cut in any::<bool>()) {
        let mut text = serde_json::to_string(&v).expect("serializes").into_bytes();
        let at = at % (text.len() + 1);
        if cut {
            text.truncate(at);
        } else {
            text.insert(at, b);
        }
        let text = String::from_utf8_lossy(&text);
        match canonicalize_text(&text) {
            Ok(_) => prop_assert!(serde_json::from_str::<Value>(&text).is_ok(), "{:?}", text),
            Err(CanonicalError::InvalidJson { offset, .. }) => prop_assert!(offset <= text.len()),
            Err(_) => {}
        }
    }
}
