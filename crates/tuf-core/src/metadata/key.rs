//! [`Key`]: a public key as metadata describes it (spec §4.2.2).
//!
//! A key of a type or scheme this crate cannot verify still loads and
//! round-trips; it simply never counts toward a threshold.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::KeyId;

/// A public key: `{"keytype", "scheme", "keyval": {"public"}}` plus unknown fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    /// Key type, e.g. `ed25519`, `ecdsa`, `rsa`.
    pub keytype: String,
    /// Signature scheme, e.g. `ed25519`, `ecdsa-sha2-nistp256`, `rsassa-pss-sha256`.
    pub scheme: String,
    /// The key value.
    pub keyval: KeyVal,
    /// Fields this crate does not know; kept and signed over.
    #[serde(flatten)]
    pub unrecognized: Map<String, Value>,
}

/// `keyval`: the public part plus unknown fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyVal {
    /// Public key: hex for ed25519, PEM SubjectPublicKeyInfo for ecdsa and rsa.
    pub public: String,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub unrecognized: Map<String, Value>,
}

impl Key {
    /// A key with no unknown fields.
    pub fn new(
        keytype: impl Into<String>,
        scheme: impl Into<String>,
        public: impl Into<String>,
    ) -> Self {
        Key {
            keytype: keytype.into(),
            scheme: scheme.into(),
            keyval: KeyVal {
                public: public.into(),
                unrecognized: Map::new(),
            },
            unrecognized: Map::new(),
        }
    }

    /// The key id we assign when we create a key: hex SHA-256 of the
    /// canonical JSON of this key (spec §4.2.2). Loaded key ids are never
    /// checked against this (TAP 12; real roots do not always match).
    pub fn compute_keyid(&self) -> KeyId {
        let value = serde_json::to_value(self).expect("a Key always serializes");
        let bytes = crate::canonical::to_canonical(&value).expect("a Key has no floats");
        KeyId::new(hex::encode(aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA256,
            &bytes,
        )))
    }
}
