//! Runs every vector of `tests/vectors/canonical.json` (made by
//! `scripts/gen_canonical_vectors.py` from securesystemslib and python's
//! `json`) through `to_canonical`, `canonicalize_text`, `to_pretty` and
//! `to_compact`, and checks each byte for byte.

use serde_json::Value;
use tuf_core::canonical::{self, CanonicalError};
use tuf_core::json;

const VECTORS: &str = include_str!("vectors/canonical.json");

fn cases() -> Vec<Value> {
    let doc: Value = serde_json::from_str(VECTORS).expect("vectors parse");
    assert_eq!(
        doc["max_depth"],
        canonical::MAX_DEPTH,
        "generator and crate disagree"
    );
    let cases = doc["cases"].as_array().expect("cases").clone();
    assert!(cases.len() > 150, "vector file looks truncated");
    cases
}

fn hex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("valid hex")
}

/// Shows bytes readably in failure messages.
fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).escape_debug().to_string()
}

#[test]
fn canonicalize_text_matches_vectors() {
    let mut failures = Vec::new();
    for case in cases() {
        let name = case["name"].as_str().expect("name");
        let input = case["input"].as_str().expect("input");
        let got = canonical::canonicalize_text(input);
        let expect = &case["text"];
        let ok = match (expect.get("ok"), &got) {
            (Some(want), Ok(bytes)) => hex(want) == *bytes,
            (None, Err(e)) => match (expect["error"].as_str().expect("error"), e) {
                ("float", CanonicalError::Float) => true,
                ("too_deep", CanonicalError::TooDeep) => true,
                ("invalid", CanonicalError::InvalidJson { offset, .. }) => *offset <= input.len(),
                ("duplicate", CanonicalError::DuplicateKey(k)) => expect["key"] == k.as_str(),
                _ => false,
            },
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{name}: expected {expect}, got {:?}",
                got.as_deref().map(show)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn value_writers_match_vectors() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in cases() {
        let name = case["name"].as_str().expect("name");
        let input = case["input"].as_str().expect("input");
        let expect = &case["value"];
        if expect.is_null() {
            // serde_json cannot hold python's value; check how that shows.
            let parsed = serde_json::from_str::<Value>(input);
            let fine = match case["value_skip"].as_str().expect("value_skip") {
                // Integers beyond 64 bits, and the integer -0, become f64 in
                // serde_json, so the Value path refuses them.
                "int_beyond_64_bits" | "negative_zero" => {
                    canonical::to_canonical(&parsed.expect("parses")) == Err(CanonicalError::Float)
                }
                // python accepts these; serde_json (like canonicalize_text) does not.
                "invalid" | "lone_surrogate" | "non_finite" | "deeper_than_serde_json" => {
                    parsed.is_err()
                }
                other => panic!("{name}: unknown value_skip {other}"),
            };
            if !fine {
                failures.push(format!("{name}: unexpected serde_json behaviour"));
            }
            continue;
        }
        let value: Value = match serde_json::from_str(input) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{name}: serde_json rejects: {e}"));
                continue;
            }
        };
        checked += 1;
        let canonical = canonical::to_canonical(&value);
        match (expect["canonical"].is_null(), &canonical) {
            (true, Err(CanonicalError::Float)) => {}
            (false, Ok(bytes)) if *bytes == hex(&expect["canonical"]) => {}
            _ => failures.push(format!(
                "{name}: to_canonical got {:?}",
                canonical.as_deref().map(show)
            )),
        }
        let pretty = json::to_pretty(&value);
        if pretty != hex(&expect["pretty"]) {
            failures.push(format!(
                "{name}: to_pretty got {}\nwant {}",
                show(&pretty),
                show(&hex(&expect["pretty"]))
            ));
        }
        let compact = json::to_compact(&value);
        if compact != hex(&expect["compact"]) {
            failures.push(format!(
                "{name}: to_compact got {}\nwant {}",
                show(&compact),
                show(&hex(&expect["compact"]))
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        checked > 100,
        "only {checked} cases reached the value writers"
    );
}

#[test]
fn python_tuf_files_reserialize_to_themselves() {
    let mut seen = 0;
    for case in cases() {
        let name = case["name"].as_str().expect("name");
        let input = case["input"].as_str().expect("input");
        let value: Value = if name.starts_with("python-tuf ") {
            serde_json::from_str(input).expect("python-tuf output parses")
        } else {
            continue;
        };
        if name.ends_with("pretty file") {
            assert_eq!(
                show(&json::to_pretty(&value)),
                show(input.as_bytes()),
                "{name}"
            );
            seen += 1;
        } else if name.ends_with("compact file") {
            assert_eq!(
                show(&json::to_compact(&value)),
                show(input.as_bytes()),
                "{name}"
            );
            seen += 1;
        }
        if let Some(signed) = value.get("signed") {
            // What the signatures cover, computed both ways from the file.
            let raw = serde_json::to_string(signed).expect("serializes");
            assert_eq!(
                canonical::canonicalize_text(&raw).expect("canonical"),
                canonical::to_canonical(signed).expect("canonical"),
                "{name}"
            );
        }
    }
    assert_eq!(seen, 8, "four roles, pretty and compact");
}
