//! `tuf demo`: the built-in default job, end to end on this machine.
//!
//! 1. Creates a repository in a temporary directory with `tuf-repo`: keys of
//!    every supported type, a threshold-2 root, a delegation by path and TAP
//!    15 hashed bins below it, targets in each.
//! 2. Serves it on loopback (an ephemeral port) like `tuf serve`.
//! 3. Runs the real client (`tuf-client`: HTTP, the spec §5 workflow, a
//!    metadata directory, verified downloads), printing what each step verified.
//! 4. Plays attacker: a tampered target and a frozen (stale) repository are
//!    refused.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use tuf_client::{
    DirectoryStore, HttpConfig, HttpTransport, MetadataStore, TargetDirectory, Updater,
    UpdaterConfig,
};
use tuf_core::crypto::{KeySpec, RsaScheme};
use tuf_core::metadata::{PathScope, Threshold};
use tuf_repo::{BinsSpec, DelegationSpec, InitOptions, KeyStore, Repository, RoleKeySetup};

/// Arguments of `tuf demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct DemoArgs {
    /// Keep the repository, keys and client directories here instead of a
    /// temporary directory that is removed at the end.
    #[arg(long)]
    keep: Option<std::path::PathBuf>,
}

const TARGETS: &[(&str, &[u8])] = &[
    ("README.txt", b"Welcome to the demo repository.\n"),
    ("docs/guide.md", b"# Guide\nUpdate securely.\n"),
    ("packages/tool-1.0.tgz", b"pretend this is a tarball"),
    ("packages/lib-2.3.tgz", b"another pretend tarball"),
];

fn setup(keys: Vec<KeySpec>, threshold: u32) -> RoleKeySetup {
    RoleKeySetup {
        keys,
        threshold: Threshold::new(threshold).expect("threshold >= 1"),
    }
}

impl DemoArgs {
    pub(crate) fn run(self) -> Result<()> {
        let started = Instant::now();
        let tmp = tempfile::tempdir().context("creating a temporary directory")?;
        let base = self
            .keep
            .clone()
            .unwrap_or_else(|| tmp.path().to_path_buf());
        let (repo_dir, keys_dir) = (base.join("repo"), base.join("keys"));
        let rsa = |scheme| KeySpec::Rsa { bits: 2048, scheme };

        println!("1. Creating a repository in {}", repo_dir.display());
        let options = InitOptions {
            root: setup(
                vec![
                    KeySpec::Ed25519,
                    KeySpec::EcdsaP256,
                    rsa(RsaScheme::PssSha256),
                ],
                2,
            ),
            timestamp: setup(vec![KeySpec::EcdsaP384], 1),
            snapshot: setup(vec![rsa(RsaScheme::Pkcs1v15Sha256)], 1),
            targets: setup(vec![KeySpec::Ed25519], 1),
            ..InitOptions::default()
        };
        let mut repo = Repository::init(&repo_dir, &keys_dir, options)?;
        let mut keystore = KeyStore::open(&keys_dir)?;
        for role in ["root", "timestamp", "snapshot", "targets"] {
            repo.load_signers(&keystore, role, None)?;
            let schemes: Vec<String> = keystore
                .entries(role)
                .iter()
                .map(|e| e.public.scheme.clone())
                .collect();
            println!("   {role:<10} {}", schemes.join(", "));
        }
        let (_, docs_key) = keystore.generate("docs", KeySpec::EcdsaP521, None)?;
        let (_, pkg_key) = keystore.generate("packages", rsa(RsaScheme::PssSha512), None)?;
        let (_, bins_key) = keystore.generate("bins", KeySpec::Ed25519, None)?;
        println!(
            "   {:<10} {}\n   {:<10} {}\n   {:<10} {} (16 hashed bins)",
            "docs", docs_key.scheme, "packages", pkg_key.scheme, "bins", bins_key.scheme
        );
        for role in ["docs", "packages", "bins"] {
            repo.load_signers(&keystore, role, None)?;
        }
        let delegate = |name: &str, pattern: &str, key| DelegationSpec {
            name: name.into(),
            scope: PathScope::Paths(vec![pattern.into()]),
            threshold: Threshold::ONE,
            terminating: true,
            keys: vec![key],
        };
        repo.add_delegation("targets", delegate("docs", "docs/*", docs_key))?;
        repo.add_delegation("targets", delegate("packages", "packages/*", pkg_key))?;
        let bins = BinsSpec {
            bit_length: 4,
            name_prefix: "bin".into(),
            threshold: Threshold::ONE,
            keys: vec![bins_key],
        };
        repo.add_succinct_bins("packages", bins)?;
        for (path, content) in TARGETS {
            let file = repo.targets_dir().join(path);
            std::fs::create_dir_all(file.parent().expect("below targets/"))?;
            std::fs::write(&file, content)?;
            let added = repo.add_target_file(&file, None)?;
            println!("   target {path} -> role {}", added.role);
        }
        let report = repo.publish()?;
        println!(
            "   published: {} targets roles, snapshot v{}, timestamp v{}",
            report.targets.len(),
            report.snapshot.unwrap_or(0),
            report.timestamp.unwrap_or(0)
        );

        println!("2. Serving it on loopback");
        let server = Arc::new(
            tiny_http::Server::http("127.0.0.1:0")
                .map_err(|e| anyhow::anyhow!("cannot listen on loopback: {e}"))?,
        );
        let addr = server.server_addr().to_ip().context("an IP listener")?;
        let root = repo_dir.canonicalize()?;
        let thread = {
            let server = server.clone();
            std::thread::spawn(move || super::serve::serve_files(&server, &root))
        };
        let url = format!("http://{addr}");
        println!("   {url}/metadata/ and {url}/targets/");

        let result = run_client(&base, &repo_dir, &url);
        server.unblock();
        let _ = thread.join();
        result?;
        println!(
            "Done in {:.2?}: every signature, threshold, version, length, hash and expiry was checked.",
            started.elapsed()
        );
        if self.keep.is_some() {
            println!("Kept everything in {}", base.display());
        }
        Ok(())
    }
}

