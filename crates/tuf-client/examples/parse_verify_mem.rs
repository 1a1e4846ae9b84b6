//! Peak-memory (and profiling) helper for the "Foundation" benchmark: parse
//! and verify a targets.json against the root beside it, as a client does.
//!
//! ```text
//! parse_verify_mem <targets.json> empty    # does nothing: process baseline
//! parse_verify_mem <targets.json> read     # reads targets.json and root.json only
//! parse_verify_mem <targets.json> verify [N]  # reads, then parses + verifies N times (default 1)
//! ```
//!
//! Run under `/usr/bin/time -v` and compare "Maximum resident set size"
//! (see `scripts/bench/metadata_mem.sh`).

use std::path::PathBuf;

use tuf_core::metadata::{RawMetadata, RoleType, Targets};
use tuf_core::verify::{self, verify_root_self};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(
        args.next()
            .expect("usage: parse_verify_mem <targets.json> MODE"),
    );
    let mode = args.next().unwrap_or_else(|| "verify".to_owned());
    let repeat: u32 = args.next().map_or(1, |n| n.parse().expect("a count"));
    if mode == "empty" {
        return;
    }
    let targets = std::fs::read(&path).expect("read targets.json");
    let root = std::fs::read(path.with_file_name("root.json")).expect("read root.json");
    if mode == "read" {
        std::hint::black_box((&targets, &root));
        return;
    }
    assert_eq!(mode, "verify", "MODE is empty, read or verify");
    let root_raw = RawMetadata::parse(&root, "root").expect("root parses");
    let root = verify_root_self(&root_raw).expect("root verifies");
    for _ in 0..repeat {
        let keys = root.role_keys(RoleType::Targets);
        let md = verify::parse_and_verify::<Targets>(&targets, "targets", &[&keys])
            .expect("targets verifies");
        assert!(!std::hint::black_box(&md).targets.is_empty());
    }
}
