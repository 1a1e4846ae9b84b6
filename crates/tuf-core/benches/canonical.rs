//! Canonical JSON throughput on a generated targets.json with 100,000
//! targets, as a client meets it (python-tuf's pretty layout, keys sorted)
//! and in adversarial member order.
//!
//! Run: `cargo bench -p tuf-core --bench canonical`

use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use serde_json::{Map, Value, json};
use std::sync::LazyLock;
use tuf_core::canonical::{canonicalize_text, to_canonical};
use tuf_core::json::{to_compact, to_pretty};

fn main() {
    divan::main();
}

const TARGETS: usize = 100_000;

/// The `signed` member of a targets.json with [`TARGETS`] targets, each with
/// a sha256 and a sha512 hash and, for one in ten, custom data.
static SIGNED: LazyLock<Value> = LazyLock::new(|| {
    let mut targets = Map::new();
    for i in 0..TARGETS {
        let mut t = json!({
            "length": i * 37 + 1,
            "hashes": {
                "sha256": format!("{:064x}", (i as u128) * 0x9e37_79b9_7f4a_7c15),
                "sha512": format!("{:0128x}", (i as u128) * 0xc2b2_ae3d_27d4_eb4f),
            },
        });
        if i % 10 == 0 {
            t["custom"] = json!({"build": i, "note": format!("caf\u{e9} \"{i}\"")});
        }
        targets.insert(format!("packages/group-{}/package-{i}.tar.gz", i % 97), t);
    }
    json!({
        "_type": "targets",
        "spec_version": "1.0.31",
        "version": 42,
        "expires": "2030-01-01T00:00:00Z",
        "targets": targets,
    })
});

static PRETTY: LazyLock<String> =
    LazyLock::new(|| String::from_utf8(to_pretty(&SIGNED)).expect("ascii"));
static COMPACT: LazyLock<String> =
    LazyLock::new(|| String::from_utf8(to_compact(&SIGNED)).expect("ascii"));
/// The compact text with every object's members in reverse order, so every
/// object takes the sorting path.
static REVERSED: LazyLock<String> = LazyLock::new(|| {
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                out.push('{');
                for (i, (k, v)) in m.iter().rev().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    write(v, out);
                }
                out.push('}');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(&SIGNED, &mut out);
    out
});

fn text_bench(bencher: Bencher, text: &'static str) {
    bencher
        .counter(BytesCount::of_str(text))
        .bench(|| canonicalize_text(black_box(text)).expect("canonical"));
}

#[divan::bench(sample_count = 20)]
fn canonicalize_text_pretty(bencher: Bencher) {
    text_bench(bencher, &PRETTY);
}

#[divan::bench(sample_count = 20)]
fn canonicalize_text_compact(bencher: Bencher) {
    text_bench(bencher, &COMPACT);
}

#[divan::bench(sample_count = 20)]
fn canonicalize_text_reversed_keys(bencher: Bencher) {
    text_bench(bencher, &REVERSED);
}

/// For comparison: the tree path (parse into a Value, then canonicalize).
#[divan::bench(sample_count = 10)]
fn serde_value_then_to_canonical(bencher: Bencher) {
    let text: &str = &PRETTY;
    bencher.counter(BytesCount::of_str(text)).bench(|| {
        let v: Value = serde_json::from_str(black_box(text)).expect("parses");
        to_canonical(&v).expect("canonical")
    });
}

#[divan::bench(sample_count = 10)]
fn to_pretty_writer(bencher: Bencher) {
    bencher
        .counter(BytesCount::of_str(&*PRETTY))
        .bench(|| to_pretty(black_box(&SIGNED)));
}
