//! The subcommands of `tuf`, one file each.

mod client;
mod demo;
mod serve;

/// Every subcommand.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Build a small repository with keys of every type, sign it, and verify
    /// it as a client would, printing each step.
    Demo(demo::DemoArgs),
    /// A TUF client: trust a root, refresh, look up and download targets.
    #[command(subcommand)]
    Client(client::ClientCommand),
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
            Command::Serve(args) => args.run(),
        }
    }
}
