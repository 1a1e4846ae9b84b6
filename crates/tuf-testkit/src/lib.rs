//! `tuf-testkit`: test support shared by every crate: an in-memory TUF
//! repository simulator ([`RepositorySimulator`]) with a request log, and
//! helpers to build signed metadata quickly.
//!
//! Nothing here is used outside tests; it is never published.
#![forbid(unsafe_code)]

pub mod http;
pub mod mirror;
mod python;
mod sim;

pub use python::{project_root, python};
pub use sim::{RepositorySimulator, ts};
