//! `tuf demo`: the built-in default job. Generates keys of every supported
//! type, builds and signs a small repository (delegations and TAP 15 hashed
//! bins included), then verifies it exactly as a client does, through the
//! trusted-metadata state machine, printing what each step verified. It also
//! shows two attacks being refused. Everything happens in memory.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use tuf_core::crypto::{KeySpec, PrivateKey, RsaScheme, Signer};
use tuf_core::metadata::{
    DelegatedRole, Delegations, MetaFile, Metadata, PathScope, RoleType, Root, SignedMeta,
    Snapshot, SuccinctRoles, TargetFile, Targets, Threshold, Timestamp, encode_role_name,
};
use tuf_core::trust::{Origin, SearchStep, TargetSearch};
use tuf_core::{DateTime, TrustedMetadataSet};

/// Arguments of `tuf demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct DemoArgs {
    /// RSA modulus size for the RSA keys (2048, 3072 or 4096).
    #[arg(long, default_value_t = 2048)]
    rsa_bits: u32,
}

struct Role {
    name: String,
    signers: Vec<PrivateKey>,
}

fn key(spec: KeySpec) -> Result<PrivateKey> {
    PrivateKey::generate(spec).with_context(|| format!("generating a {spec:?} key"))
}

fn sign<T: SignedMeta>(signed: T, role: &Role) -> Result<Vec<u8>> {
    let mut md = Metadata::new(signed);
    for s in &role.signers {
        md.sign(s, true)
            .with_context(|| format!("signing {}", role.name))?;
    }
    Ok(md.to_bytes())
}

fn describe(signers: &[PrivateKey]) -> String {
    signers
        .iter()
        .map(|s| s.public_key().scheme)
        .collect::<Vec<_>>()
        .join(", ")
}

