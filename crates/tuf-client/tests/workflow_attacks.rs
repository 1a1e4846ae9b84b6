//! The client workflow (spec §5) against the attacks of spec §1.5 and
//! checklist §3, end to end: the real [`Updater`] over the in-memory
//! repository simulator (or the loopback HTTP server for slow retrieval),
//! with a [`tuf_client::DirectoryStore`] in a temporary directory. Each test
//! is named after what it defeats and checks the error kind, what is on disk
//! afterwards, and which requests were made.

mod common;

use std::time::Duration;

use common::{Client, SimFault, SimTransport, TARGETS_URL, listing};
use tuf_client::{
    Error, HttpTransport, SlowPhase, TargetError, TransportError, Updater, UpdaterConfig,
};
use tuf_core::VerifyError;
use tuf_core::crypto::Signer;
use tuf_core::metadata::{
    Metadata, PathScope, RoleType, Targets, Threshold, Version, encode_role_name,
};
use tuf_testkit::http::{FaultServer, Reply};
use tuf_testkit::mirror::serve_simulator;
use tuf_testkit::{RepositorySimulator, ts};

const PAST: &str = "2029-01-01T00:00:00Z";

fn repo() -> SimTransport {
    SimTransport::new(RepositorySimulator::new())
}

/// A repository whose top-level targets (v2) lists `a.txt`.
fn repo_with_target() -> SimTransport {
    let repo = repo();
    {
        let mut sim = repo.sim();
        sim.add_target("targets", "a.txt", b"hello, world");
        sim.release(&["targets"]);
    }
    repo
}

/// A repository where `targets` delegates `role1/*` to `role1`, which lists
/// `role1/x.txt`.
fn repo_with_delegation() -> SimTransport {
    let repo = repo();
    {
        let mut sim = repo.sim();
        sim.delegate_paths("targets", "role1", &["role1/*"], false);
        sim.add_target("role1", "role1/x.txt", b"delegated content");
        sim.release(&["targets", "role1"]);
    }
    repo
}

fn verify_err<T: std::fmt::Debug>(r: Result<T, Error>) -> VerifyError {
    match r {
        Err(Error::Repository(tuf_core::Error::Verify(v))) => v,
        other => panic!("expected a verification error, got {other:?}"),
    }
}

