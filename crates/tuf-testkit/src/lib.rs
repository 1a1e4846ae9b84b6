//! `tuf-testkit`: an in-memory TUF repository simulator, test keys and fixtures.
#![forbid(unsafe_code)]

pub mod http;
