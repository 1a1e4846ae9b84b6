//! `tuf client ...`: a TUF client from the command line: trust a root, refresh
//! metadata, look up and download verified targets.

use std::path::PathBuf;

use anyhow::{Context, Result};
use tuf_client::{
    DirectoryStore, HttpConfig, HttpTransport, MetadataStore, TargetDirectory, Updater,
    UpdaterConfig,
};

/// `tuf client` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum ClientCommand {
    /// Trust ROOT (a root.json obtained out of band) in a new metadata directory.
    ///
    /// Example: tuf client init --metadata-dir M repo/metadata/1.root.json
    Init {
        /// Directory for trusted metadata.
        #[arg(long)]
        metadata_dir: PathBuf,
        /// The initial trusted root.
        root: PathBuf,
    },
    /// Update trusted metadata from the repository (spec §5).
    ///
    /// Example: tuf client refresh --metadata-dir M --metadata-url http://127.0.0.1:8080/metadata/
    Refresh(Remote),
    /// Download targets, verified against trusted metadata, into a directory.
    ///
    /// Each target is stored under its percent-encoded path (so `docs/a.md`
    /// becomes `docs%2Fa.md`): no target name can write outside --out.
    /// A verified copy already there is reused, not downloaded again.
    ///
    /// Example: tuf client download --metadata-dir M --metadata-url http://127.0.0.1:8080/metadata/
    ///          --targets-url http://127.0.0.1:8080/targets/ --out DIR README.txt
    Download {
        #[command(flatten)]
        remote: Remote,
        /// Base URL of the repository's targets.
        #[arg(long)]
        targets_url: String,
        /// Directory for downloaded targets.
        #[arg(long)]
        out: PathBuf,
        /// Target paths to download.
        #[arg(required = true)]
        targets: Vec<String>,
    },
    /// Show what trusted metadata says about targets, without downloading them.
    Info {
        #[command(flatten)]
        remote: Remote,
        /// Target paths to look up.
        #[arg(required = true)]
        targets: Vec<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Where trusted metadata lives and where the repository is.
#[derive(Debug, clap::Args)]
pub(crate) struct Remote {
    /// Directory of trusted metadata (made by `tuf client init`).
    #[arg(long)]
    metadata_dir: PathBuf,
    /// Base URL of the repository's metadata.
    #[arg(long)]
    metadata_url: String,
}

impl Remote {
    fn updater(&self) -> Result<Updater> {
        let store = DirectoryStore::new(&self.metadata_dir)?;
        let transport = HttpTransport::new(HttpConfig::default())?;
        Ok(Updater::new(
            &self.metadata_url,
            Box::new(store),
            Box::new(transport),
            UpdaterConfig::default(),
        ))
    }
}

fn print_summary(updater: &Updater) {
    if let Some(t) = updater.trusted() {
        let ts = t.timestamp().map(|m| m.version.get()).unwrap_or(0);
        let snap = t.snapshot().map(|m| m.version.get()).unwrap_or(0);
        let targets = t.targets().map(|m| m.version.get()).unwrap_or(0);
        println!(
            "trusted: root v{}, timestamp v{ts}, snapshot v{snap}, targets v{targets}",
            t.root().version
        );
    }
}

impl ClientCommand {
    pub(crate) fn run(self) -> Result<()> {
        match self {
            ClientCommand::Init { metadata_dir, root } => {
                let bytes =
                    std::fs::read(&root).with_context(|| format!("reading {}", root.display()))?;
                // Refuse to start from a root that is not even self-signed (§5.2).
                tuf_core::TrustedMetadataSet::new(&bytes, tuf_core::DateTime::from_unix(0))
                    .with_context(|| {
                        format!("{} is not a valid, self-signed root", root.display())
                    })?;
                DirectoryStore::new(&metadata_dir)?.put("root.json", &bytes)?;
                println!("trusted root stored in {}", metadata_dir.display());
            }
            ClientCommand::Refresh(remote) => {
                let mut updater = remote.updater()?;
                updater.refresh()?;
                print_summary(&updater);
            }
            ClientCommand::Download {
                remote,
                targets_url,
                out,
                targets,
            } => {
                let mut updater = remote.updater()?;
                updater.refresh()?;
                print_summary(&updater);
                let dir = TargetDirectory::new(&out)?;
                for name in &targets {
                    let info = updater.get_targetinfo(name)?.with_context(|| {
                        format!("{name}: no trusted metadata lists this target")
                    })?;
                    let path = updater.download_target(&info, &dir, &targets_url)?;
                    println!(
                        "{name}: {} bytes, verified, saved as {}",
                        info.file.length,
                        path.display()
                    );
                }
            }
            ClientCommand::Info {
                remote,
                targets,
                json,
            } => {
                let mut updater = remote.updater()?;
                let mut out = Vec::new();
                for name in &targets {
                    let info = updater.get_targetinfo(name)?.with_context(|| {
                        format!("{name}: no trusted metadata lists this target")
                    })?;
                    if json {
                        out.push(serde_json::json!({
                            "path": info.path, "length": info.file.length,
                            "hashes": info.file.hashes, "custom": info.file.custom, "role_path": info.role_path,
                        }));
                    } else {
                        let hashes: Vec<String> = info
                            .file
                            .hashes
                            .iter()
                            .map(|(a, h)| format!("{a}:{h}"))
                            .collect();
                        println!(
                            "{name}: {} bytes, {} (via {})",
                            info.file.length,
                            hashes.join(" "),
                            info.role_path.join(" -> ")
                        );
                    }
                }
                if json {
                    println!("{}", serde_json::to_string_pretty(&out)?);
                }
            }
        }
        Ok(())
    }
}
