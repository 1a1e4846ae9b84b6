//! `tuf-repo`: repository tooling — create, edit, sign and publish TUF repositories.
#![forbid(unsafe_code)]
