//! The trusted-metadata state machine (spec §5). PLACEHOLDER.

/// The trusted metadata of one client update.
#[derive(Debug)]
pub struct TrustedMetadataSet {}
