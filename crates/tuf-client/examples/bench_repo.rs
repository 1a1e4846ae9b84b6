//! Builds the repositories of the client benchmarks (issue "Client" item 7)
//! on disk with tuf-core's API, in the layout a static HTTP server can serve
//! and python-tuf's ngclient can read (consistent snapshots on):
//!
//! ```text
//! <out>/metadata/{root.json, N.root.json, timestamp.json, 1.snapshot.json, 1.<role>.json}
//! <out>/targets/<dir>/<sha256>.<name>
//! <out>/trusted_root.json   # what a client starts from (root version 1)
//! <out>/target_path         # the target path to download
//! ```
//!
//! ```text
//! bench_repo flat      <out> [targets]   # one targets.json, default 100,000 targets
//! bench_repo bins      <out> [targets]   # default 1,000,000 targets in 16,384 succinct hashed bins
//! bench_repo rotations <out> [count]     # default 250 root rotations (root v1 -> v251)
//! bench_repo large     <out> [MiB]       # one target of default 1024 MiB
//! ```
//!
//! Every repository also lists one real target (`downloads/app-1.0.tar.gz`,
//! 64 KiB) except `large`, whose target is the big file. The other targets
//! are synthetic entries (lengths and hashes of files that are not served),
//! as in `py_metadata_bench.py`. Keys are random; expiry is 2100.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use tuf_core::DateTime;
use tuf_core::crypto::{KeySpec, PrivateKey, Signer};
use tuf_core::metadata::hashes::{Hasher, digest_bytes};
use tuf_core::metadata::{
    Delegations, MetaFile, Metadata, RoleType, Root, SignedMeta, Snapshot, SuccinctRoles,
    TargetFile, Targets, Threshold, Timestamp, Version,
};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn key() -> PrivateKey {
    PrivateKey::generate(KeySpec::Ed25519).expect("ed25519 key generation")
}

fn expires() -> DateTime {
    DateTime::parse("2100-01-01T00:00:00Z").expect("valid")
}

fn signed<T: SignedMeta>(signed: T, signers: &[&PrivateKey]) -> Result<Vec<u8>> {
    let mut md = Metadata::new(signed);
    for s in signers {
        md.sign(*s, true)?;
    }
    Ok(md.to_bytes())
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, bytes)?;
    Ok(())
}

/// A synthetic target entry (as `py_metadata_bench.py` makes them).
fn synthetic(i: usize) -> (String, TargetFile) {
    let path = format!(
        "packages/{:03}/package-{i:07}-1.0.{}.tar.gz",
        i % 997,
        i % 13
    );
    let hashes =
        digest_bytes(format!("contents of target {i}").as_bytes(), &["sha256"]).expect("sha256");
    let file = TargetFile {
        length: 1000 + (i as u64 * 7919) % 5_000_000,
        hashes,
        custom: None,
        unrecognized: Default::default(),
    };
    (path, file)
}

/// `targets/<dir>/<sha256>.<name>` for a served target.
fn target_file_path(out: &Path, target_path: &str, file: &TargetFile) -> PathBuf {
    let prefixed = file
        .hash_prefixed_paths(target_path)
        .into_iter()
        .next()
        .expect("one hash");
    out.join("targets").join(prefixed)
}

/// Deterministic pseudo-random bytes (xorshift64*), `len` of them, to `w`,
/// hashing as they go.
fn fill(w: &mut dyn Write, len: u64) -> Result<TargetFile> {
    let mut h = Hasher::new(["sha256"]);
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut buf = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        for chunk in buf.chunks_exact_mut(8) {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            chunk.copy_from_slice(&state.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
        }
        let n = usize::try_from(left.min(buf.len() as u64))?;
        w.write_all(&buf[..n])?;
        h.update(&buf[..n]);
        left -= n as u64;
    }
    let (length, hashes) = h.finish()?;
    Ok(TargetFile {
        length,
        hashes,
        custom: None,
        unrecognized: Default::default(),
    })
}