fn updater(metadata_dir: &Path, url: &str) -> Result<Updater> {
    let store = DirectoryStore::new(metadata_dir)?;
    Ok(Updater::new(
        &format!("{url}/metadata/"),
        Box::new(store),
        Box::new(HttpTransport::new(HttpConfig::default())?),
        UpdaterConfig::default(),
    ))
}

fn trust_root(metadata_dir: &Path, repo_dir: &Path) -> Result<()> {
    let root = std::fs::read(repo_dir.join("metadata/1.root.json"))?;
    DirectoryStore::new(metadata_dir)?.put("root.json", &root)?;
    Ok(())
}

fn run_client(base: &Path, repo_dir: &Path, url: &str) -> Result<()> {
    println!("3. Running the client against it");
    let metadata_dir = base.join("client/metadata");
    trust_root(&metadata_dir, repo_dir)?;
    println!("   trusted root: metadata/1.root.json (shipped out of band)");
    let mut client = updater(&metadata_dir, url)?;
    client.refresh()?;
    let t = client.trusted().expect("refreshed");
    println!(
        "   refresh: root v{} (2 of 3 signatures), timestamp v{}, snapshot v{}, targets v{}: signatures, versions, hashes and expiry verified",
        t.root().version,
        t.timestamp().map(|m| m.version.get()).unwrap_or(0),
        t.snapshot().map(|m| m.version.get()).unwrap_or(0),
        t.targets().map(|m| m.version.get()).unwrap_or(0),
    );
    let downloads = TargetDirectory::new(base.join("client/targets"))?;
    for (path, content) in TARGETS {
        let info = client
            .get_targetinfo(path)?
            .with_context(|| format!("{path}: not in trusted metadata"))?;
        let local = client.download_target(&info, &downloads, &format!("{url}/targets/"))?;
        if std::fs::read(&local)? != *content {
            bail!("{path}: downloaded bytes differ");
        }
        println!(
            "   {path}: {} bytes, sha256 verified, trusted via {}",
            info.file.length,
            info.role_path.join(" -> ")
        );
    }

    println!("4. Playing attacker");
    // Replace a published target (every hash-prefixed copy) with other bytes.
    let victim = "packages/tool-1.0.tgz";
    let info = client.get_targetinfo(victim)?.context("listed")?;
    for copy in info.file.hash_prefixed_paths(victim) {
        std::fs::write(
            repo_dir.join("targets").join(copy),
            b"pretend this is malware!!",
        )?;
    }
    let fresh = TargetDirectory::new(base.join("client/fresh-targets"))?;
    match client.download_target(&info, &fresh, &format!("{url}/targets/")) {
        Err(e) => println!("   tampered target refused, nothing written: {e}"),
        Ok(_) => bail!("a tampered target was accepted"),
    }
    // A repository that stops updating: two days later its timestamp has expired.
    let frozen_dir = base.join("client/frozen-metadata");
    trust_root(&frozen_dir, repo_dir)?;
    let mut frozen = updater(&frozen_dir, url)?;
    let later = tuf_core::DateTime::from_unix(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs() as i64
            + 2 * 86_400,
    );
    frozen.set_reference_time(later);
    match frozen.refresh() {
        Err(e) => println!("   freeze attack (stale metadata two days later) refused: {e}"),
        Ok(()) => bail!("stale metadata was accepted"),
    }
    Ok(())
}
