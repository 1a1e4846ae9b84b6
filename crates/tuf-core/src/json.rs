//! The JSON writer for metadata files, byte-identical to python-tuf's
//! `JSONSerializer` (python `json.dumps(..., sort_keys=True)`).
//!
//! # Contract
//!
//! - [`to_pretty`] = `json.dumps(v, indent=1, separators=(",", ": "), sort_keys=True)`;
//!   [`to_compact`] = `json.dumps(v, separators=(",", ":"), sort_keys=True)`.
//!   No trailing newline, as python-tuf writes files.
//! - Keys are sorted by code point (python `sorted`), i.e. by UTF-8 bytes;
//!   `Map` order is never trusted.
//! - `ensure_ascii`: output is pure ASCII. `"` `\` `\n` `\r` `\t` `\b` `\f` use
//!   their short escapes; any other char outside 0x20..=0x7E is `\uXXXX` in
//!   lowercase hex, astral chars as a surrogate pair.
//! - Integers are written as their decimal digits. Floats (absent from TUF
//!   metadata) are written as python's `float.__repr__` would, using the
//!   shortest round-trip digits; serde_json holds no NaN or infinities.
//! - This output is for files, not signatures: signatures cover
//!   [`crate::canonical`] bytes.
//! - Writing recurses once per nesting level, without a limit: values parsed
//!   by serde_json are at most 128 levels deep.

use serde_json::Value;
use std::io::Write as _;

/// python `json.dumps(v, indent=1, separators=(",", ": "), sort_keys=True)`.
pub fn to_pretty(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_value(&mut out, value, Some(0));
    out
}

/// [`to_pretty`] of the value whose canonical JSON is `canonical`, written
/// from those bytes (both orders sort keys by UTF-8 bytes, so only
/// whitespace and string escapes differ). `None` if `canonical` is not
/// canonical JSON as [`crate::canonical`] writes it.
pub fn pretty_from_canonical(canonical: &[u8]) -> Option<Vec<u8>> {
    crate::serialize::pretty_from_canonical(canonical)
}

/// python `json.dumps(v, separators=(",", ":"), sort_keys=True)`.
pub fn to_compact(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_value(&mut out, value, None);
    out
}

/// Writes python's `\n` + one space per level (`indent=1`).
fn newline(out: &mut Vec<u8>, level: usize) {
    out.push(b'\n');
    out.resize(out.len() + level, b' ');
}

/// `indent` is `Some(current level)` in pretty mode, `None` in compact mode.
fn write_value(out: &mut Vec<u8>, value: &Value, indent: Option<usize>) {
    let inner = indent.map(|l| l + 1);
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        // python writes empty containers as `[]`/`{}` even with an indent.
        Value::Array(items) if items.is_empty() => out.extend_from_slice(b"[]"),
        Value::Object(map) if map.is_empty() => out.extend_from_slice(b"{}"),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                if let Some(level) = inner {
                    newline(out, level);
                }
                write_value(out, item, inner);
            }
            if let Some(level) = indent {
                newline(out, level);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            // sort_keys=True: python `sorted()` on str is code-point order.
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                if let Some(level) = inner {
                    newline(out, level);
                }
                write_string(out, key);
                out.extend_from_slice(if indent.is_some() { b": " } else { b":" });
                write_value(out, item, inner);
            }
            if let Some(level) = indent {
                newline(out, level);
            }
            out.push(b'}');
        }
    }
}

fn write_number(out: &mut Vec<u8>, n: &serde_json::Number) {
    // Writing to a Vec cannot fail.
    if let Some(i) = n.as_i64() {
        let _ = write!(out, "{i}");
    } else if let Some(u) = n.as_u64() {
        let _ = write!(out, "{u}");
    } else if let Some(f) = n.as_f64() {
        out.extend_from_slice(py_float_repr(f).as_bytes());
    } else {
        // Only reachable with serde_json/arbitrary_precision: keep its text.
        let _ = write!(out, "{n}");
    }
}

