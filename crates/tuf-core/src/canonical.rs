//! Canonical JSON (OLPC form, exactly as securesystemslib writes it).
//! PLACEHOLDER: being written; interface is final.

use serde_json::Value;

/// Why a value or text could not be canonicalized.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CanonicalError {
    /// Canonical JSON has no floats.
    #[error("floats are not allowed in canonical JSON")]
    Float,
    /// An object has the same key twice.
    #[error("duplicate object key {0:?}")]
    DuplicateKey(String),
    /// The text is not valid JSON.
    #[error("invalid JSON at byte {offset}: {reason}")]
    InvalidJson {
        /// Byte offset into the text.
        offset: usize,
        /// What was wrong.
        reason: &'static str,
    },
}

/// Canonical bytes of a JSON value.
pub fn to_canonical(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let _ = value;
    Err(CanonicalError::Float)
}

/// Canonical bytes straight from JSON text as received.
pub fn canonicalize_text(text: &str) -> Result<Vec<u8>, CanonicalError> {
    let _ = text;
    Err(CanonicalError::Float)
}
