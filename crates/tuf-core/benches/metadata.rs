//! Issue "Foundation" item 9: parse and verify a targets.json of 100,000
//! targets, canonical encoding of its signed part, and threshold
//! verification of a root with 10 keys (threshold 10).
//!
//! The inputs are generated in setup with our own API and are byte-identical
//! to what `scripts/bench/py_metadata_bench.py` writes (same fixed-seed
//! ed25519 keys, same targets, same layout; `check_inputs_match_python`
//! below compares them when `TUF_BENCH_PY_TARGETS` names python's file).
//!
//! Run: `cargo bench -p tuf-core --bench metadata`
//! (python-tuf baseline: `scripts/bench/py_metadata_bench.py`, see
//! `docs/benchmarks.md`).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use tuf_core::canonical::canonicalize_text;
use tuf_core::crypto::{PrivateKey, Signer};
use tuf_core::metadata::{
    Hashes, Metadata, RawMetadata, RoleType, Root, SpecVersion, TargetFile, Targets, Threshold,
};
use tuf_core::{DateTime, verify};

fn main() {
    check_inputs_match_python();
    divan::main();
}

const TARGETS: usize = 100_000;

/// An ed25519 key whose seed is SHA-256(`seed`), as the python script makes them.
fn signer(seed: &str) -> PrivateKey {
    let digest = aws_lc_rs_sha256(seed.as_bytes());
    // PKCS#8 v1 prefix for an Ed25519 private key, then the 32-byte seed.
    let mut der = hex_decode("302e020100300506032b657004220420");
    der.extend_from_slice(&digest);
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64(&der)
    );
    PrivateKey::from_pem(&pem, None).expect("ed25519 PKCS#8")
}

