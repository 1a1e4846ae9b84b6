//! The subcommands of `tuf`, one file each.

mod client;
mod demo;
mod key;
mod repo;
mod serve;

/// Every subcommand.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Build a repository on disk with keys of every type, serve it on
    /// loopback and verify it with the real client, printing each step.
    Demo(demo::DemoArgs),
    /// A TUF client: trust a root, refresh, look up and download targets.
    #[command(subcommand)]
    Client(client::ClientCommand),
    /// Create, edit, sign and publish a repository (metadata/ and targets/).
    #[command(subcommand)]
    Repo(repo::RepoCommand),
    /// Generate, import and list private keys in a key store directory.
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// Serve a repository directory over HTTP (loopback by default).
    ///
    /// Example: tuf serve REPO --addr 127.0.0.1:8080
    Serve(serve::ServeArgs),
}

impl Command {
    pub(crate) fn run(self) -> anyhow::Result<()> {
        match self {
            Command::Demo(args) => args.run(),
            Command::Client(c) => c.run(),
            Command::Repo(c) => c.run(),
            Command::Key(c) => c.run(),
            Command::Serve(args) => args.run(),
        }
    }
}