fn too_large<T: std::fmt::Debug>(r: Result<T, Error>) -> u64 {
    match r {
        Err(Error::Transport(TransportError::TooLarge { max_length, .. })) => max_length,
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

fn expired_role<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    match verify_err(r) {
        VerifyError::Expired { role, .. } => role,
        other => panic!("expected Expired, got {other:?}"),
    }
}

fn published(repo: &SimTransport, path: &str) -> Vec<u8> {
    repo.sim().files[path].clone()
}

/// A new release whose top-level targets is exactly `md` as given (signed
/// however the attacker likes), with a bumped version.
fn release_targets_as(sim: &mut RepositorySimulator, md: &Metadata<Targets>) {
    let v = md.signed.version;
    sim.files
        .insert(format!("metadata/{v}.targets.json"), md.to_bytes());
    sim.snapshot
        .signed
        .meta
        .insert("targets.json", tuf_core::metadata::MetaFile::new(v));
    sim.bump("snapshot");
    sim.publish_snapshot();
    sim.bump("timestamp");
    sim.publish_timestamp();
}

/// Publish a next root signed only by a new key (an attacker's): it claims a
/// rotation that the trusted root never signed.
fn publish_root_signed_only_by_a_new_key(sim: &mut RepositorySimulator) {
    sim.rotate_keys(RoleType::Root);
    sim.bump_root();
}

/// Rotate root's key properly: the new root is signed by the old and new keys.
fn rotate_root_key(sim: &mut RepositorySimulator) {
    let old = sim.signers["root"].clone();
    sim.rotate_keys(RoleType::Root);
    let new = sim.signers["root"].clone();
    sim.signers
        .insert("root".into(), old.into_iter().chain(new.clone()).collect());
    sim.bump_root();
    sim.signers.insert("root".into(), new);
}

// ---------------------------------------------------------------------------
// Arbitrary installation

#[test]
fn arbitrary_installation_tampered_target_is_rejected_and_never_stored() {
    let repo = repo_with_target();
    let client = Client::new(&repo);
    let mut updater = client.refresh().unwrap();
    let info = updater.get_targetinfo("a.txt").unwrap().unwrap();
    let served = format!("targets/{}", info.file.hash_prefixed_paths("a.txt")[0]);
    repo.fault(&served, SimFault::CorruptByte(3));
    let err = updater
        .download_target(&info, &client.target_dir(), TARGETS_URL)
        .unwrap_err();
    assert!(
        matches!(err, Error::Target(TargetError::Mismatch { .. })),
        "{err:?}"
    );
    assert!(listing(client.target_dir().dir()).is_empty());

    repo.heal(&served);
    assert_eq!(
        client.download(&mut updater, "a.txt").unwrap(),
        b"hello, world"
    );
    assert_eq!(listing(client.target_dir().dir()), ["a.txt"]);
}

#[test]
fn arbitrary_installation_target_not_in_metadata_is_never_requested() {
    let repo = repo_with_target();
    repo.sim()
        .files
        .insert("targets/evil.txt".into(), b"malware".to_vec());
    let client = Client::new(&repo);
    let mut updater = client.updater();
    assert_eq!(updater.get_targetinfo("evil.txt").unwrap(), None);
    assert!(repo.requests_under("targets/").is_empty());
    assert!(listing(client.target_dir().dir()).is_empty());
}

#[test]
fn arbitrary_installation_targets_signed_by_an_untrusted_key_are_rejected() {
    let repo = repo_with_target();
    let client = Client::new(&repo);
    client.refresh().unwrap();
    let trusted = client.stored("targets.json").unwrap();
    {
        let mut sim = repo.sim();
        let wrong = sim.signers["snapshot"].clone();
        sim.signers.insert("targets".into(), wrong);
        sim.add_target("targets", "a.txt", b"malware");
        sim.release(&["targets"]);
    }
    match verify_err(client.refresh()) {
        VerifyError::ThresholdNotMet { role, verified, .. } => {
            assert_eq!((role.as_str(), verified), ("targets", 0));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(client.stored("targets.json").unwrap(), trusted);
}

// ---------------------------------------------------------------------------
// Rollback

#[test]
fn rollback_of_timestamp_is_rejected_and_the_trusted_copy_kept() {
    let repo = repo();
    let client = Client::new(&repo);
    client.refresh().unwrap();
    let old = published(&repo, "metadata/timestamp.json");
    repo.sim().release(&[]);
    client.refresh().unwrap();
    let trusted = client.stored("timestamp.json").unwrap();
    repo.sim()
        .files
        .insert("metadata/timestamp.json".into(), old);
    repo.clear_requests();

    assert_eq!(
        verify_err(client.refresh()),
        VerifyError::Rollback {
            role: "timestamp".into(),
            trusted: 2,
            offered: 1
        }
    );
    assert_eq!(client.stored("timestamp.json").unwrap(), trusted);
    assert!(
        repo.requests_under("metadata/")
            .iter()
            .all(|p| !p.contains("snapshot")),
        "{:?}",
        repo.requests()
    );
}

#[test]
fn rollback_of_snapshot_named_by_timestamp_is_rejected() {
    let repo = repo();
    let client = Client::new(&repo);
    repo.sim().release(&[]);
    repo.sim().release(&[]);
    client.refresh().unwrap();
    let trusted = client.stored("timestamp.json").unwrap();
    {
        let mut sim = repo.sim();
        sim.bump("timestamp");
        let mut meta = sim.timestamp.signed.snapshot_meta().clone();
        meta.version = Version::new(2).unwrap();
        sim.timestamp.signed.set_snapshot_meta(meta);
        sim.publish_timestamp();
    }
    repo.clear_requests();
    assert_eq!(
        verify_err(client.refresh()),
        VerifyError::Rollback {
            role: "snapshot".into(),
            trusted: 3,
            offered: 2
        }
    );
    assert_eq!(client.stored("timestamp.json").unwrap(), trusted);
    assert_eq!(
        repo.requests(),
        ["metadata/2.root.json", "metadata/timestamp.json"]
    );
}

/// Publish a new snapshot (and timestamp) whose entry for `role` names
/// `version`, whatever the role's real version is.
fn release_snapshot_naming(sim: &mut RepositorySimulator, role: &str, version: u64) {
    sim.snapshot
        .signed
        .meta
        .get_mut(&format!("{role}.json"))
        .unwrap()
        .version = Version::new(version).unwrap();
    sim.bump("snapshot");
    sim.publish_snapshot();
    sim.bump("timestamp");
    sim.publish_timestamp();
}

#[test]
fn rollback_of_targets_version_in_snapshot_is_rejected() {
    let repo = repo_with_target();
    let client = Client::new(&repo);
    client.refresh().unwrap();
    let trusted = client.stored("snapshot.json").unwrap();
    release_snapshot_naming(&mut repo.sim(), "targets", 1);
    repo.clear_requests();
    assert_eq!(
        verify_err(client.refresh()),
        VerifyError::Rollback {
            role: "targets.json".into(),
            trusted: 2,
            offered: 1
        }
    );
    assert_eq!(client.stored("snapshot.json").unwrap(), trusted);
    assert!(repo.requests_under("metadata/1.targets").is_empty());
}

#[test]
fn rollback_of_targets_file_is_rejected_by_its_version() {
    let repo = repo_with_target();
    let client = Client::new(&repo);
    client.refresh().unwrap();
    let trusted = client.stored("targets.json").unwrap();
    let old = published(&repo, "metadata/2.targets.json");
    repo.sim().release(&["targets"]);
    // The mirror serves the old targets under the new name.
    repo.sim()
        .files
        .insert("metadata/3.targets.json".into(), old);
    assert_eq!(
        verify_err(client.refresh()),
        VerifyError::VersionMismatch {
            role: "targets".into(),
            expected: 3,
            got: 2
        }
    );
    assert_eq!(client.stored("targets.json").unwrap(), trusted);
}

#[test]
fn rollback_of_delegated_role_in_snapshot_is_rejected() {
    let repo = repo_with_delegation();
    let client = Client::new(&repo);
    let mut updater = client.updater();
    assert!(updater.get_targetinfo("role1/x.txt").unwrap().is_some());
    let trusted = client.stored("snapshot.json").unwrap();
    let cached_role = client.stored("role1.json").unwrap();
    release_snapshot_naming(&mut repo.sim(), "role1", 1);
    assert_eq!(
        verify_err(client.refresh()),
        VerifyError::Rollback {
            role: "role1.json".into(),
            trusted: 2,
            offered: 1
        }
    );
    assert_eq!(client.stored("snapshot.json").unwrap(), trusted);
    assert_eq!(client.stored("role1.json").unwrap(), cached_role);
}

#[test]
fn rollback_of_delegated_role_file_is_rejected_by_its_version() {
    let repo = repo_with_delegation();
    let client = Client::new(&repo);
    client.updater().get_targetinfo("role1/x.txt").unwrap();
    let cached_role = client.stored("role1.json").unwrap();
    let old = published(&repo, "metadata/2.role1.json");
    repo.sim().release(&["role1"]);
    repo.sim().files.insert("metadata/3.role1.json".into(), old);
    assert_eq!(
        verify_err(client.updater().get_targetinfo("role1/x.txt")),
        VerifyError::VersionMismatch {
            role: "role1".into(),
            expected: 3,
            got: 2
        }
    );
    assert_eq!(client.stored("role1.json").unwrap(), cached_role);
}

// ---------------------------------------------------------------------------
// Freeze

#[test]
fn freeze_expired_timestamp_is_rejected_and_not_persisted() {
    let repo = repo();
    let client = Client::new(&repo);
    client.refresh().unwrap();
    let trusted = client.stored("timestamp.json").unwrap();
    {
        let mut sim = repo.sim();
        sim.timestamp.signed.expires = ts(PAST);
        sim.release(&[]);
    }
    repo.clear_requests();
    assert_eq!(expired_role(client.refresh()), "timestamp");
    assert_eq!(client.stored("timestamp.json").unwrap(), trusted);
    assert!(repo.requests_under("metadata/2.snapshot").is_empty());
}

#[test]
fn freeze_expired_snapshot_is_rejected_and_not_persisted() {
    let repo = repo();
    let client = Client::new(&repo);
    client.refresh().unwrap();
    let trusted = client.stored("snapshot.json").unwrap();
    {
        let mut sim = repo.sim();
        sim.snapshot.signed.expires = ts(PAST);
        sim.release(&[]);
    }
    assert_eq!(expired_role(client.refresh()), "snapshot");
    assert_eq!(client.stored("snapshot.json").unwrap(), trusted);
}

#[test]
fn freeze_expired_targets_is_rejected_and_not_persisted() {
    let repo = repo();
    let client = Client::new(&repo);
    client.refresh().unwrap();
    let trusted = client.stored("targets.json").unwrap();
    {
        let mut sim = repo.sim();
        sim.targets.get_mut("targets").unwrap().signed.expires = ts(PAST);
        sim.release(&["targets"]);
    }
    assert_eq!(expired_role(client.refresh()), "targets");
    assert_eq!(client.stored("targets.json").unwrap(), trusted);
}

#[test]
fn freeze_expired_delegated_role_is_rejected_and_not_persisted() {
    let repo = repo_with_delegation();
    let client = Client::new(&repo);
    client.updater().get_targetinfo("role1/x.txt").unwrap();
    let trusted = client.stored("role1.json").unwrap();
    {
        let mut sim = repo.sim();
        sim.targets.get_mut("role1").unwrap().signed.expires = ts(PAST);
        sim.release(&["role1"]);
    }
    let mut updater = client.refresh().unwrap();
    assert_eq!(expired_role(updater.get_targetinfo("role1/x.txt")), "role1");
    assert_eq!(client.stored("role1.json").unwrap(), trusted);
}

#[test]
fn freeze_expired_final_root_stays_persisted_and_timestamp_is_never_requested() {
    let repo = repo();
    let client = Client::new(&repo);
    client.refresh().unwrap();
    let timestamp = client.stored("timestamp.json").unwrap();
    {
        let mut sim = repo.sim();
        sim.root.signed.expires = ts(PAST);
        sim.bump_root();
    }
    repo.clear_requests();
    assert_eq!(expired_role(client.refresh()), "root");
    // §5.3.8 persisted v2 before §5.3.10 judged it.
    assert_eq!(
        client.stored("root.json").unwrap(),
        published(&repo, "metadata/2.root.json")
    );
    assert_eq!(
        repo.requests(),
        ["metadata/2.root.json", "metadata/3.root.json"]
    );
    assert_eq!(client.stored("timestamp.json").unwrap(), timestamp);
}

#[test]
fn freeze_unchanged_repository_fails_once_its_timestamp_expires() {
    let repo = repo();
    {
        let mut sim = repo.sim();
        sim.timestamp.signed.expires = ts("2030-06-01T00:00:00Z");
        sim.publish_timestamp();
    }
    let client = Client::new(&repo);
    client.refresh().unwrap();
    // The mirror keeps serving the same, now expired, timestamp.
    let mut later = client.updater();
    later.set_reference_time(ts("2030-07-01T00:00:00Z"));
    assert_eq!(expired_role(later.refresh()), "timestamp");
}

// ---------------------------------------------------------------------------
// Endless data

#[test]
fn endless_data_timestamp_beyond_its_size_limit_is_refused() {
    let repo = repo();
    let client = Client::new(&repo);
    repo.fault("metadata/timestamp.json", SimFault::ExtraBytes(16_384));
    assert_eq!(too_large(client.refresh()), 16_384);
    assert_eq!(client.stored("timestamp.json"), None);
}

#[test]
fn endless_data_root_beyond_its_size_limit_is_refused() {
    let repo = repo();
    let client = Client::new(&repo);
    repo.sim().bump_root();
    repo.fault("metadata/2.root.json", SimFault::ExtraBytes(512_000));
    assert_eq!(too_large(client.refresh()), 512_000);
    assert_eq!(
        client.stored("root.json").unwrap(),
        published(&repo, "metadata/1.root.json")
    );
}

#[test]
fn endless_data_snapshot_longer_than_timestamp_says_is_refused() {
    let repo = repo();
    {
        let mut sim = repo.sim();
        sim.compute_metafile_hashes_length = true;
        sim.release(&["targets"]);
    }
    let client = Client::new(&repo);
    let length = published(&repo, "metadata/2.snapshot.json").len() as u64;
    repo.fault("metadata/2.snapshot.json", SimFault::ExtraBytes(1));
    assert_eq!(too_large(client.refresh()), length);
    assert_eq!(client.stored("snapshot.json"), None);
}

#[test]
fn endless_data_targets_longer_than_snapshot_says_is_refused() {
    let repo = repo();
    {
        let mut sim = repo.sim();
        sim.compute_metafile_hashes_length = true;
        sim.release(&["targets"]);
    }
    let client = Client::new(&repo);
    let length = published(&repo, "metadata/2.targets.json").len() as u64;
    repo.fault("metadata/2.targets.json", SimFault::ExtraBytes(1));
    assert_eq!(too_large(client.refresh()), length);
    assert_eq!(client.stored("targets.json"), None);
}

#[test]
fn endless_data_metadata_without_a_length_is_capped_by_the_config() {
    let repo = repo();
    let mut client = Client::new(&repo);
    client.config.snapshot_max_length = 4_000;
    client.config.targets_max_length = 3_000;
    repo.fault("metadata/1.snapshot.json", SimFault::ExtraBytes(4_000));
    assert_eq!(too_large(client.refresh()), 4_000);
    repo.heal("metadata/1.snapshot.json");
    repo.fault("metadata/1.targets.json", SimFault::ExtraBytes(3_000));
    assert_eq!(too_large(client.refresh()), 3_000);
    assert_eq!(client.stored("targets.json"), None);
}

#[test]
fn endless_data_target_longer_than_its_length_is_refused_and_discarded() {
    let repo = repo_with_target();
    let client = Client::new(&repo);
    let mut updater = client.refresh().unwrap();
    let info = updater.get_targetinfo("a.txt").unwrap().unwrap();
    let served = format!("targets/{}", info.file.hash_prefixed_paths("a.txt")[0]);
    repo.fault(&served, SimFault::ExtraBytes(1_000_000));
    let err = updater
        .download_target(&info, &client.target_dir(), TARGETS_URL)
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Target(TargetError::Transport(TransportError::TooLarge { max_length, .. }))
                if *max_length == info.file.length
        ),
        "{err:?}"
    );
    assert!(listing(client.target_dir().dir()).is_empty());
}

// ---------------------------------------------------------------------------
// Slow retrieval (real HTTP, small timeouts)

fn http_updater(server: &FaultServer, client: &Client, config: tuf_client::HttpConfig) -> Updater {
    let mut u = Updater::new(
        &server.url("/metadata/"),
        Box::new(client.store()),
        Box::new(HttpTransport::new(config).unwrap()),
        UpdaterConfig::default(),
    );
    u.set_reference_time(common::reference_time());
    u
}

#[test]
fn slow_retrieval_stalled_timestamp_fails_the_refresh() {
    let repo = repo();
    let client = Client::new(&repo);
    let server = FaultServer::start().unwrap();
    serve_simulator(&server, &repo.sim());
    server.route(
        "/metadata/timestamp.json",
        Reply::Drip {
            body: published(&repo, "metadata/timestamp.json"),
            chunk: 1 << 20,
            pause: Duration::from_secs(600),
        },
    );
    let mut config = common::config();
    config.read_timeout = Duration::from_millis(300);
    let err = http_updater(&server, &client, config)
        .refresh()
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport(TransportError::TooSlow {
                phase: SlowPhase::Stall,
                ..
            })
        ),
        "{err:?}"
    );
    assert_eq!(client.stored("timestamp.json"), None);
}

