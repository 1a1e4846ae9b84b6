//! The subcommands of `tuf`, one file each.

mod demo;

/// Every subcommand.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Build a small repository with keys of every type, sign it, and verify
    /// it as a client would, printing each step.
    Demo(demo::DemoArgs),
}

impl Command {
    pub(crate) fn run(self) -> anyhow::Result<()> {
        match self {
            Command::Demo(args) => args.run(),
        }
    }
}
