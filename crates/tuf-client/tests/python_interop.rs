//! Interoperability: repositories written by python-tuf 7.0.1
//! (`tuf-testkit/fixtures/python-tuf/*`, made by
//! `scripts/gen_python_fixtures.py`) are served over loopback HTTP, and our
//! client must refresh from each one's first root and download every target
//! its manifest lists, byte for byte, and find none of the targets the
//! manifest says are absent. Together the fixtures cover ed25519, ECDSA and
//! RSA keys, delegations by paths and hash prefixes, succinct hashed bins,
//! consistent snapshots on and off, and unknown fields everywhere.

mod common;

use tuf_client::{DirectoryStore, MetadataStore, TargetDirectory, Updater, UpdaterConfig};
use tuf_core::metadata::TargetFile;
use tuf_testkit::http::FaultServer;
use tuf_testkit::mirror::{PythonFixture, serve_directory};
use tuf_testkit::ts;

/// Delegated roles signed only with a scheme tuf-core does not support:
/// their targets must be refused, never trusted unverified. (Every scheme in
/// the fixtures is supported today, ECDSA P-521 included; the list stays so a
/// fixture with an unsupported scheme is tested for refusal, not skipped.)
const UNSUPPORTED_SCHEME_ROLES: &[&str] = &[];

fn supported(role: &str) -> bool {
    !UNSUPPORTED_SCHEME_ROLES.contains(&role)
}

fn sha256(data: &[u8]) -> String {
    TargetFile::from_bytes(data, &["sha256"])
        .unwrap()
        .hashes
        .get("sha256")
        .unwrap()
        .to_owned()
}

/// Refresh from the fixture's trusted root and download every listed target.
fn check(fixture: &PythonFixture) {
    let name = &fixture.name;
    let server = FaultServer::start().unwrap();
    serve_directory(&server, &fixture.dir).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let store = DirectoryStore::new(tmp.path().join("metadata")).unwrap();
    let root = std::fs::read(fixture.dir.join(&fixture.trusted_root)).unwrap();
    store.put("root.json", &root).unwrap();
    let targets = TargetDirectory::new(tmp.path().join("targets")).unwrap();

    let mut updater = Updater::new(
        &server.url("/metadata/"),
        Box::new(store.clone()),
        Box::new(common::http()),
        UpdaterConfig::default(),
    );
    updater.set_reference_time(ts(&fixture.valid_at));
    updater
        .refresh()
        .unwrap_or_else(|e| panic!("{name}: refresh: {e}"));
    assert_eq!(
        updater.consistent_snapshot(),
        Some(fixture.consistent_snapshot),
        "{name}"
    );
    assert!(!fixture.targets.is_empty(), "{name}: no targets listed");
    for want in &fixture.targets {
        if !supported(&want.role) {
            let err = updater.get_targetinfo(&want.path).unwrap_err();
            assert!(
                matches!(
                    &err,
                    tuf_client::Error::Repository(tuf_core::Error::Verify(
                        tuf_core::VerifyError::ThresholdNotMet { role, verified: 0, .. }
                    )) if role == &want.role
                ),
                "{name}: {}: {err:?}",
                want.path
            );
            continue;
        }
        let info = updater
            .get_targetinfo(&want.path)
            .unwrap_or_else(|e| panic!("{name}: {}: {e}", want.path))
            .unwrap_or_else(|| panic!("{name}: {} not found", want.path));
        assert_eq!(
            info.role_path.last().unwrap(),
            &want.role,
            "{name}: {}",
            want.path
        );
        let local = updater
            .download_target(&info, &targets, &server.url("/targets/"))
            .unwrap_or_else(|e| panic!("{name}: {}: {e}", want.path));
        let data = std::fs::read(local).unwrap();
        assert_eq!(data.len() as u64, want.length, "{name}: {}", want.path);
        assert_eq!(sha256(&data), want.sha256, "{name}: {}", want.path);
    }
    for path in &fixture.absent {
        assert_eq!(
            updater.get_targetinfo(path).unwrap(),
            None,
            "{name}: {path} should not be found"
        );
    }
    // What was verified is what is stored: the exact bytes python-tuf wrote.
    let timestamp = std::fs::read(fixture.dir.join("metadata/timestamp.json")).unwrap();
    assert_eq!(store.get("timestamp.json").unwrap().unwrap(), timestamp);

    // A second client run finds everything cached: only the next root and
    // the timestamp are requested.
    let before = server.requests().len();
    let mut again = Updater::new(
        &server.url("/metadata/"),
        Box::new(store),
        Box::new(common::http()),
        UpdaterConfig::default(),
    );
    again.set_reference_time(ts(&fixture.valid_at));
    again.refresh().unwrap();
    for want in fixture.targets.iter().filter(|t| supported(&t.role)) {
        let info = again.get_targetinfo(&want.path).unwrap().unwrap();
        again
            .download_target(&info, &targets, &server.url("/targets/"))
            .unwrap();
    }
    let later: Vec<String> = server.requests()[before..]
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(later.len(), 2, "{name}: {later:?}");
    assert!(later[0].ends_with(".root.json") && later[1] == "/metadata/timestamp.json");
}

fn fixture(name: &str) -> PythonFixture {
    PythonFixture::load(&PythonFixture::root_dir().join(name)).unwrap()
}

#[test]
fn python_tuf_repository_with_consistent_snapshots_is_readable() {
    check(&fixture("consistent-snapshot-true"));
}

#[test]
fn python_tuf_repository_without_consistent_snapshots_is_readable() {
    check(&fixture("consistent-snapshot-false"));
}

#[test]
fn python_tuf_delegations_by_paths_and_hash_prefixes_resolve_as_python_tuf_does() {
    check(&fixture("delegations"));
}

#[test]
fn python_tuf_ed25519_ecdsa_and_rsa_signatures_verify() {
    check(&fixture("keytypes"));
}

#[test]
fn python_tuf_succinct_hashed_bins_resolve() {
    check(&fixture("succinct"));
}

#[test]
fn python_tuf_metadata_with_unknown_fields_verifies() {
    check(&fixture("unknown-fields"));
}

#[test]
fn every_python_tuf_fixture_is_covered_by_a_test() {
    let names: Vec<String> = PythonFixture::all()
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(
        names,
        [
            "consistent-snapshot-false",
            "consistent-snapshot-true",
            "delegations",
            "keytypes",
            "succinct",
            "unknown-fields"
        ],
        "a new fixture needs its own test above"
    );
}
