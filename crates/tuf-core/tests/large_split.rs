//! Large targets documents (≥ 256 KiB) go through every fast path of
//! `verify::parse_and_verify`: the one-pass canonical form, its split into
//! two halves on two threads, and the one-pass typed parse (ADR 0006).
//! These tests attack the places where those paths join or decline: a
//! change in the second half, a repeated target path next to the middle,
//! and keys out of order. Each verdict must be the strict parsers' verdict.

mod common;

use common::verify_targets;

use serde_json::Value;
use tuf_core::crypto::{KeySpec, PrivateKey};
use tuf_core::metadata::{Metadata, TargetFile, Targets};
use tuf_core::{DateTime, Error};

const TARGETS: usize = 2_200;

struct Fixture {
    key: PrivateKey,
    md: Metadata<Targets>,
}

fn fixture() -> Fixture {
    let key = PrivateKey::generate(KeySpec::Ed25519).unwrap();
    let mut targets = Targets::new(DateTime::parse("2030-01-01T00:00:00Z").unwrap());
    for i in 0..TARGETS {
        let file = TargetFile::from_bytes(format!("payload {i}").as_bytes(), &["sha256"]).unwrap();
        targets.add_target(format!("packages/{:03}/pkg-{i:06}.tar.gz", i % 97), file);
    }
    let mut md = Metadata::new(targets);
    md.sign(&key, false).unwrap();
    // Over 256 KiB for the split; under 4 MiB (`verify::OVERLAP_ABOVE`):
    // with an Ed25519 key the owned path parses beside a streamed check
    // (ADR 0011); `large_streamed.rs` covers the one-thread order.
    let size = md.to_bytes().len();
    assert!(size > 256 << 10, "large enough for the split");
    assert!(size < 4 << 20, "under OVERLAP_ABOVE");
    Fixture { key, md }
}

/// The signed document written by hand, python-tuf style (`indent=1`), with
/// the target entries in the order given (each a `(path, entry JSON)`).
fn render(f: &Fixture, entries: &[(String, String)]) -> Vec<u8> {
    let v: Value = serde_json::from_slice(&f.md.to_bytes()).unwrap();
    let signed = &v["signed"];
    let body: Vec<String> = entries
        .iter()
        .map(|(path, entry)| format!("   {}: {entry}", Value::from(path.as_str())))
        .collect();
    format!(
        "{{\n \"signatures\": {},\n \"signed\": {{\n  \"_type\": \"targets\",\n  \"expires\": {},\n  \"spec_version\": {},\n  \"targets\": {{\n{}\n  }},\n  \"version\": {}\n }}\n}}",
        v["signatures"], signed["expires"], signed["spec_version"], body.join(",\n"), signed["version"]
    )
    .into_bytes()
}

/// Every target as `(path, entry JSON with sorted keys)`, in path order.
fn entries(f: &Fixture) -> Vec<(String, String)> {
    f.md.signed
        .targets
        .iter()
        .map(|(p, t)| (p.to_owned(), sorted_json(t)))
        .collect()
}

/// JSON with object keys sorted (serde_json's `Value` map is ordered), as
/// python-tuf writes it: what the fast paths take.
fn sorted_json(t: &TargetFile) -> String {
    serde_json::to_value(t).unwrap().to_string()
}

#[test]
fn a_large_document_verifies_and_parses_like_the_strict_parse() {
    let f = fixture();
    let bytes = render(&f, &entries(&f));
    let md = verify_targets(&f.key, &bytes).unwrap();
    assert_eq!(md.signed, f.md.signed);
    // The same text through serde alone.
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    let strict: Targets = serde_json::from_value(v["signed"].clone()).unwrap();
    assert_eq!(md.signed, strict);
}

#[test]
fn a_changed_byte_anywhere_in_the_second_half_is_rejected() {
    let f = fixture();
    let all = entries(&f);
    for k in [TARGETS / 2, TARGETS / 2 + 1, TARGETS * 3 / 4, TARGETS - 1] {
        let mut forged = all.clone();
        let mut file: TargetFile = serde_json::from_str(&forged[k].1).unwrap();
        file.length += 1;
        forged[k].1 = sorted_json(&file);
        let result = verify_targets(&f.key, &render(&f, &forged));
        assert!(
            matches!(result, Err(Error::Verify(_))),
            "entry {k}: {result:?}"
        );
    }
}

#[test]
fn a_repeated_target_path_near_the_middle_is_a_format_error() {
    // F-13: a duplicate key is a parser-differential attack, wherever the
    // halves of the canonical form meet.
    let f = fixture();
    let all = entries(&f);
    // Every entry around the middle, so that one of them meets the split
    // exactly: a second copy of a path, and a member repeated inside an entry.
    for k in TARGETS / 2 - 12..TARGETS / 2 + 12 {
        let mut twin_path = all.clone();
        let mut twin: TargetFile = serde_json::from_str(&twin_path[k].1).unwrap();
        twin.length = 666;
        twin_path.insert(k + 1, (all[k].0.clone(), sorted_json(&twin)));
        let mut twin_member = all.clone();
        let hashes = serde_json::to_string(&twin.hashes).unwrap();
        twin_member[k].1 = format!(r#"{{"hashes": {hashes}, "hashes": {hashes}, "length": 1}}"#);
        for forged in [twin_path, twin_member] {
            let result = verify_targets(&f.key, &render(&f, &forged));
            let Err(Error::Format(e)) = &result else {
                panic!("duplicate at {k}: {result:?}");
            };
            assert!(e.to_string().contains("duplicate"), "{e}");
        }
    }
}

#[test]
fn targets_out_of_order_still_verify() {
    // Keys in another order canonicalize to the same bytes (sorted), so the
    // signature holds; the fast paths decline and the full parser sorts.
    let f = fixture();
    let mut all = entries(&f);
    all.reverse();
    assert_eq!(
        verify_targets(&f.key, &render(&f, &all)).unwrap().signed,
        f.md.signed
    );
    let mut all = entries(&f);
    all.swap(TARGETS / 2, TARGETS / 2 + 1);
    assert_eq!(
        verify_targets(&f.key, &render(&f, &all)).unwrap().signed,
        f.md.signed
    );
}