/// Write a real target of `len` bytes under its hash-prefixed name.
fn real_target(out: &Path, target_path: &str, len: u64) -> Result<TargetFile> {
    let tmp = out.join("targets").join(".incoming");
    std::fs::create_dir_all(out.join("targets"))?;
    let file = {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        let file = fill(&mut f, len)?;
        f.flush()?;
        file
    };
    let dest = target_file_path(out, target_path, &file);
    std::fs::create_dir_all(dest.parent().expect("has a parent"))?;
    std::fs::rename(&tmp, &dest)?;
    std::fs::write(out.join("target_path"), target_path)?;
    Ok(file)
}

struct TopKeys {
    root: PrivateKey,
    timestamp: PrivateKey,
    snapshot: PrivateKey,
    targets: PrivateKey,
}

impl TopKeys {
    fn new() -> Self {
        TopKeys {
            root: key(),
            timestamp: key(),
            snapshot: key(),
            targets: key(),
        }
    }

    fn root(&self) -> Root {
        let mut root = Root::new(expires());
        root.add_key(RoleType::Root, self.root.public_key());
        root.add_key(RoleType::Timestamp, self.timestamp.public_key());
        root.add_key(RoleType::Snapshot, self.snapshot.public_key());
        root.add_key(RoleType::Targets, self.targets.public_key());
        root
    }
}

/// Write root v1 (as `1.root.json`, `root.json` and `trusted_root.json`),
/// then snapshot and timestamp over the given targets-role files.
fn publish(
    out: &Path,
    keys: &TopKeys,
    root_bytes: &[u8],
    roles: &BTreeMap<String, Vec<u8>>,
    pin_lengths: bool,
) -> Result<()> {
    let meta_dir = out.join("metadata");
    write(&meta_dir.join("1.root.json"), root_bytes)?;
    write(&meta_dir.join("root.json"), root_bytes)?;
    write(&out.join("trusted_root.json"), root_bytes)?;
    let mut snapshot = Snapshot::new(expires());
    for (role, bytes) in roles {
        write(&meta_dir.join(format!("1.{role}.json")), bytes)?;
        let entry = if pin_lengths || role == "targets" {
            // targets.json can exceed python-tuf's and our 5 MB default
            // limit, so snapshot pins its length (and hash).
            MetaFile::for_bytes(Version::ONE, bytes, &["sha256"])?
        } else {
            MetaFile::new(Version::ONE)
        };
        snapshot.meta.insert(format!("{role}.json"), entry);
    }
    let snapshot_bytes = signed(snapshot, &[&keys.snapshot])?;
    write(&meta_dir.join("1.snapshot.json"), &snapshot_bytes)?;
    let ts = Timestamp::new(
        MetaFile::for_bytes(Version::ONE, &snapshot_bytes, &["sha256"])?,
        expires(),
    );
    write(
        &meta_dir.join("timestamp.json"),
        &signed(ts, &[&keys.timestamp])?,
    )?;
    Ok(())
}

fn flat(out: &Path, n: usize) -> Result<()> {
    let keys = TopKeys::new();
    let mut targets = Targets::new(expires());
    for i in 0..n.saturating_sub(1) {
        let (p, f) = synthetic(i);
        targets.add_target(p, f);
    }
    let app = "downloads/app-1.0.tar.gz";
    targets.add_target(app, real_target(out, app, 64 * 1024)?);
    let roles = BTreeMap::from([("targets".to_owned(), signed(targets, &[&keys.targets])?)]);
    publish(
        out,
        &keys,
        &signed(keys.root(), &[&keys.root])?,
        &roles,
        true,
    )
}

