//! `tuf repo ...`: create, edit, sign and publish a TUF repository with
//! tuf-repo. REPO holds `metadata/` and `targets/` (what `tuf serve` or any
//! web server publishes); private keys live in a separate key store KEYS.
//!
//! Every editing command opens REPO, makes its change, loads the keys it
//! may sign with from KEYS and publishes at once: either the new metadata
//! is written completely or, on any error, nothing on disk changes.
//!
//! When KEYS cannot meet every threshold (an offline root key, a second
//! signer elsewhere), `--stage` keeps the change unpublished under
//! REPO/.tuf-repo/staged instead; later runs continue from it: `status`
//! shows what needs signing, `sign` adds signatures from other key stores,
//! `export-signable` and `import-signature` carry the bytes to an offline
//! signer and its signature back, and `publish` publishes once every
//! threshold is met (`discard` drops the staged changes).

mod add;
mod bins;
mod delegate;
mod detached;
mod expire;
mod init;
mod prune;
mod publish;
mod remove;
mod rotate_key;
mod sign;
mod status;
mod targets;
mod verify;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Result, bail};
use tuf_repo::{KeyStore, PublishReport, RepoError, Repository};

use crate::cmd::key::passphrase_from_env;

/// `tuf repo` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum RepoCommand {
    /// Create a repository: REPO/metadata and REPO/targets, with new keys in KEYS.
    ///
    /// Examples:
    ///   tuf repo init REPO --keys KEYS
    ///   tuf repo init REPO --keys KEYS --root-keys ed25519,rsa --root-threshold 2 \
    ///       --targets-keys ecdsa --expiry timestamp=6h
    Init(init::InitArgs),
    /// Add target files or whole directories (inside REPO/targets) and publish.
    ///
    /// Each target's path is its path below REPO/targets; it goes to the
    /// role a client would look in (delegations and hashed bins included).
    ///
    /// Example: tuf repo add REPO --keys KEYS REPO/targets/app-1.0.tgz REPO/targets/docs
    Add(add::AddArgs),
    /// Stop listing targets (their files stay in REPO/targets) and publish.
    ///
    /// Example: tuf repo remove REPO --keys KEYS app-0.9.tgz
    Remove(remove::RemoveArgs),
    /// Show versions, expiry and signature thresholds of the top-level
    /// roles and of every staged role, with the key ids that must still sign.
    ///
    /// Example: tuf repo status REPO --keys KEYS
    Status(status::StatusArgs),
    /// Check the published repository as a client would; exit 1 on any problem.
    ///
    /// Example: tuf repo verify REPO --json
    Verify(verify::VerifyArgs),
    /// List every target of every role.
    ///
    /// Example: tuf repo targets REPO --json
    Targets(targets::TargetsArgs),
    /// Delegate target paths or hash prefixes to a new role and publish.
    ///
    /// The new role's keys are the keys KEYS files under its name (make
    /// them first with `tuf key generate KEYS --role NAME`) or under --key-role.
    ///
    /// Examples:
    ///   tuf repo delegate REPO --keys KEYS alice --paths 'alice/*'
    ///   tuf repo delegate REPO --keys KEYS low --hash-prefixes 0,1,2,3 --terminating
    Delegate(delegate::DelegateArgs),
    /// Delegate all of a role's targets to 2^BITS succinct hashed bins (TAP 15) and publish.
    ///
    /// Example: tuf repo bins REPO --keys KEYS --bits 8 --prefix bin --key-role bins
    Bins(bins::BinsArgs),
    /// Replace a key of a role (root, targets, snapshot, timestamp or a
    /// delegated role) and publish; a new root is signed by the old and the new root keys.
    ///
    /// Example: tuf repo rotate-key REPO --keys KEYS root --new 4f2a...
    RotateKey(rotate_key::RotateKeyArgs),
    /// Give a role a new version with a fresh expiry and publish.
    ///
    /// Example: tuf repo expire REPO --keys KEYS targets --days 30
    Expire(expire::ExpireArgs),
    /// Remove consistent-snapshot metadata no longer needed by the KEEP newest snapshots.
    ///
    /// Example: tuf repo prune REPO --keep 3
    Prune(prune::PruneArgs),
    /// Sign staged roles with the keys in KEYS, keep the signatures, and
    /// publish once every threshold is met.
    ///
    /// Examples:
    ///   tuf repo sign REPO --keys OTHER-KEYS root
    ///   tuf repo sign REPO --keys KEYS --no-publish
    Sign(sign::SignArgs),
    /// Print what an offline signer must sign for a staged role: its
    /// canonical bytes and who may sign them, as JSON.
    ///
    /// With -o FILE the bytes go to FILE and the JSON names it.
    ///
    /// Example: tuf repo export-signable REPO root -o root.signable
    ExportSignable(detached::ExportSignableArgs),
    /// Add a signature made elsewhere over `export-signable`'s bytes to a
    /// staged role (it must verify) and keep it staged.
    ///
    /// Example: tuf repo import-signature REPO root --keyid 4f2a... --sig 9e1c...
    ImportSignature(detached::ImportSignatureArgs),
    /// Publish the staged changes once every threshold is met, signing
    /// with the keys in KEYS (snapshot and timestamp need theirs).
    ///
    /// Example: tuf repo publish REPO --keys KEYS
    Publish(publish::PublishArgs),
    /// Drop the staged (unpublished) changes.
    ///
    /// Example: tuf repo discard REPO
    Discard(publish::DiscardArgs),
}