impl DemoArgs {
    pub(crate) fn run(self) -> Result<()> {
        let started = Instant::now();
        let now = DateTime::parse("2026-01-01T00:00:00Z").expect("constant");
        let expires = now.plus_days(365);
        let rsa = |scheme| KeySpec::Rsa {
            bits: self.rsa_bits,
            scheme,
        };

        println!("1. Generating keys of every supported type");
        let root = Role {
            name: "root".into(),
            signers: vec![
                key(KeySpec::Ed25519)?,
                key(KeySpec::EcdsaP256)?,
                key(rsa(RsaScheme::PssSha256))?,
            ],
        };
        let timestamp = Role {
            name: "timestamp".into(),
            signers: vec![key(KeySpec::EcdsaP384)?],
        };
        let snapshot = Role {
            name: "snapshot".into(),
            signers: vec![
                key(rsa(RsaScheme::Pkcs1v15Sha256))?,
                key(rsa(RsaScheme::PssSha512))?,
            ],
        };
        let targets = Role {
            name: "targets".into(),
            signers: vec![key(KeySpec::Ed25519)?],
        };
        let docs = Role {
            name: "docs".into(),
            signers: vec![key(KeySpec::EcdsaP256)?],
        };
        let packages = Role {
            name: "packages".into(),
            signers: vec![key(rsa(RsaScheme::PssSha384))?],
        };
        let bins_key = key(KeySpec::Ed25519)?;
        for r in [&root, &timestamp, &snapshot, &targets, &docs, &packages] {
            println!("   {:<10} {}", r.name, describe(&r.signers));
        }
        println!(
            "   {:<10} {} (shared by 8 hashed bins)",
            "bins",
            bins_key.public_key().scheme
        );

        println!("2. Building and signing the repository");
        let mut root_md = Root::new(expires);
        for (role, r) in [
            (RoleType::Root, &root),
            (RoleType::Timestamp, &timestamp),
            (RoleType::Snapshot, &snapshot),
            (RoleType::Targets, &targets),
        ] {
            for s in &r.signers {
                root_md.add_key(role, s.public_key());
            }
        }
        root_md.set_threshold(RoleType::Root, Threshold::new(2).expect("2 > 0"));
        root_md.set_threshold(RoleType::Snapshot, Threshold::new(2).expect("2 > 0"));

        let contents: BTreeMap<&str, &[u8]> = BTreeMap::from([
            ("README.txt", &b"Welcome to the demo repository.\n"[..]),
            ("docs/guide.md", b"# Guide\nUpdate securely.\n"),
            ("packages/tool-1.0.tgz", b"pretend this is a tarball"),
            ("packages/lib-2.3.tgz", b"another pretend tarball"),
        ]);
        let info = |path: &str| {
            TargetFile::from_bytes(contents[path], &["sha256", "sha512"])
                .context("hashing a target")
        };

        let bins = SuccinctRoles::new(Threshold::ONE, 3, "bin").map_err(anyhow::Error::msg)?;
        let mut bin_targets: BTreeMap<String, Targets> = bins
            .bin_names()
            .map(|n| (n, Targets::new(expires)))
            .collect();
        for path in ["packages/tool-1.0.tgz", "packages/lib-2.3.tgz"] {
            bin_targets
                .get_mut(&bins.role_for_target(path))
                .expect("bin exists")
                .add_target(path, info(path)?);
        }
        let mut packages_md = Targets::new(expires);
        let mut bin_delegations = Delegations::with_succinct(BTreeMap::new(), bins.clone());
        bin_delegations
            .add_key(&bins.bin_name(0), bins_key.public_key())
            .map_err(anyhow::Error::msg)?;
        packages_md.delegations = Some(bin_delegations);

        let mut docs_md = Targets::new(expires);
        docs_md.add_target("docs/guide.md", info("docs/guide.md")?);

        let mut targets_md = Targets::new(expires);
        targets_md.add_target("README.txt", info("README.txt")?);
        let mut delegations =
            Delegations::with_roles(BTreeMap::new(), Vec::new()).map_err(anyhow::Error::msg)?;
        for (r, pattern) in [(&docs, "docs/*"), (&packages, "packages/*")] {
            let role = DelegatedRole::new(
                &r.name,
                Threshold::ONE,
                true,
                PathScope::Paths(vec![pattern.into()]),
            )
            .map_err(anyhow::Error::msg)?;
            delegations.add_role(role).map_err(anyhow::Error::msg)?;
            for s in &r.signers {
                delegations
                    .add_key(&r.name, s.public_key())
                    .map_err(anyhow::Error::msg)?;
            }
        }
        targets_md.delegations = Some(delegations);

        let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut snapshot_md = Snapshot::new(now.plus_days(7));
        let mut publish_targets = |name: &str, t: Targets, signer: &Role| -> Result<()> {
            let version = t.version;
            let bytes = sign(t, signer)?;
            snapshot_md.meta.insert(
                format!("{name}.json"),
                MetaFile::for_bytes(version, &bytes, &["sha256"])?,
            );
            files.insert(format!("{}.json", encode_role_name(name)), bytes);
            Ok(())
        };
        publish_targets("targets", targets_md, &targets)?;
        publish_targets("docs", docs_md, &docs)?;
        publish_targets("packages", packages_md, &packages)?;
        let bins_role = Role {
            name: "bins".into(),
            signers: vec![bins_key],
        };
        for (name, t) in bin_targets {
            publish_targets(&name, t, &bins_role)?;
        }
        let snapshot_bytes = sign(snapshot_md, &snapshot)?;
        let timestamp_md = Timestamp::new(
            MetaFile::for_bytes(
                tuf_core::metadata::Version::ONE,
                &snapshot_bytes,
                &["sha256"],
            )?,
            now.plus_days(1),
        );
        let timestamp_bytes = sign(timestamp_md, &timestamp)?;
        let root_bytes = sign(root_md, &root)?;
        println!(
            "   root {} B, timestamp {} B, snapshot {} B, {} targets roles ({} B)",
            root_bytes.len(),
            timestamp_bytes.len(),
            snapshot_bytes.len(),
            files.len(),
            files.values().map(Vec::len).sum::<usize>()
        );

        println!("3. Verifying as a client (reference time {now})");
        let mut trusted = TrustedMetadataSet::new(&root_bytes, now)?;
        println!(
            "   root v{}: self-signed by 2 of 3 keys, consistent_snapshot={}",
            trusted.root().version,
            trusted.root().consistent_snapshot()
        );
        trusted.check_final_root()?;
        let _ = trusted.update_timestamp(&timestamp_bytes, Origin::Remote)?;
        println!("   timestamp v1: signed by the timestamp key, unexpired, names snapshot v1");
        let _ = trusted.update_snapshot(&snapshot_bytes, Origin::Remote)?;
        println!(
            "   snapshot v1: length and sha256 match timestamp, 2 of 2 signatures, lists {} roles",
            trusted.snapshot().expect("loaded").meta.len()
        );
        trusted.update_targets(&files["targets.json"])?;
        println!("   targets v1: length and hash match snapshot, signed by the targets key");

        for path in contents.keys() {
            let found = lookup(&mut trusted, &files, path)?;
            found
                .0
                .verify_bytes(contents[path])
                .with_context(|| format!("verifying {path}"))?;
            println!(
                "   {path}: {} bytes, sha256+sha512 verified, trusted via {}",
                found.0.length,
                found.1.join(" -> ")
            );
        }

        println!("4. Attacks are refused");
        let tampered = b"pretend this is a tarball, with malware";
        let (file, _) = lookup(&mut trusted, &files, "packages/tool-1.0.tgz")?;
        match file.verify_bytes(tampered) {
            Err(e) => println!("   tampered target refused: {e}"),
            Ok(()) => bail!("a tampered target was accepted"),
        }
        let mut fresh = TrustedMetadataSet::new(&root_bytes, now.plus_days(2))?;
        match fresh.update_timestamp(&timestamp_bytes, Origin::Remote) {
            Err(e) => println!("   freeze attack (stale timestamp two days later) refused: {e}"),
            Ok(_) => bail!("an expired timestamp was accepted"),
        }
        println!(
            "Done in {:.2?}: every signature, length, hash, version and expiry checked.",
            started.elapsed()
        );
        Ok(())
    }
}

fn lookup(
    trusted: &mut TrustedMetadataSet,
    files: &BTreeMap<String, Vec<u8>>,
    path: &str,
) -> Result<(TargetFile, Vec<String>)> {
    let mut search = TargetSearch::new(path, 32);
    loop {
        match search.next(trusted) {
            SearchStep::NeedRole { parent, role } => trusted.update_delegated_targets(
                &files[&format!("{}.json", encode_role_name(&role))],
                &parent,
                &role,
            )?,
            SearchStep::Found { file, role_path } => return Ok((file, role_path)),
            SearchStep::NotFound => bail!("{path}: not found"),
        }
    }
}