fn bins(out: &Path, n: usize, bit_length: u8) -> Result<()> {
    let keys = TopKeys::new();
    let bins_key = key();
    let mut succinct = SuccinctRoles::new(Threshold::ONE, bit_length, "bins")?;
    succinct.keyids.clear();
    let mut delegations = Delegations::with_succinct(BTreeMap::new(), succinct);
    let first_bin = delegations.succinct_roles().expect("succinct").bin_name(0);
    delegations.add_key(&first_bin, bins_key.public_key())?;
    let s = delegations.succinct_roles().expect("succinct").clone();

    let mut per_bin: Vec<Targets> = (0..s.bin_count())
        .map(|_| Targets::new(expires()))
        .collect();
    for i in 0..n.saturating_sub(1) {
        let (p, f) = synthetic(i);
        let bin = usize::try_from(s.bin_for_target(&p))?;
        per_bin[bin].add_target(p, f);
    }
    let app = "downloads/app-1.0.tar.gz";
    let bin = usize::try_from(s.bin_for_target(app))?;
    per_bin[bin].add_target(app, real_target(out, app, 64 * 1024)?);

    let mut roles = BTreeMap::new();
    for (i, t) in per_bin.into_iter().enumerate() {
        roles.insert(s.bin_name(i as u64), signed(t, &[&bins_key])?);
    }
    let mut top = Targets::new(expires());
    top.delegations = Some(delegations);
    roles.insert("targets".to_owned(), signed(top, &[&keys.targets])?);
    publish(
        out,
        &keys,
        &signed(keys.root(), &[&keys.root])?,
        &roles,
        false,
    )
}

fn rotations(out: &Path, count: u64) -> Result<()> {
    let keys = TopKeys::new();
    let mut targets = Targets::new(expires());
    let app = "downloads/app-1.0.tar.gz";
    targets.add_target(app, real_target(out, app, 64 * 1024)?);
    let roles = BTreeMap::from([("targets".to_owned(), signed(targets, &[&keys.targets])?)]);
    let root_v1 = keys.root();
    publish(
        out,
        &keys,
        &signed(root_v1.clone(), &[&keys.root])?,
        &roles,
        true,
    )?;
    // Each new version replaces the root key; it is signed by the old key
    // and the new one (§5.3.4).
    let mut root = root_v1;
    let mut old = keys.root;
    for v in 2..=count + 1 {
        let new = key();
        let old_id = root.role(RoleType::Root).keyids[0].clone();
        root.revoke_key(RoleType::Root, &old_id);
        root.add_key(RoleType::Root, new.public_key());
        root.version = Version::new(v).expect("v >= 2");
        let bytes = signed(root.clone(), &[&old, &new])?;
        write(&out.join("metadata").join(format!("{v}.root.json")), &bytes)?;
        old = new;
    }
    Ok(())
}

fn large(out: &Path, mib: u64) -> Result<()> {
    let keys = TopKeys::new();
    let mut targets = Targets::new(expires());
    let big = "downloads/big.bin";
    targets.add_target(big, real_target(out, big, mib << 20)?);
    let roles = BTreeMap::from([("targets".to_owned(), signed(targets, &[&keys.targets])?)]);
    publish(
        out,
        &keys,
        &signed(keys.root(), &[&keys.root])?,
        &roles,
        true,
    )
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: bench_repo flat|bins|rotations|large <out> [n]";
    let (kind, out) = match args.as_slice() {
        [k, o, ..] => (k.as_str(), PathBuf::from(o)),
        _ => return Err(usage.into()),
    };
    let n: Option<u64> = args.get(2).map(|s| s.parse()).transpose()?;
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    std::fs::create_dir_all(&out)?;
    let started = Instant::now();
    match kind {
        "flat" => flat(&out, usize::try_from(n.unwrap_or(100_000))?)?,
        "bins" => bins(&out, usize::try_from(n.unwrap_or(1_000_000))?, 14)?,
        "rotations" => rotations(&out, n.unwrap_or(250))?,
        "large" => large(&out, n.unwrap_or(1024))?,
        _ => return Err(usage.into()),
    }
    eprintln!(
        "bench_repo {kind}: wrote {} in {:.1} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