impl RepoCommand {
    pub(crate) fn run(self) -> Result<()> {
        self.dispatch().map_err(|e| {
            let staged = matches!(
                e.downcast_ref::<RepoError>(),
                Some(RepoError::Staged { .. })
            );
            let e = one_line(e);
            if staged {
                anyhow::anyhow!("{e} (`tuf repo discard REPO` drops them)")
            } else {
                e
            }
        })
    }

    fn dispatch(self) -> Result<()> {
        match self {
            RepoCommand::Init(a) => a.run(),
            RepoCommand::Add(a) => a.run(),
            RepoCommand::Remove(a) => a.run(),
            RepoCommand::Status(a) => a.run(),
            RepoCommand::Verify(a) => a.run(),
            RepoCommand::Targets(a) => a.run(),
            RepoCommand::Delegate(a) => a.run(),
            RepoCommand::Bins(a) => a.run(),
            RepoCommand::RotateKey(a) => a.run(),
            RepoCommand::Expire(a) => a.run(),
            RepoCommand::Prune(a) => a.run(),
            RepoCommand::Sign(a) => a.run(),
            RepoCommand::ExportSignable(a) => a.run(),
            RepoCommand::ImportSignature(a) => a.run(),
            RepoCommand::Publish(a) => a.run(),
            RepoCommand::Discard(a) => a.run(),
        }
    }
}

/// The error and its causes as one line, each cause once: library errors
/// often repeat their source in their own message.
pub(crate) fn one_line(e: anyhow::Error) -> anyhow::Error {
    let mut msg = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !msg.contains(&c) {
            msg = format!("{msg}: {c}");
        }
    }
    anyhow::Error::msg(msg)
}

/// The key store and how to unlock it.
#[derive(Debug, clap::Args)]
pub(crate) struct KeysArgs {
    /// Private key store directory (keep it outside REPO).
    #[arg(long, value_name = "KEYS")]
    keys: PathBuf,
    /// Read the key store passphrase from this environment variable.
    #[arg(long, value_name = "VAR")]
    passphrase_env: Option<String>,
}

impl KeysArgs {
    /// Open the existing key store.
    pub(crate) fn store(&self) -> Result<KeyStore> {
        if !self.keys.is_dir() {
            bail!("key store {} does not exist", self.keys.display());
        }
        Ok(KeyStore::open(&self.keys)?)
    }

    /// Load every key of the store as a signer: each signs exactly the
    /// roles that authorize it, so unrelated keys are harmless.
    pub(crate) fn load_into(&self, repo: &mut Repository) -> Result<KeyStore> {
        let store = self.store()?;
        let pass = passphrase_from_env(self.passphrase_env.as_deref())?;
        let roles: Vec<String> = store.roles().map(str::to_owned).collect();
        for role in roles {
            repo.load_signers(&store, &role, pass.as_deref().map(|p| &p[..]))?;
        }
        Ok(store)
    }
}

/// Open REPO and load the signers of KEYS.
pub(crate) fn open_for_signing(repo: &Path, keys: &KeysArgs) -> Result<(Repository, KeyStore)> {
    let mut r = Repository::open(repo)?;
    let store = keys.load_into(&mut r)?;
    Ok((r, store))
}

/// Whether an editing command publishes or stages its change.
#[derive(Debug, clap::Args)]
pub(crate) struct StageArgs {
    /// Do not publish: sign with the keys in KEYS and keep the change under
    /// REPO/.tuf-repo/staged until more signatures are added (`tuf repo
    /// sign`, `import-signature`) and `tuf repo publish` publishes it.
    #[arg(long)]
    stage: bool,
}