/// python `float.__repr__` (as `json.dumps` writes floats): shortest
/// round-trip digits; positional when the decimal exponent is in -4..16,
/// otherwise `d.ddde±XX` with at least two exponent digits.
fn py_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    // Rust's `{:e}` gives the shortest round-trip digits, e.g. "-1.25e-7".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut s = String::from(sign);
    if (-4..16).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                s.push_str(&digits);
                s.extend(std::iter::repeat_n('0', int_len - digits.len()));
                s.push_str(".0");
            } else {
                s.push_str(&digits[..int_len]);
                s.push('.');
                s.push_str(&digits[int_len..]);
            }
        } else {
            s.push_str("0.");
            s.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            s.push_str(&digits);
        }
    } else {
        s.push_str(&digits[..1]);
        if digits.len() > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        let _ = std::fmt::Write::write_fmt(
            &mut s,
            format_args!(
                "e{}{:02}",
                if exp < 0 { '-' } else { '+' },
                exp.unsigned_abs()
            ),
        );
    }
    s
}

/// python `py_encode_basestring_ascii`: quote and escape to pure ASCII.
fn write_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, ch) in s.char_indices() {
        let short: &[u8] = match ch {
            ' '..='~' if ch != '"' && ch != '\\' => continue,
            '"' => b"\\\"",
            '\\' => b"\\\\",
            '\n' => b"\\n",
            '\r' => b"\\r",
            '\t' => b"\\t",
            '\u{8}' => b"\\b",
            '\u{c}' => b"\\f",
            _ => b"",
        };
        out.extend_from_slice(&bytes[run..i]);
        run = i + ch.len_utf8();
        if !short.is_empty() {
            out.extend_from_slice(short);
            continue;
        }
        // Astral chars become a UTF-16 surrogate pair, as python does.
        let mut units = [0u16; 2];
        for unit in ch.encode_utf16(&mut units) {
            let _ = write!(out, "\\u{unit:04x}");
        }
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pretty(v: &Value) -> String {
        String::from_utf8(to_pretty(v)).expect("ascii")
    }

    fn compact(v: &Value) -> String {
        String::from_utf8(to_compact(v)).expect("ascii")
    }

    #[test]
    fn python_indent_layout() {
        let v = json!({"b": [1, {}, []], "a": {"x": null}, "c": true});
        assert_eq!(
            pretty(&v),
            "{\n \"a\": {\n  \"x\": null\n },\n \"b\": [\n  1,\n  {},\n  []\n ],\n \"c\": true\n}"
        );
        assert_eq!(compact(&v), r#"{"a":{"x":null},"b":[1,{},[]],"c":true}"#);
        assert_eq!(pretty(&json!({})), "{}");
        assert_eq!(pretty(&json!([])), "[]");
        assert_eq!(pretty(&json!("x")), "\"x\"");
    }

    #[test]
    fn ensure_ascii_escapes() {
        let v = json!("\"\\/\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}\u{e9}\u{ff61}\u{1F600}~ ");
        assert_eq!(
            compact(&v),
            r#""\"\\/\n\r\t\b\f\u0000\u001f\u007f\u00e9\uff61\ud83d\ude00~ ""#
        );
    }

    #[test]
    fn keys_sorted_by_code_point() {
        let v = json!({"\u{1F600}": 1, "\u{FF61}": 2, "a": 3, "B": 4});
        assert_eq!(compact(&v), r#"{"B":4,"a":3,"\uff61":2,"\ud83d\ude00":1}"#);
    }

    #[test]
    fn integers_and_floats() {
        assert_eq!(
            compact(&json!([u64::MAX, i64::MIN, 0])),
            "[18446744073709551615,-9223372036854775808,0]"
        );
        let cases = [
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (0.5, "0.5"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-1.25e-7, "-1.25e-07"),
            (1e100, "1e+100"),
            (123.456, "123.456"),
            (0.1, "0.1"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
        ];
        for (f, want) in cases {
            assert_eq!(py_float_repr(f), want, "{f:e}");
        }
        assert_eq!(py_float_repr(f64::NAN), "NaN");
        assert_eq!(py_float_repr(f64::NEG_INFINITY), "-Infinity");
    }
}
