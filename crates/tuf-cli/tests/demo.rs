//! The README's first command, `tuf demo`, works end to end: it builds a
//! repository, serves it on loopback, verifies every target with the client
//! and shows both attacks refused.

mod common;

use common::ok;

#[test]
fn the_demo_builds_serves_verifies_and_refuses_both_attacks() {
    let out = ok(&["demo"]);
    for want in [
        "1. Creating a repository",
        "2. Serving it on loopback",
        "README.txt: 32 bytes, sha256 verified, trusted via targets",
        "docs/guide.md: 25 bytes, sha256 verified, trusted via targets -> docs",
        "packages/tool-1.0.tgz: 25 bytes, sha256 verified, trusted via targets -> packages -> bin-",
        "tampered target refused, nothing written",
        "freeze attack (stale metadata two days later) refused",
        "Done in",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
}