/// Finish an editing command: publish, or with `--stage` sign what KEYS
/// can and stage.
/// The public keys KEYS holds for `role`; an error that says how to make one
/// when there is none.
pub(crate) fn public_keys(store: &KeyStore, role: &str) -> Result<Vec<tuf_core::metadata::Key>> {
    let keys: Vec<_> = store
        .entries(role)
        .iter()
        .map(|e| e.public.clone())
        .collect();
    if keys.is_empty() {
        anyhow::bail!(
            "the key store has no key for role {role:?}: run `tuf key generate KEYS --role {role}` first"
        );
    }
    Ok(keys)
}

pub(crate) fn finish(repo: &mut Repository, mode: &StageArgs, what: &str) -> Result<()> {
    if mode.stage {
        for role in signable_pending(repo) {
            repo.sign_role(&role)?;
        }
        repo.stage()?;
        print_staged(repo)?;
        return Ok(());
    }
    publish(
        repo,
        what,
        "rerun with --stage to keep the change and collect the missing signatures",
    )?;
    Ok(())
}

/// Pending roles that take signatures before publish: root, targets and
/// delegated roles (snapshot and timestamp are signed at publish).
pub(crate) fn signable_pending(repo: &Repository) -> Vec<String> {
    repo.pending_roles()
        .into_iter()
        .filter(|r| r != "snapshot" && r != "timestamp")
        .collect()
}

/// Publish with a spinner on stderr when there are many roles to sign;
/// `hint` follows a missing-signature error.
pub(crate) fn publish(repo: &mut Repository, what: &str, hint: &str) -> Result<PublishReport> {
    let bar = spinner(what);
    let report = repo.publish();
    bar.finish_and_clear();
    let report = report.map_err(|e| match e {
        RepoError::ThresholdNotMet { .. } => {
            anyhow::anyhow!("{e}: the key store lacks the key(s) to sign it; {hint}")
        }
        e => e.into(),
    })?;
    print_report(&report);
    Ok(report)
}

/// What one signing group of a role still needs, if anything.
pub(crate) fn group_needs(g: &tuf_repo::GroupStatus) -> Option<String> {
    if g.signed >= g.threshold {
        return None;
    }
    let whose = if g.previous_root {
        " of the previous root's keys"
    } else {
        ""
    };
    let ids: Vec<&str> = g.unsigned.iter().map(|k| k.as_str()).collect();
    Some(format!(
        "needs {} more signature(s){whose} from {}",
        g.threshold - g.signed,
        ids.join(" or ")
    ))
}

/// One line per staged role: its version and what it still needs.
pub(crate) fn print_staged(repo: &mut Repository) -> Result<()> {
    let pending = repo.pending_roles();
    if pending.is_empty() {
        println!("nothing staged");
        return Ok(());
    }
    let mut complete = true;
    for role in pending {
        let st = repo.signature_status(&role)?;
        let state = if role == "snapshot" || role == "timestamp" {
            "signed at publish".to_owned()
        } else {
            let needs: Vec<String> = st.groups.iter().filter_map(group_needs).collect();
            if needs.is_empty() {
                "signatures complete".to_owned()
            } else {
                complete = false;
                needs.join("; ")
            }
        };
        println!("staged {role} v{}: {state}", st.version);
    }
    if complete {
        println!(
            "ready: `tuf repo publish {} --keys KEYS` publishes it",
            repo.dir().display()
        );
    } else {
        println!(
            "add signatures with `tuf repo sign` or `tuf repo export-signable` + `import-signature`"
        );
    }
    Ok(())
}

/// One line saying what was written.
pub(crate) fn print_report(report: &PublishReport) {
    if report.is_empty() {
        println!("nothing to publish");
        return;
    }
    let mut parts = Vec::new();
    if let Some(v) = report.root {
        parts.push(format!("root v{v}"));
    }
    match report.targets.len() {
        0 => {}
        n if n <= 4 => {
            for (role, v) in &report.targets {
                parts.push(format!("{role} v{v}"));
            }
        }
        n => parts.push(format!("{n} targets roles")),
    }
    if let Some(v) = report.snapshot {
        parts.push(format!("snapshot v{v}"));
    }
    if let Some(v) = report.timestamp {
        parts.push(format!("timestamp v{v}"));
    }
    println!("published {}", parts.join(", "));
}

/// A spinner on stderr; indicatif hides it when stderr is not a terminal.
pub(crate) fn spinner(message: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .expect("a valid template"),
    );
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
