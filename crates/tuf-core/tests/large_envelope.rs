//! Large documents (≥ 1 MB) take a fast envelope split in
//! `verify::parse_and_verify`: `signed` is assumed to run to the closing
//! brace when it is the last member. These tests show that the guess never
//! changes a verdict: documents laid out any other way still verify (or
//! fail) exactly as the strict envelope parse says.

mod common;

use common::verify_targets;

use serde_json::{Value, json};
use tuf_core::crypto::{KeySpec, PrivateKey};
use tuf_core::metadata::{Metadata, TargetFile, Targets};
use tuf_core::{DateTime, Error};

/// Text that would confuse a naive scanner: braces, quotes, escapes and
/// something that looks like an envelope member, inside a string.
const DECOY: &str = "}}]] \"signed\": {\"x\": 1}, \\\"signatures\\\" \u{00e9} } ";

struct Fixture {
    key: PrivateKey,
    /// Pretty JSON, `signatures` then `signed` (as written by us and python-tuf).
    bytes: Vec<u8>,
}

fn fixture() -> Fixture {
    let key = PrivateKey::generate(KeySpec::Ed25519).unwrap();
    let mut targets = Targets::new(DateTime::parse("2030-01-01T00:00:00Z").unwrap());
    let mut file = TargetFile::from_bytes(b"payload", &["sha256"]).unwrap();
    file.custom = Some(json!({ "blob": DECOY.repeat(80_000) }));
    targets.add_target("a/b.txt", file);
    let mut md = Metadata::new(targets);
    md.sign(&key, false).unwrap();
    let bytes = md.to_bytes();
    // Over 4 MiB: the owned path parses beside the check (`verify::OVERLAP_ABOVE`).
    assert!(
        bytes.len() > 4 << 20,
        "large enough for the overlapped path"
    );
    Fixture { key, bytes }
}

/// Split the pretty document into its `signatures` and `signed` texts.
fn parts(bytes: &[u8]) -> (String, String) {
    let v: Value = serde_json::from_slice(bytes).unwrap();
    (
        serde_json::to_string(&v["signatures"]).unwrap(),
        serde_json::to_string(&v["signed"]).unwrap(),
    )
}

#[test]
fn signed_last_as_written_verifies() {
    let f = fixture();
    let md = verify_targets(&f.key, &f.bytes).unwrap();
    let custom = md.signed.targets["a/b.txt"].custom.as_ref().unwrap();
    assert_eq!(custom["blob"].as_str().unwrap().len(), DECOY.len() * 80_000);
}

#[test]
fn member_after_signed_is_kept_not_swallowed_into_signed() {
    let f = fixture();
    let (sigs, signed) = parts(&f.bytes);
    let text = format!("{{\"signatures\":{sigs},\"signed\":{signed}, \"zzz\": {{\"a\": [1]}} }}");
    let md = verify_targets(&f.key, text.as_bytes()).unwrap();
    assert_eq!(md.unrecognized["zzz"], json!({"a": [1]}));
}

#[test]
fn signed_before_signatures_verifies() {
    let f = fixture();
    let (sigs, signed) = parts(&f.bytes);
    let text = format!("{{\"signed\":{signed},\"extra\":null,\"signatures\":{sigs}}}");
    let md = verify_targets(&f.key, text.as_bytes()).unwrap();
    assert_eq!(md.unrecognized["extra"], Value::Null);
}

#[test]
fn escaped_member_name_is_still_signed() {
    let f = fixture();
    let (sigs, signed) = parts(&f.bytes);
    let text = format!("{{\"signatures\":{sigs},\"sig\\u006eed\":{signed}}}");
    verify_targets(&f.key, text.as_bytes()).unwrap();
}

#[test]
fn tampered_large_signed_fails_the_signature_check_not_the_parse() {
    let f = fixture();
    let text = String::from_utf8(f.bytes.clone()).unwrap();
    let tampered = text.replacen("a/b.txt", "a/c.txt", 1);
    assert!(matches!(
        verify_targets(&f.key, tampered.as_bytes()),
        Err(Error::Verify(_))
    ));
}

#[test]
fn float_in_large_signed_is_a_format_error_though_it_parses() {
    // The typed parse accepts it (an unknown member), and only the canonical
    // form refuses it, after the owned path has let go of the text.
    let f = fixture();
    let text = String::from_utf8(f.bytes.clone()).unwrap();
    assert!(text.contains("\"signed\": {"));
    let floated = text.replacen("\"signed\": {", "\"signed\": {\"f\": 1.5,", 1);
    match verify_targets(&f.key, floated.as_bytes()) {
        Err(Error::Format(e)) => assert!(e.to_string().contains("float"), "{e}"),
        other => panic!("{:?}", other.err()),
    }
}

#[test]
fn second_signed_member_is_a_format_error() {
    let f = fixture();
    let (sigs, signed) = parts(&f.bytes);
    let text = format!("{{\"signatures\":{sigs},\"signed\":{signed},\"signed\":{signed}}}");
    assert!(matches!(
        verify_targets(&f.key, text.as_bytes()),
        Err(Error::Format(_))
    ));
}

#[test]
fn trailing_garbage_after_the_envelope_is_a_format_error() {
    let f = fixture();
    for tail in [&b" x"[..], b"}", b",", b" {}"] {
        let mut bytes = f.bytes.clone();
        bytes.extend_from_slice(tail);
        assert!(
            matches!(verify_targets(&f.key, &bytes), Err(Error::Format(_))),
            "tail {:?}",
            String::from_utf8_lossy(tail)
        );
    }
}

#[test]
fn truncated_large_document_is_a_format_error() {
    let f = fixture();
    for cut in [1, 2, f.bytes.len() / 2] {
        let bytes = &f.bytes[..f.bytes.len() - cut];
        assert!(
            matches!(verify_targets(&f.key, bytes), Err(Error::Format(_))),
            "cut {cut}"
        );
    }
}

#[test]
fn signed_spliced_with_a_following_member_is_not_accepted_as_signed() {
    // `signed` followed by a member whose text, glued to `signed`, could be
    // read as one value by a scanner that stops at the wrong brace.
    let f = fixture();
    let (sigs, signed) = parts(&f.bytes);
    let text = format!("{{\"signatures\":{sigs},\"signed\":{signed},\"x\":\"}}\"}}");
    let md = verify_targets(&f.key, text.as_bytes()).unwrap();
    assert_eq!(md.unrecognized["x"], json!("}"));
}