fn aws_lc_rs_sha256(data: &[u8]) -> Vec<u8> {
    let h = tuf_core::metadata::hashes::digest_bytes(data, &["sha256"]).expect("sha256");
    hex_decode(h.get("sha256").expect("sha256"))
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= c.len() {
                out.push(A[(n >> shift) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// python-tuf 7.0.1 writes spec_version 1.0.31; so do we here, so the bytes match.
fn py_spec_version() -> SpecVersion {
    SpecVersion::parse("1.0.31").expect("valid")
}

struct Inputs {
    targets_json: Vec<u8>,
    root_json: Vec<u8>,
}

static INPUTS: LazyLock<Inputs> = LazyLock::new(|| {
    let expires = DateTime::parse("2100-01-01T00:00:00Z").expect("valid");
    let targets_signer = signer("tuf-bench targets key");
    let root_signers: Vec<PrivateKey> = (0..10)
        .map(|i| signer(&format!("tuf-bench root key {i}")))
        .collect();

    let mut root = Root::new(expires);
    root.spec_version = py_spec_version();
    for s in &root_signers {
        root.add_key(RoleType::Root, s.public_key());
    }
    root.set_threshold(RoleType::Root, Threshold::new(10).expect("10 > 0"));
    root.add_key(RoleType::Targets, targets_signer.public_key());
    for role in [RoleType::Snapshot, RoleType::Timestamp] {
        root.add_key(role, root_signers[0].public_key());
    }
    let mut root_md = Metadata::new(root);
    for s in &root_signers {
        root_md.sign(s, true).expect("sign root");
    }

    let mut targets = Targets::new(expires);
    targets.spec_version = py_spec_version();
    for i in 0..TARGETS {
        let path = format!(
            "packages/{:03}/package-{i:06}-1.0.{}.tar.gz",
            i % 997,
            i % 13
        );
        let digest = tuf_core::metadata::hashes::digest_bytes(
            format!("contents of target {i}").as_bytes(),
            &["sha256"],
        )
        .expect("sha256");
        let length = 1000 + (i as u64 * 7919) % 5_000_000;
        let file = TargetFile {
            length,
            hashes: Hashes::new(BTreeMap::from([(
                "sha256".to_owned(),
                digest.get("sha256").expect("sha256").to_owned(),
            )]))
            .expect("non-empty"),
            custom: None,
            unrecognized: Default::default(),
        };
        targets.add_target(path, file);
    }
    let mut targets_md = Metadata::new(targets);
    targets_md.sign(&targets_signer, false).expect("sign");
    Inputs {
        targets_json: targets_md.to_bytes(),
        root_json: root_md.to_bytes(),
    }
});

/// If `TUF_BENCH_PY_TARGETS` names the targets.json python's script wrote
/// (root.json beside it), insist that our inputs are the same bytes.
fn check_inputs_match_python() {
    let Ok(path) = std::env::var("TUF_BENCH_PY_TARGETS") else {
        return;
    };
    let path = std::path::PathBuf::from(path);
    let py_targets = std::fs::read(&path).expect("read python's targets.json");
    let py_root = std::fs::read(path.with_file_name("root.json")).expect("read python's root.json");
    assert!(
        py_targets == INPUTS.targets_json,
        "targets.json differs from python's"
    );
    assert!(
        py_root == INPUTS.root_json,
        "root.json differs from python's"
    );
    eprintln!(
        "inputs are byte-identical to python's ({} bytes of targets.json)",
        py_targets.len()
    );
}

static ROOT: LazyLock<Metadata<Root>> =
    LazyLock::new(|| Metadata::from_bytes(&INPUTS.root_json, "root").expect("root parses"));

fn targets_bytes() -> &'static [u8] {
    &INPUTS.targets_json
}

/// `Metadata::from_bytes`: envelope, canonical bytes of `signed`, typed parse.
#[divan::bench(sample_count = 10)]
fn parse_targets(bencher: Bencher) {
    let bytes = targets_bytes();
    bencher
        .counter(BytesCount::new(bytes.len()))
        .bench(|| Metadata::<Targets>::from_bytes(black_box(bytes), "targets").expect("parses"));
}

/// What a client does with a targets.json: parse, then verify against the
/// keys root gives `targets` (one ed25519 signature over the canonical bytes).
#[divan::bench(sample_count = 10)]
fn parse_and_verify_targets(bencher: Bencher) {
    let bytes = targets_bytes();
    let root = &ROOT.signed;
    bencher.counter(BytesCount::new(bytes.len())).bench(|| {
        // The borrowed path (repository tooling, `tuf` commands);
        // TrustedMetadataSet takes `parse_and_verify_owned`.
        let keys = root.role_keys(RoleType::Targets);
        verify::parse_and_verify::<Targets>(black_box(bytes), "targets", &[&keys])
            .expect("verifies")
    });
}

/// Canonical JSON of the received `signed` text (what verification uses).
#[divan::bench(sample_count = 10)]
fn canonical_from_text(bencher: Bencher) {
    let raw = RawMetadata::parse(targets_bytes(), "targets").expect("parses");
    let text = raw.signed_text();
    bencher
        .counter(BytesCount::of_str(text))
        .bench(|| canonicalize_text(black_box(text)).expect("canonical"));
}

/// Canonical JSON of a parsed `Targets` (what signing uses; python's
/// `CanonicalJSONSerializer().serialize(md.signed)`).
#[divan::bench(sample_count = 10)]
fn canonical_from_model(bencher: Bencher) {
    let md = Metadata::<Targets>::from_bytes(targets_bytes(), "targets").expect("parses");
    bencher.bench(|| black_box(&md).signed_bytes().expect("canonical"));
}

/// Verify the 10-of-10 root signatures over already parsed bytes
/// (key decoding and 10 ed25519 verifications).
#[divan::bench(sample_count = 50)]
fn root_10_of_10_verify(bencher: Bencher) {
    let raw = RawMetadata::parse(&INPUTS.root_json, "root").expect("parses");
    let keys = ROOT.signed.role_keys(RoleType::Root);
    bencher.bench(|| keys.verify(black_box(&raw)).expect("threshold met"));
}

/// The whole of it from bytes: parse root.json, canonicalize, check 10 of 10.
#[divan::bench(sample_count = 50)]
fn root_10_of_10_parse_and_verify(bencher: Bencher) {
    let bytes: &[u8] = &INPUTS.root_json;
    bencher.bench(|| {
        let raw = RawMetadata::parse(black_box(bytes), "root").expect("parses");
        verify::verify_root_self(&raw).expect("threshold met")
    });
}