#[test]
fn slow_retrieval_dripping_target_hits_the_deadline_and_is_discarded() {
    let repo = repo();
    {
        let mut sim = repo.sim();
        sim.add_target("targets", "big.bin", &[7u8; 1000]);
        sim.release(&["targets"]);
    }
    let client = Client::new(&repo);
    let server = FaultServer::start().unwrap();
    serve_simulator(&server, &repo.sim());
    let mut config = common::config();
    config.deadline_base = Duration::from_millis(400);
    config.min_bytes_per_second = std::num::NonZeroU64::new(1 << 30).unwrap();
    let mut updater = http_updater(&server, &client, config);
    let info = updater.get_targetinfo("big.bin").unwrap().unwrap();
    let path = format!("/targets/{}", info.file.hash_prefixed_paths("big.bin")[0]);
    server.route(
        &path,
        Reply::Drip {
            body: vec![7u8; 1000],
            chunk: 1,
            pause: Duration::from_millis(20),
        },
    );
    let err = updater
        .download_target(&info, &client.target_dir(), &server.url("/targets/"))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Target(TargetError::Transport(TransportError::TooSlow {
                phase: SlowPhase::Deadline,
                ..
            }))
        ),
        "{err:?}"
    );
    assert!(listing(client.target_dir().dir()).is_empty());
}

