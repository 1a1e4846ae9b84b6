//! `tuf-client`: the TUF client workflow (spec §5) over a transport and a
//! metadata store. Every security decision is delegated to
//! [`tuf_core::TrustedMetadataSet`]; this crate only moves bytes.
#![forbid(unsafe_code)]
