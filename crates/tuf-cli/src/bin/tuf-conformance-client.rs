//! `tuf-conformance-client`: the tuf-conformance suite's client protocol
//! (CLIENT-CLI.md) mapped onto `tuf-client`, and nothing more.
//!
//! `--metadata-dir D init ROOT`, `--metadata-dir D --metadata-url U refresh`,
//! `... --target-name N [--target-name N2 ...] --target-base-url T --target-dir DIR download`.
//! Exit code 0 on success, 1 on any failure (usage errors included).
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Parser;
use tuf_client::{
    DirectoryStore, HttpConfig, HttpTransport, MetadataStore, TargetDirectory, Updater,
    UpdaterConfig,
};

#[derive(Debug, Parser)]
#[command(
    name = "tuf-conformance-client",
    about = "tuf-conformance client adapter"
)]
struct Cli {
    /// Directory of trusted metadata.
    #[arg(long)]
    metadata_dir: PathBuf,
    /// Base URL of repository metadata.
    #[arg(long)]
    metadata_url: Option<String>,
    /// Target to download (repeatable; processed in order).
    #[arg(long)]
    target_name: Vec<String>,
    /// Base URL of repository targets.
    #[arg(long)]
    target_base_url: Option<String>,
    /// Directory for downloaded targets.
    #[arg(long)]
    target_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Trust the root in this file.
    Init {
        /// Initial trusted root.json.
        trusted_root: PathBuf,
    },
    /// Update top-level metadata.
    Refresh,
    /// Download targets.
    Download,
}

fn updater(cli: &Cli) -> Result<Updater> {
    let url = cli
        .metadata_url
        .as_deref()
        .context("--metadata-url is required")?;
    let store = DirectoryStore::new(&cli.metadata_dir)?;
    let transport = HttpTransport::new(HttpConfig::default())?;
    Ok(Updater::new(
        url,
        Box::new(store),
        Box::new(transport),
        UpdaterConfig::default(),
    ))
}

fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Command::Init { trusted_root } => {
            let bytes = std::fs::read(trusted_root)
                .with_context(|| format!("reading {}", trusted_root.display()))?;
            DirectoryStore::new(&cli.metadata_dir)?.put("root.json", &bytes)?;
        }
        Command::Refresh => updater(&cli)?.refresh()?,
        Command::Download => {
            let base = cli
                .target_base_url
                .as_deref()
                .context("--target-base-url is required")?;
            let dir = TargetDirectory::new(
                cli.target_dir
                    .as_ref()
                    .context("--target-dir is required")?,
            )?;
            if cli.target_name.is_empty() {
                bail!("--target-name is required");
            }
            let mut updater = updater(&cli)?;
            for name in &cli.target_name {
                let info = updater
                    .get_targetinfo(name)?
                    .with_context(|| format!("{name}: no trusted metadata lists this target"))?;
                let path = updater.download_target(&info, &dir, base)?;
                eprintln!("{name}: verified, stored at {}", path.display());
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(1);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