#[test]
fn target_names_with_url_delimiters_are_requested_percent_encoded() {
    // A target path is a URL path (F-52): `?` and `#` must not become a
    // query or a fragment (fetching another file), and a space or a
    // non-ASCII name must still make a valid request.
    let names = ["q?x", "h#x", "sp ace.txt", "\u{fc}.txt"];
    let repo = repo();
    {
        let mut sim = repo.sim();
        for name in names {
            sim.add_target("targets", name, name.as_bytes());
        }
        sim.release(&["targets"]);
    }
    let client = Client::new(&repo);
    let server = FaultServer::start().unwrap();
    serve_simulator(&server, &repo.sim());
    let mut updater = http_updater(&server, &client, common::config());
    let encoded = ["q%3Fx", "h%23x", "sp%20ace.txt", "%C3%BC.txt"];
    for (name, wire) in names.iter().zip(encoded) {
        let info = updater.get_targetinfo(name).unwrap().unwrap();
        let hash = info.file.hashes.get("sha256").unwrap().to_owned();
        // What a static file server holding `<hash>.<name>` answers to.
        server.route(
            &format!("/targets/{hash}.{wire}"),
            Reply::Body(name.as_bytes().to_vec()),
        );
        let local = updater
            .download_target(&info, &client.target_dir(), &server.url("/targets/"))
            .unwrap_or_else(|e| panic!("{name:?}: {e}"));
        assert_eq!(std::fs::read(local).unwrap(), name.as_bytes());
    }
}

// ---------------------------------------------------------------------------
// Mix and match

#[test]
fn mix_and_match_snapshot_from_another_release_is_rejected() {
    let repo = repo();
    let client = Client::new(&repo);
    repo.sim().release(&["targets"]);
    client.refresh().unwrap();
    let trusted = client.stored("snapshot.json").unwrap();
    let old = published(&repo, "metadata/2.snapshot.json");
    repo.sim().release(&["targets"]);
    repo.sim()
        .files
        .insert("metadata/3.snapshot.json".into(), old);
    assert_eq!(
        verify_err(client.refresh()),
        VerifyError::VersionMismatch {
            role: "snapshot".into(),
            expected: 3,
            got: 2
        }
    );
    assert_eq!(client.stored("snapshot.json").unwrap(), trusted);
}

#[test]
fn mix_and_match_snapshot_with_other_content_fails_the_timestamp_hashes() {
    let repo = repo();
    repo.sim().compute_metafile_hashes_length = true;
    repo.sim().release(&["targets"]);
    let client = Client::new(&repo);
    {
        // A snapshot of the same version, validly signed, listing other
        // targets: the timestamp's hashes pin the real one.
        let mut sim = repo.sim();
        let mut other = sim.snapshot.clone();
        other.signed.expires = ts("2099-01-01T00:00:00Z");
        sim.sign("snapshot", &mut other);
        sim.files
            .insert("metadata/2.snapshot.json".into(), other.to_bytes());
    }
    assert!(matches!(
        verify_err(client.refresh()),
        VerifyError::LengthOrHash { .. }
    ));
    assert_eq!(client.stored("snapshot.json"), None);
}

#[test]
fn mix_and_match_targets_from_another_release_fails_the_snapshot_hashes() {
    let repo = repo();
    repo.sim().compute_metafile_hashes_length = true;
    repo.sim().release(&["targets"]);
    let client = Client::new(&repo);
    {
        let mut sim = repo.sim();
        // Same version and length, validly signed, other content.
        let mut other = sim.targets["targets"].clone();
        other.signed.expires = ts("2099-01-01T00:00:00Z");
        sim.sign("targets", &mut other);
        sim.files
            .insert("metadata/2.targets.json".into(), other.to_bytes());
    }
    assert!(matches!(
        verify_err(client.refresh()),
        VerifyError::LengthOrHash { .. }
    ));
    assert_eq!(client.stored("targets.json"), None);
}

// ---------------------------------------------------------------------------
// Fast-forward attack and recovery (§5.3.11)

#[test]
fn fast_forward_attack_on_timestamp_is_recovered_by_rotating_its_key() {
    let repo = repo();
    let client = Client::new(&repo);
    client.refresh().unwrap();
    {
        // The attacker holds the timestamp key.
        let mut sim = repo.sim();
        sim.timestamp.signed.version = Version::new(1000).unwrap();
        sim.publish_timestamp();
    }
    client.refresh().unwrap();
    {
        let mut sim = repo.sim();
        sim.timestamp.signed.version = Version::new(2).unwrap();
        sim.publish_timestamp();
    }
    // Without recovery, the real timestamp looks like a rollback.
    assert!(matches!(
        verify_err(client.refresh()),
        VerifyError::Rollback { .. }
    ));
    {
        let mut sim = repo.sim();
        sim.rotate_keys(RoleType::Timestamp);
        sim.bump_root();
        sim.publish_timestamp();
    }
    client.refresh().unwrap();
    assert_eq!(
        client.stored("timestamp.json").unwrap(),
        published(&repo, "metadata/timestamp.json")
    );
}

/// The attacker, holding the timestamp and snapshot keys, makes the client
/// trust snapshot v1000 listing targets v1000.
fn fast_forward_snapshot(repo: &SimTransport, client: &Client) {
    client.refresh().unwrap();
    {
        let mut sim = repo.sim();
        sim.snapshot.signed.version = Version::new(1000).unwrap();
        sim.snapshot
            .signed
            .meta
            .get_mut("targets.json")
            .unwrap()
            .version = Version::new(1000).unwrap();
        sim.publish_snapshot();
        sim.timestamp.signed.version = Version::new(1000).unwrap();
        sim.publish_timestamp();
    }
    // The attacker cannot sign targets v1000, but snapshot v1000 is trusted.
    assert!(client.refresh().is_err());
    assert_eq!(
        client.stored("snapshot.json").unwrap(),
        published(repo, "metadata/1000.snapshot.json")
    );
}

/// The repository publishes a clean release 2 after rotating `rotated`.
fn recover(repo: &SimTransport, rotated: RoleType) {
    let mut sim = repo.sim();
    sim.rotate_keys(rotated);
    sim.bump_root();
    sim.snapshot.signed.version = Version::ONE;
    sim.timestamp.signed.version = Version::ONE;
    sim.targets.get_mut("targets").unwrap().signed.version = Version::ONE;
    sim.release(&["targets"]);
}

#[test]
fn fast_forward_attack_on_snapshot_is_recovered_by_rotating_its_key() {
    let repo = repo();
    let client = Client::new(&repo);
    fast_forward_snapshot(&repo, &client);
    recover(&repo, RoleType::Snapshot);
    client.refresh().unwrap();
    assert_eq!(
        client.stored("snapshot.json").unwrap(),
        published(&repo, "metadata/2.snapshot.json")
    );
    assert_eq!(
        client.stored("timestamp.json").unwrap(),
        published(&repo, "metadata/timestamp.json")
    );
}

