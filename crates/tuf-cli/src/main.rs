//! `tuf`: one command line over the TUF client and repository tooling.
#![forbid(unsafe_code)]

fn main() {}
