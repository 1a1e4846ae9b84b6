//! Format rules of spec §4 and robustness of parsing: malformed input gives a
//! `FormatError` naming the role and the field, never a panic; unknown fields
//! survive parse → edit → serialize at every depth.

use proptest::prelude::*;
use serde_json::{Value, json};
use tuf_core::crypto::{KeySpec, PrivateKey, Signer};
use tuf_core::metadata::{Metadata, RawMetadata, RoleType, Root, Snapshot, Targets, Timestamp};
use tuf_core::{DateTime, FormatError, TrustedMetadataSet};

fn root_value() -> Value {
    let key = PrivateKey::generate(KeySpec::Ed25519).unwrap();
    let mut root = Root::new(DateTime::parse("2100-01-01T00:00:00Z").unwrap());
    for r in RoleType::ALL {
        root.add_key(r, key.public_key());
    }
    let mut md = Metadata::new(root);
    md.sign(&key, true).unwrap();
    serde_json::to_value(&md).unwrap()
}

fn targets_value() -> Value {
    json!({
        "signed": {
            "_type": "targets", "spec_version": "1.0.31", "version": 3, "expires": "2100-01-01T00:00:00Z",
            "targets": {"a/b.txt": {"length": 3, "hashes": {"sha256": "00"}, "custom": {"x": [1, {"y": null}]}}},
            "delegations": {
                "keys": {"k1": {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": "00"}}},
                "roles": [{"name": "r", "keyids": ["k1"], "threshold": 1, "terminating": false, "paths": ["a/*"]}]
            }
        },
        "signatures": []
    })
}

fn parse_as(v: &Value) -> Result<(), FormatError> {
    let bytes = serde_json::to_vec(v).unwrap();
    let raw = RawMetadata::parse(&bytes, "r")?;
    match v["signed"]["_type"].as_str() {
        Some("root") => raw.to_metadata::<Root>().map(drop),
        Some("timestamp") => raw.to_metadata::<Timestamp>().map(drop),
        Some("snapshot") => raw.to_metadata::<Snapshot>().map(drop),
        _ => raw.to_metadata::<Targets>().map(drop),
    }
}

fn format_error(v: &Value) -> FormatError {
    parse_as(v).expect_err("must be refused")
}

#[test]
fn threshold_below_one_is_a_format_error_naming_the_field() {
    let mut v = root_value();
    v["signed"]["roles"]["snapshot"]["threshold"] = json!(0);
    let e = format_error(&v);
    assert_eq!(e.role, "r");
    assert_eq!(e.field, "signed.roles.snapshot.threshold");
    let mut v = targets_value();
    v["signed"]["delegations"]["roles"][0]["threshold"] = json!(-1);
    assert!(format_error(&v).field.starts_with("signed.delegations"));
}

#[test]
fn version_below_one_spec_version_major_two_and_bad_expiry_are_format_errors() {
    for (field, bad) in [
        ("version", json!(0)),
        ("version", json!(true)),
        ("spec_version", json!("2.0.0")),
        ("expires", json!("2100-01-01")),
    ] {
        let mut v = root_value();
        v["signed"][field] = bad;
        assert_eq!(format_error(&v).field, format!("signed.{field}"));
    }
}

#[test]
fn a_missing_top_level_role_and_duplicate_keyids_in_a_role_are_refused() {
    let mut v = root_value();
    v["signed"]["roles"]
        .as_object_mut()
        .unwrap()
        .remove("timestamp");
    assert_eq!(format_error(&v).field, "signed.roles");
    let mut v = root_value();
    let id = v["signed"]["roles"]["root"]["keyids"][0].clone();
    v["signed"]["roles"]["root"]["keyids"] = json!([id.clone(), id]);
    assert_eq!(format_error(&v).field, "signed.roles.root.keyids");
}

#[test]
fn delegation_rules_are_enforced() {
    type Mutation = Box<dyn Fn(&mut Value)>;
    let cases: Vec<Mutation> = vec![
        Box::new(|v| v["signed"]["delegations"]["roles"][0]["path_hash_prefixes"] = json!(["ab"])),
        Box::new(|v| {
            v["signed"]["delegations"]["roles"][0]
                .as_object_mut()
                .unwrap()
                .remove("paths");
        }),
        Box::new(|v| v["signed"]["delegations"]["roles"][0]["name"] = json!("snapshot")),
        Box::new(|v| v["signed"]["delegations"]["roles"][0]["name"] = json!("")),
        Box::new(|v| {
            let r = v["signed"]["delegations"]["roles"][0].clone();
            v["signed"]["delegations"]["roles"]
                .as_array_mut()
                .unwrap()
                .push(r);
        }),
        Box::new(|v| {
            v["signed"]["delegations"]["succinct_roles"] =
                json!({"keyids": [], "threshold": 1, "bit_length": 4, "name_prefix": "b"})
        }),
        Box::new(|v| {
            v["signed"]["delegations"]
                .as_object_mut()
                .unwrap()
                .remove("roles");
            v["signed"]["delegations"]["succinct_roles"] =
                json!({"keyids": [], "threshold": 1, "bit_length": 33, "name_prefix": "b"});
        }),
        Box::new(|v| v["signed"]["targets"]["a/b.txt"]["hashes"] = json!({})),
        Box::new(|v| v["signed"]["targets"]["a/b.txt"]["length"] = json!(-3)),
    ];
    for (i, mutate) in cases.iter().enumerate() {
        let mut v = targets_value();
        mutate(&mut v);
        let e = parse_as(&v).expect_err(&format!("case {i} must be refused"));
        assert!(e.field.starts_with("signed."), "case {i}: {e}");
    }
    parse_as(&targets_value()).unwrap();
}

#[test]
fn wrong_type_duplicate_signatures_and_floats_are_format_errors() {
    let v = root_value();
    let bytes = serde_json::to_vec(&v).unwrap();
    assert_eq!(
        RawMetadata::parse(&bytes, "timestamp")
            .unwrap()
            .to_metadata::<Timestamp>()
            .unwrap_err()
            .field,
        "signed._type"
    );
    let mut dup = v.clone();
    let s = dup["signatures"][0].clone();
    dup["signatures"].as_array_mut().unwrap().push(s);
    assert_eq!(
        RawMetadata::parse(&serde_json::to_vec(&dup).unwrap(), "root")
            .unwrap_err()
            .field,
        "signatures"
    );
    let text = String::from_utf8(bytes)
        .unwrap()
        .replacen("\"version\":1", "\"version\":1.0", 1);
    assert_eq!(
        RawMetadata::parse(text.as_bytes(), "root")
            .unwrap_err()
            .field,
        "signed"
    );
}

#[test]
fn keys_of_unknown_types_load_round_trip_and_never_count() {
    let mut v = root_value();
    let weird = json!({"keytype": "quantum", "scheme": "qs-1", "keyval": {"public": "zz", "extra": 1}, "x": true});
    v["signed"]["keys"]["weird"] = weird.clone();
    v["signed"]["roles"]["targets"]["keyids"]
        .as_array_mut()
        .unwrap()
        .push(json!("weird"));
    // Re-sign: the signature must cover the new key.
    let md: Metadata<Root> = serde_json::from_value(v).unwrap();
    let bytes = md.to_bytes();
    let parsed = Metadata::<Root>::from_bytes(&bytes, "root").unwrap();
    assert_eq!(
        serde_json::to_value(&parsed.signed.keys[&tuf_core::metadata::KeyId::new("weird")])
            .unwrap(),
        weird
    );
    assert_eq!(parsed.to_bytes(), bytes);
    // Signatures no longer match the edited content: the set refuses it, without panicking.
    assert!(TrustedMetadataSet::new(&bytes, DateTime::from_unix(0)).is_err());
}

/// Arbitrary JSON values.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[a-z0-9._/-]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every object path in `v` (as key lists), for mutation.
fn object_paths(v: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    if let Value::Object(m) = v {
        out.push(prefix.clone());
        for (k, child) in m {
            prefix.push(k.clone());
            object_paths(child, prefix, out);
            prefix.pop();
        }
    }
}

fn at<'a>(v: &'a mut Value, path: &[String]) -> &'a mut Value {
    path.iter().fold(v, |v, k| &mut v[k.as_str()])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(raw) = RawMetadata::parse(&bytes, "x") {
            let _ = raw.to_metadata::<Root>();
            let _ = raw.to_metadata::<Targets>();
        }
        let _ = TrustedMetadataSet::new(&bytes, DateTime::from_unix(0));
    }

    #[test]
    fn replacing_any_field_with_arbitrary_json_never_panics(which in any::<prop::sample::Index>(), key in "[a-z_]{1,12}", value in arb_json()) {
        for mut doc in [root_value(), targets_value()] {
            let mut paths = Vec::new();
            object_paths(&doc, &mut Vec::new(), &mut paths);
            let path = which.get(&paths).clone();
            let obj = at(&mut doc, &path);
            let existing: Vec<String> = obj.as_object().unwrap().keys().cloned().collect();
            let k = if existing.is_empty() { key.clone() } else { existing[key.len() % existing.len()].clone() };
            obj[k.as_str()] = value.clone();
            if let Err(e) = parse_as(&doc) {
                prop_assert_eq!(e.role, "r");
                prop_assert!(!e.field.is_empty());
            }
            let _ = TrustedMetadataSet::new(&serde_json::to_vec(&doc).unwrap(), DateTime::from_unix(0));
        }
    }

    #[test]
    fn unknown_fields_survive_parse_and_serialize_at_any_depth(which in any::<prop::sample::Index>(), key in "x-[a-z]{1,8}", value in arb_json()) {
        let mut doc = targets_value();
        let mut paths = Vec::new();
        object_paths(&doc, &mut Vec::new(), &mut paths);
        // Unknown fields go into known objects, not into free-form maps whose keys are data.
        paths.retain(|p| !matches!(p.last().map(String::as_str), Some("targets" | "keys" | "hashes")) && !p.iter().any(|k| k == "custom"));
        let path = which.get(&paths).clone();
        at(&mut doc, &path)[key.as_str()] = value;
        let bytes = serde_json::to_vec(&doc).unwrap();
        let md = Metadata::<Targets>::from_bytes(&bytes, "targets").unwrap();
        let back: Value = serde_json::from_slice(&md.to_bytes()).unwrap();
        prop_assert_eq!(back, doc);
    }
}