#[test]
fn fast_forward_recovery_survives_a_refresh_interrupted_after_the_root_update() {
    let repo = repo();
    let client = Client::new(&repo);
    fast_forward_snapshot(&repo, &client);
    // Rotating the timestamp key alone must also discard the snapshot (§5.3.11).
    recover(&repo, RoleType::Timestamp);
    repo.fault("metadata/timestamp.json", SimFault::Drop);
    assert!(matches!(client.refresh(), Err(Error::MissingRemote { .. })));
    assert_eq!(
        client.stored("root.json").unwrap(),
        published(&repo, "metadata/2.root.json")
    );
    // Both were deleted with the root update, not left for a later step.
    assert_eq!(client.stored("timestamp.json"), None);
    assert_eq!(client.stored("snapshot.json"), None);
    repo.heal("metadata/timestamp.json");
    client.refresh().unwrap();
    assert_eq!(
        client.stored("snapshot.json").unwrap(),
        published(&repo, "metadata/2.snapshot.json")
    );
}

#[test]
fn fast_forward_recovery_survives_a_root_chain_broken_after_the_rotation() {
    let repo = repo();
    let client = Client::new(&repo);
    fast_forward_snapshot(&repo, &client);
    recover(&repo, RoleType::Timestamp);
    // Root v3 is broken (signed by a key root v2 does not trust).
    let good_v3 = {
        let mut sim = repo.sim();
        sim.bump_root();
        let good = sim.signed_root(3);
        let mut bad = sim.root.clone();
        let wrong = sim.signers["targets"].clone();
        sim.signers.insert("root".into(), wrong);
        sim.sign("root", &mut bad);
        sim.files
            .insert("metadata/3.root.json".into(), bad.to_bytes());
        good
    };
    assert!(client.refresh().is_err());
    assert_eq!(
        client.stored("root.json").unwrap(),
        published(&repo, "metadata/2.root.json")
    );
    repo.sim()
        .files
        .insert("metadata/3.root.json".into(), good_v3);
    client.refresh().unwrap();
    assert_eq!(
        client.stored("snapshot.json").unwrap(),
        published(&repo, "metadata/2.snapshot.json")
    );
}

// ---------------------------------------------------------------------------
// Key compromise and root rotation

#[test]
fn key_compromise_root_signed_only_by_a_new_key_is_rejected() {
    let repo = repo();
    let client = Client::new(&repo);
    publish_root_signed_only_by_a_new_key(&mut repo.sim());
    match verify_err(client.refresh()) {
        VerifyError::ThresholdNotMet { role, verified, .. } => {
            assert_eq!((role.as_str(), verified), ("root", 0));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        client.stored("root.json").unwrap(),
        published(&repo, "metadata/1.root.json")
    );
    assert_eq!(client.stored("timestamp.json"), None);
}

#[test]
fn root_rotation_chain_of_several_key_changes_is_followed_in_one_refresh() {
    let repo = repo();
    let client = Client::new(&repo);
    for _ in 0..3 {
        rotate_root_key(&mut repo.sim());
    }
    // Version 4's keys share nothing with version 1's.
    repo.sim().release(&[]);
    let mut updater = client.refresh().unwrap();
    assert_eq!(updater.trusted().unwrap().root().version.get(), 4);
    assert_eq!(
        client.stored("root.json").unwrap(),
        published(&repo, "metadata/4.root.json")
    );
    assert_eq!(
        repo.requests_under("metadata/")
            .into_iter()
            .filter(|p| p.ends_with(".root.json"))
            .collect::<Vec<_>>(),
        [2, 3, 4, 5].map(|v| format!("metadata/{v}.root.json"))
    );
    assert!(updater.get_targetinfo("x").unwrap().is_none());
}

/// A [`DirectoryStore`] that logs how `root.json` is written and synced.
struct RootLog {
    inner: tuf_client::DirectoryStore,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl tuf_client::MetadataStore for RootLog {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, tuf_client::StoreError> {
        self.inner.get(name)
    }
    fn put(&self, name: &str, bytes: &[u8]) -> Result<(), tuf_client::StoreError> {
        self.note(format!("put {name}"));
        self.inner.put(name, bytes)
    }
    fn put_in_series(&self, name: &str, bytes: &[u8]) -> Result<(), tuf_client::StoreError> {
        let version =
            tuf_core::metadata::Metadata::<tuf_core::metadata::Root>::from_bytes(bytes, "root")
                .map(|m| m.signed.version.get())
                .unwrap_or(0);
        self.note(format!("put_in_series {name} v{version}"));
        self.inner.put_in_series(name, bytes)
    }
    fn sync(&self) -> Result<(), tuf_client::StoreError> {
        self.note("sync".into());
        self.inner.sync()
    }
    fn remove(&self, name: &str) -> Result<(), tuf_client::StoreError> {
        self.inner.remove(name)
    }
    fn lock(&self) -> Result<tuf_client::RefreshLock, tuf_client::StoreError> {
        self.inner.lock()
    }
    fn stage(
        &self,
        name: &str,
        bytes: &[u8],
    ) -> Result<Option<Box<dyn tuf_client::StagedWrite + '_>>, tuf_client::StoreError> {
        self.inner.stage(name, bytes)
    }
}

impl RootLog {
    fn note(&self, entry: String) {
        if entry.contains("root") || entry == "sync" {
            self.log.lock().unwrap().push(entry);
        }
    }
}

/// The client's transport, logging root requests into a [`RootLog`]'s log.
struct RootFetchLog {
    inner: SimTransport,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl tuf_client::Transport for RootFetchLog {
    fn fetch(
        &self,
        url: &str,
        max_length: u64,
        sink: &mut dyn std::io::Write,
    ) -> Result<tuf_client::Fetched, TransportError> {
        if let Some(name) = url.strip_prefix(common::METADATA_URL)
            && name.ends_with(".root.json")
        {
            self.log.lock().unwrap().push(format!("fetch {name}"));
        }
        self.inner.fetch(url, max_length, sink)
    }
}

/// Refresh `client` through a [`RootLog`] and a [`RootFetchLog`]; the log
/// and the outcome.
fn refresh_logging_roots(client: &Client) -> (Vec<String>, Result<(), Error>) {
    let log = std::sync::Arc::default();
    let store = RootLog {
        inner: client.store(),
        log: std::sync::Arc::clone(&log),
    };
    let transport = RootFetchLog {
        inner: client.transport.clone(),
        log: std::sync::Arc::clone(&log),
    };
    let mut updater = Updater::new(
        common::METADATA_URL,
        Box::new(store),
        Box::new(transport),
        client.config.clone(),
    );
    updater.set_reference_time(common::reference_time());
    let result = updater.refresh();
    let log = log.lock().unwrap().clone();
    (log, result)
}

#[test]
fn root_chain_persists_every_root_before_the_next_and_syncs_once_at_the_end() {
    // §5.3.8 / W-14: each root in place before the next is fetched (the
    // transport's log shows the order); the directory flushed once.
    let repo = repo();
    let client = Client::new(&repo);
    for _ in 0..3 {
        rotate_root_key(&mut repo.sim());
    }
    repo.sim().release(&[]);
    let (log, result) = refresh_logging_roots(&client);
    result.unwrap();
    assert_eq!(
        log,
        [
            "fetch 2.root.json",
            "put_in_series root.json v2",
            "fetch 3.root.json",
            "put_in_series root.json v3",
            "fetch 4.root.json",
            "put_in_series root.json v4",
            "fetch 5.root.json",
            "sync"
        ]
    );
    assert_eq!(
        client.stored("root.json").unwrap(),
        published(&repo, "metadata/4.root.json")
    );
}

#[test]
fn root_chain_without_a_new_root_writes_and_flushes_nothing() {
    // The directory flush is for roots this refresh put in place; with none
    // it would only cost a refresh its time (ADR 0008).
    let repo = repo();
    let client = Client::new(&repo);
    let (log, result) = refresh_logging_roots(&client);
    result.unwrap();
    assert_eq!(log, ["fetch 2.root.json"]);
}

#[test]
fn root_chain_broken_midway_still_syncs_the_last_good_root() {
    let repo = repo();
    let client = Client::new(&repo);
    rotate_root_key(&mut repo.sim());
    publish_root_signed_only_by_a_new_key(&mut repo.sim());
    let (log, result) = refresh_logging_roots(&client);
    assert!(matches!(
        verify_err(result),
        VerifyError::ThresholdNotMet { .. }
    ));
    assert_eq!(
        log,
        [
            "fetch 2.root.json",
            "put_in_series root.json v2",
            "fetch 3.root.json",
            "sync"
        ]
    );
    assert_eq!(
        client.stored("root.json").unwrap(),
        published(&repo, "metadata/2.root.json")
    );
}

#[test]
fn key_compromise_bad_root_mid_chain_keeps_the_last_good_root() {
    let repo = repo();
    let client = Client::new(&repo);
    rotate_root_key(&mut repo.sim());
    publish_root_signed_only_by_a_new_key(&mut repo.sim());
    assert!(matches!(
        verify_err(client.refresh()),
        VerifyError::ThresholdNotMet { .. }
    ));
    assert_eq!(
        client.stored("root.json").unwrap(),
        published(&repo, "metadata/2.root.json")
    );
    repo.clear_requests();
    assert!(client.refresh().is_err());
    assert_eq!(repo.requests(), ["metadata/3.root.json"]);
}

#[test]
fn root_served_under_another_version_number_is_rejected() {
    let repo = repo();
    let client = Client::new(&repo);
    repo.sim().bump_root();
    repo.sim().bump_root();
    let v3 = published(&repo, "metadata/3.root.json");
    repo.sim().files.insert("metadata/2.root.json".into(), v3);
    assert_eq!(
        verify_err(client.refresh()),
        VerifyError::VersionMismatch {
            role: "root".into(),
            expected: 2,
            got: 3
        }
    );
}

#[test]
fn root_rotation_stops_at_256_versions_per_refresh() {
    let repo = repo();
    let client = Client::new(&repo);
    for _ in 0..259 {
        repo.sim().bump_root();
    }
    let updater = client.refresh().unwrap();
    assert_eq!(updater.trusted().unwrap().root().version.get(), 257);
    let roots: Vec<String> = repo
        .requests()
        .into_iter()
        .filter(|p| p.ends_with(".root.json"))
        .collect();
    assert_eq!(roots.len(), 256);
    assert_eq!(roots.last().unwrap(), "metadata/257.root.json");
    // The next refresh carries on from there.
    repo.clear_requests();
    let updater = client.refresh().unwrap();
    assert_eq!(updater.trusted().unwrap().root().version.get(), 260);
}

// ---------------------------------------------------------------------------
// Thresholds and duplicate signatures

/// Targets needs 2 of 2 keys; returns the repository after a good release.
fn repo_with_targets_threshold_2() -> SimTransport {
    let repo = repo();
    {
        let mut sim = repo.sim();
        sim.add_key(RoleType::Targets);
        sim.root
            .signed
            .set_threshold(RoleType::Targets, Threshold::new(2).unwrap());
        sim.bump_root();
        sim.release(&["targets"]);
    }
    repo
}

#[test]
fn wrong_threshold_one_of_two_required_signatures_is_rejected() {
    let repo = repo_with_targets_threshold_2();
    let client = Client::new(&repo);
    client.refresh().unwrap();
    repo.sim().signers.get_mut("targets").unwrap().pop();
    repo.sim().release(&["targets"]);
    assert_eq!(
        verify_err(client.refresh()),
        VerifyError::ThresholdNotMet {
            role: "targets".into(),
            verified: 1,
            threshold: 2
        }
    );
}

#[test]
fn duplicate_signatures_by_one_key_do_not_meet_a_threshold_of_two() {
    let repo = repo_with_targets_threshold_2();
    let client = Client::new(&repo);
    client.refresh().unwrap();
    let trusted = client.stored("targets.json").unwrap();
    {
        let mut sim = repo.sim();
        sim.bump("targets");
        let mut md = sim.targets["targets"].clone();
        let key = sim.signers["targets"][0].clone();
        md.sign(key.as_ref(), false).unwrap();
        let dup = md.signatures[0].clone();
        md.signatures.push(dup);
        release_targets_as(&mut sim, &md);
    }
    assert!(matches!(
        client.refresh(),
        Err(Error::Repository(
            tuf_core::Error::Format(_)
                | tuf_core::Error::Verify(VerifyError::ThresholdNotMet { .. })
        ))
    ));
    assert_eq!(client.stored("targets.json").unwrap(), trusted);
}

#[test]
fn one_key_listed_under_two_keyids_counts_once_toward_the_threshold() {
    let repo = repo();
    let client = Client::new(&repo);
    {
        let mut sim = repo.sim();
        let key = sim.signers["targets"][0].clone();
        let alias = tuf_core::metadata::KeyId::new("alias-of-the-targets-key");
        sim.root
            .signed
            .add_key_with_id(RoleType::Targets, alias.clone(), key.public_key());
        sim.root
            .signed
            .set_threshold(RoleType::Targets, Threshold::new(2).unwrap());
        sim.bump_root();
        sim.bump("targets");
        let mut md = sim.targets["targets"].clone();
        md.sign(key.as_ref(), false).unwrap();
        md.sign_as(key.as_ref(), alias, true).unwrap();
        release_targets_as(&mut sim, &md);
    }
    match verify_err(client.refresh()) {
        VerifyError::ThresholdNotMet {
            verified,
            threshold,
            ..
        } => assert_eq!((verified, threshold), (1, 2)),
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Delegations

fn role_requests(repo: &SimTransport, role: &str) -> usize {
    let suffix = format!(".{}.json", encode_role_name(role));
    repo.requests()
        .iter()
        .filter(|p| p.ends_with(&suffix))
        .count()
}

#[test]
fn delegation_priority_first_matching_role_wins_and_later_roles_are_never_fetched() {
    let repo = repo();
    {
        let mut sim = repo.sim();
        sim.delegate_paths("targets", "A", &["*"], false);
        sim.delegate_paths("targets", "B", &["*"], false);
        sim.add_target("A", "f.txt", b"from A");
        sim.add_target("B", "f.txt", b"from B, an attacker holding B's key");
        sim.release(&["targets", "A", "B"]);
    }
    let client = Client::new(&repo);
    let mut updater = client.updater();
    let info = updater.get_targetinfo("f.txt").unwrap().unwrap();
    assert_eq!(info.role_path, ["targets", "A"]);
    assert_eq!(client.download(&mut updater, "f.txt").unwrap(), b"from A");
    assert_eq!(role_requests(&repo, "B"), 0);
}

#[test]
fn delegation_terminating_role_hides_every_later_role() {
    // targets -> A -> C (terminating, lists nothing); targets -> B (lists f.txt).
    let repo = repo();
    {
        let mut sim = repo.sim();
        sim.delegate_paths("targets", "A", &["*"], false);
        sim.delegate_paths("targets", "B", &["*"], false);
        sim.delegate_paths("A", "C", &["*"], true);
        sim.delegate_paths("A", "D", &["*"], false);
        sim.add_target("B", "f.txt", b"from B");
        sim.add_target("D", "f.txt", b"from D");
        sim.release(&["targets", "A", "B", "C", "D"]);
    }
    let client = Client::new(&repo);
    assert_eq!(client.updater().get_targetinfo("f.txt").unwrap(), None);
    assert_eq!(role_requests(&repo, "C"), 1);
    // Neither C's sibling nor its parent's sibling is considered.
    assert_eq!(role_requests(&repo, "D"), 0);
    assert_eq!(role_requests(&repo, "B"), 0);
    assert!(repo.requests_under("targets/").is_empty());
}

#[test]
fn delegation_non_terminating_role_lets_the_search_go_on() {
    let repo = repo();
    {
        let mut sim = repo.sim();
        sim.delegate_paths("targets", "A", &["*"], false);
        sim.delegate_paths("targets", "B", &["*"], false);
        sim.add_target("B", "f.txt", b"from B");
        sim.release(&["targets", "A", "B"]);
    }
    let client = Client::new(&repo);
    let info = client.updater().get_targetinfo("f.txt").unwrap().unwrap();
    assert_eq!(info.role_path, ["targets", "B"]);
}

#[test]
fn delegation_cycle_back_to_a_visited_role_is_not_followed() {
    let repo = repo();
    {
        let mut sim = repo.sim();
        sim.delegate_paths("targets", "A", &["*"], false);
        sim.delegate_paths("A", "B", &["*"], false);
        // B delegates back to A, and to C, which lists the target.
        let a = tuf_core::metadata::DelegatedRole::new(
            "A",
            Threshold::ONE,
            false,
            PathScope::Paths(vec!["*".into()]),
        )
        .unwrap();
        let a_key = sim.signers["A"][0].public_key();
        let delegations = sim
            .targets
            .get_mut("B")
            .unwrap()
            .signed
            .delegations
            .get_or_insert_with(|| {
                tuf_core::metadata::Delegations::with_roles(Default::default(), Vec::new()).unwrap()
            });
        delegations.add_role(a).unwrap();
        delegations.add_key("A", a_key).unwrap();
        sim.delegate_paths("B", "C", &["*"], false);
        sim.add_target("C", "f.txt", b"from C");
        sim.release(&["targets", "A", "B", "C"]);
    }
    let client = Client::new(&repo);
    let info = client.updater().get_targetinfo("f.txt").unwrap().unwrap();
    assert_eq!(info.role_path, ["targets", "A", "B", "C"]);
    assert_eq!(role_requests(&repo, "A"), 1);
    assert_eq!(role_requests(&repo, "B"), 1);
}

#[test]
fn delegation_chain_beyond_max_delegations_is_not_followed() {
    let repo = repo();
    {
        let mut sim = repo.sim();
        let names: Vec<String> = (0..6).map(|i| format!("d{i}")).collect();
        let mut parent = "targets".to_owned();
        for name in &names {
            sim.delegate_paths(&parent, name, &["*"], false);
            parent = name.clone();
        }
        sim.add_target(&parent, "f.txt", b"deep");
        let mut all: Vec<&str> = names.iter().map(String::as_str).collect();
        all.push("targets");
        sim.release(&all);
    }
    let mut client = Client::new(&repo);
    client.config.max_delegations = 3;
    assert_eq!(client.updater().get_targetinfo("f.txt").unwrap(), None);
    assert_eq!(role_requests(&repo, "d3"), 0, "{:?}", repo.requests());
    client.config.max_delegations = 6;
    assert!(client.updater().get_targetinfo("f.txt").unwrap().is_some());
}

#[test]
fn delegated_role_missing_from_snapshot_is_an_error_and_never_requested() {
    let repo = repo_with_delegation();
    {
        let mut sim = repo.sim();
        sim.snapshot.signed.meta.remove("role1.json");
        // A fresh snapshot lineage, so the removal is not a §5.5.5 violation
        // for a new client.
        sim.bump("snapshot");
        sim.publish_snapshot();
        sim.bump("timestamp");
        sim.publish_timestamp();
    }
    let client = Client::new(&repo);
    assert!(matches!(
        verify_err(client.updater().get_targetinfo("role1/x.txt")),
        VerifyError::MissingMeta { .. }
    ));
    assert_eq!(role_requests(&repo, "role1"), 0);
    assert_eq!(client.stored("role1.json"), None);
}

// ---------------------------------------------------------------------------
// Path traversal in role and target names

#[test]
fn path_traversal_in_role_names_stays_inside_the_metadata_directory() {
    let names = ["../evil", "/abs", "..", "q?x", "h#x", "a/../../b"];
    let repo = repo();
    {
        let mut sim = repo.sim();
        for (i, name) in names.iter().enumerate() {
            let pattern = format!("{i}/*");
            sim.delegate_paths("targets", name, &[pattern.as_str()], false);
            sim.add_target(name, &format!("{i}/t"), name.as_bytes());
        }
        let mut all: Vec<&str> = names.to_vec();
        all.push("targets");
        sim.release(&all);
    }
    let client = Client::new(&repo);
    let mut updater = client.updater();
    for (i, name) in names.iter().enumerate() {
        let info = updater.get_targetinfo(&format!("{i}/t")).unwrap().unwrap();
        assert_eq!(info.role_path, ["targets", name]);
        let encoded = encode_role_name(name);
        assert!(
            repo.requests()
                .contains(&format!("metadata/2.{encoded}.json")),
            "{name}: {:?}",
            repo.requests()
        );
    }
    let mut expected: Vec<String> = names
        .iter()
        .map(|n| format!("{}.json", encode_role_name(n)))
        .chain(
            [
                ".lock",
                "root.json",
                "snapshot.json",
                "targets.json",
                "timestamp.json",
            ]
            .map(String::from),
        )
        .collect();
    expected.sort();
    assert_eq!(listing(&client.metadata_dir()), expected);
    assert_eq!(listing(client.tmp.path()), ["metadata"]);
}

#[test]
fn path_traversal_in_target_names_stays_inside_the_target_directory() {
    let names = ["../x", "/y", "a/../../z", "q?x", "h#x", ".."];
    let repo = repo();
    {
        let mut sim = repo.sim();
        for name in names {
            sim.add_target("targets", name, name.as_bytes());
        }
        sim.release(&["targets"]);
    }
    let client = Client::new(&repo);
    let mut updater = client.updater();
    for name in names {
        assert_eq!(
            client.download(&mut updater, name).unwrap(),
            name.as_bytes()
        );
    }
    let mut expected: Vec<String> = names
        .iter()
        .map(|n| tuf_client::target_file_name(n).unwrap())
        .collect();
    expected.sort();
    assert_eq!(listing(client.target_dir().dir()), expected);
    let mut top = listing(client.tmp.path());
    top.sort();
    assert_eq!(top, ["metadata", "targets"]);
}

// ---------------------------------------------------------------------------
// Steady state: unchanged timestamp, implicit refresh, cached targets

#[cfg(unix)]
fn inode(path: &std::path::Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).unwrap().ino()
}

#[test]
fn unchanged_timestamp_requests_nothing_more_and_rewrites_nothing() {
    let repo = repo_with_target();
    let client = Client::new(&repo);
    client.refresh().unwrap();
    let names = [
        "root.json",
        "timestamp.json",
        "snapshot.json",
        "targets.json",
    ];
    let before: Vec<Vec<u8>> = names.iter().map(|n| client.stored(n).unwrap()).collect();
    #[cfg(unix)]
    let inodes: Vec<u64> = names
        .iter()
        .map(|n| inode(&client.metadata_dir().join(n)))
        .collect();
    repo.clear_requests();
    let mut updater = client.refresh().unwrap();
    assert_eq!(
        repo.requests(),
        ["metadata/2.root.json", "metadata/timestamp.json"]
    );
    let after: Vec<Vec<u8>> = names.iter().map(|n| client.stored(n).unwrap()).collect();
    assert_eq!(before, after);
    #[cfg(unix)]
    for (name, ino) in names.iter().zip(inodes) {
        assert_eq!(
            inode(&client.metadata_dir().join(name)),
            ino,
            "{name} rewritten"
        );
    }
    assert!(updater.get_targetinfo("a.txt").unwrap().is_some());
}

#[test]
fn timestamp_with_the_same_version_but_other_content_is_ignored() {
    let repo = repo_with_target();
    let client = Client::new(&repo);
    client.refresh().unwrap();
    let trusted = client.stored("timestamp.json").unwrap();
    {
        // Same version, advertising a snapshot that does not exist.
        let mut sim = repo.sim();
        let mut meta = sim.timestamp.signed.snapshot_meta().clone();
        meta.version = Version::new(100).unwrap();
        sim.timestamp.signed.set_snapshot_meta(meta);
        sim.publish_timestamp();
    }
    repo.clear_requests();
    client.refresh().unwrap();
    assert_eq!(client.stored("timestamp.json").unwrap(), trusted);
    assert!(repo.requests_under("metadata/100.").is_empty());
}

#[test]
fn get_targetinfo_refreshes_implicitly() {
    let repo = repo_with_target();
    let client = Client::new(&repo);
    let mut updater = client.updater();
    assert!(updater.trusted().is_none());
    let info = updater.get_targetinfo("a.txt").unwrap().unwrap();
    assert_eq!(info.file.length, 12);
    assert_eq!(
        repo.requests(),
        [
            "metadata/2.root.json",
            "metadata/timestamp.json",
            "metadata/2.snapshot.json",
            "metadata/2.targets.json"
        ]
    );
    assert!(client.stored("targets.json").is_some());
}

#[test]
fn cached_target_is_reused_without_a_second_request() {
    let repo = repo_with_target();
    let client = Client::new(&repo);
    let mut updater = client.updater();
    client.download(&mut updater, "a.txt").unwrap();
    client.download(&mut updater, "a.txt").unwrap();
    let mut again = client.updater();
    assert_eq!(
        client.download(&mut again, "a.txt").unwrap(),
        b"hello, world"
    );
    assert_eq!(repo.requests_under("targets/").len(), 1);
}

#[test]
fn corrupted_cached_target_is_downloaded_again() {
    let repo = repo_with_target();
    let client = Client::new(&repo);
    let mut updater = client.updater();
    let path = {
        let info = updater.get_targetinfo("a.txt").unwrap().unwrap();
        updater
            .download_target(&info, &client.target_dir(), TARGETS_URL)
            .unwrap()
    };
    std::fs::write(&path, b"hello, w0rld").unwrap();
    assert_eq!(
        client.download(&mut updater, "a.txt").unwrap(),
        b"hello, world"
    );
    assert_eq!(repo.requests_under("targets/").len(), 2);
}

#[test]
fn stale_cached_target_is_replaced_by_the_new_release() {
    let repo = repo_with_target();
    let client = Client::new(&repo);
    client.download(&mut client.updater(), "a.txt").unwrap();
    {
        let mut sim = repo.sim();
        sim.add_target("targets", "a.txt", b"hello, world v2");
        sim.release(&["targets"]);
    }
    assert_eq!(
        client.download(&mut client.updater(), "a.txt").unwrap(),
        b"hello, world v2"
    );
}

// ---------------------------------------------------------------------------
// URL forms

#[test]
fn consistent_snapshot_urls_are_versioned_and_targets_hash_prefixed() {
    let repo = repo_with_delegation();
    repo.sim().add_target("targets", "dir/a.txt", b"nested");
    repo.sim().release(&["targets"]);
    let client = Client::new(&repo);
    let mut updater = client.updater();
    client.download(&mut updater, "dir/a.txt").unwrap();
    client.download(&mut updater, "role1/x.txt").unwrap();
    let sha = |data: &[u8]| {
        tuf_core::metadata::TargetFile::from_bytes(data, &["sha256"])
            .unwrap()
            .hashes
            .get("sha256")
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        repo.requests(),
        [
            "metadata/2.root.json".to_owned(),
            "metadata/timestamp.json".into(),
            "metadata/3.snapshot.json".into(),
            "metadata/3.targets.json".into(),
            format!("targets/dir/{}.a.txt", sha(b"nested")),
            "metadata/2.role1.json".into(),
            format!("targets/role1/{}.x.txt", sha(b"delegated content")),
        ]
    );
    assert_eq!(updater.consistent_snapshot(), Some(true));
}

#[test]
fn non_consistent_snapshot_urls_are_plain_except_for_roots() {
    let repo = repo();
    {
        let mut sim = repo.sim();
        sim.root.signed.consistent_snapshot = Some(false);
        sim.publish_root();
        sim.files.retain(|p, _| !p.starts_with("metadata/1."));
        sim.publish_root();
        sim.delegate_paths("targets", "role1", &["role1/*"], false);
        sim.add_target("role1", "role1/x.txt", b"delegated content");
        sim.release(&["targets", "role1"]);
        sim.bump_root();
    }
    let client = Client::new(&repo);
    let mut updater = client.updater();
    client.download(&mut updater, "role1/x.txt").unwrap();
    assert_eq!(
        repo.requests(),
        [
            "metadata/2.root.json",
            "metadata/3.root.json",
            "metadata/timestamp.json",
            "metadata/snapshot.json",
            "metadata/targets.json",
            "metadata/role1.json",
            "targets/role1/x.txt",
        ]
    );
    assert_eq!(updater.consistent_snapshot(), Some(false));
}

#[test]
fn prefix_targets_with_hash_off_requests_plain_target_paths() {
    let repo = repo_with_target();
    let mut client = Client::new(&repo);
    client.config.prefix_targets_with_hash = false;
    client.download(&mut client.updater(), "a.txt").unwrap();
    assert_eq!(repo.requests_under("targets/"), ["targets/a.txt"]);
}
