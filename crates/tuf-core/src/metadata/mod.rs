//! The typed TUF metadata model (spec §4): every role, its envelope, and the
//! builders and editors that keep it valid.
//!
//! # Contract
//!
//! - Parsing ([`Metadata::from_bytes`]) checks format only: it yields
//!   *untrusted* metadata, for tooling that edits and signs. Trusted metadata
//!   comes only from [`crate::verify`].
//! - Every object keeps its unknown fields (`unrecognized`), so
//!   parse → edit → serialize loses nothing.
//! - Format errors name the role and the dotted path of the field.
//! - [`Metadata::to_bytes`] writes exactly what python-tuf's `JSONSerializer`
//!   writes for the same document.

mod delegation;
mod fields;
pub mod hashes;
mod key;
pub mod name_map;
mod raw;
mod role;
mod root;
mod scan;
mod snapshot;
mod targets;
mod timestamp;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::DateTime;
use crate::canonical::{self, CanonicalError};
use crate::crypto::{KeyError, Signer};
use crate::error::FormatError;

pub use delegation::{
    DelegatedRole, DelegationStep, Delegations, PathScope, SuccinctRoles, path_matches,
};
pub use fields::{Hashes, KeyId, SpecVersion, Threshold, Version};
pub(crate) use fields::{present_bool, present_strings, unique_keyids};
pub use key::{Key, KeyVal};
pub use name_map::NameMap;
pub(crate) use raw::StreamedCheck;
pub use raw::{RawMetadata, RoleKeys};
pub use role::{Role, RoleType, encode_role_name};
pub use root::Root;
pub use snapshot::{MetaFile, Snapshot};
pub use targets::{TargetFile, Targets};
pub use timestamp::Timestamp;

/// What [`SignedMeta::parse_fast`] read from a text: the payload, possibly
/// with its largest map still to be built from entries already read. That
/// build needs nothing of the text, so a caller owning the text can free it
/// first ([`crate::verify::parse_and_verify_owned`]): the text and the
/// finished map, the two largest things a big targets.json gives, are then
/// never in memory together.
pub struct Parsed<T> {
    value: T,
    rest: Option<Rest<T>>,
}

/// What is left to build of a [`Parsed`] payload.
type Rest<T> = Box<dyn FnOnce(&mut T) + Send>;

impl<T> Parsed<T> {
    /// A payload read in full.
    pub fn done(value: T) -> Self {
        Parsed { value, rest: None }
    }
    /// `value`, to be completed by `rest`.
    pub(crate) fn pending(value: T, rest: Rest<T>) -> Self {
        Parsed {
            value,
            rest: Some(rest),
        }
    }
    /// The payload as read so far: all but what is left to build.
    pub fn partial(&self) -> &T {
        &self.value
    }
    /// Wrap the payload in `U`; `inner` finds it again for the build.
    pub(crate) fn wrap<U>(self, wrap: impl FnOnce(T) -> U, inner: fn(&mut U) -> &mut T) -> Parsed<U>
    where
        T: 'static,
        U: 'static,
    {
        let value = wrap(self.value);
        match self.rest {
            None => Parsed::done(value),
            Some(rest) => Parsed::pending(value, Box::new(move |u: &mut U| rest(inner(u)))),
        }
    }
    /// Build what is left and return the whole payload.
    pub fn finish(mut self) -> T {
        if let Some(rest) = self.rest.take() {
            rest(&mut self.value);
        }
        self.value
    }
}

/// What every `signed` payload has: a type, a version and an expiry.
pub trait SignedMeta: Serialize + DeserializeOwned + Clone + 'static {
    /// The `_type` this payload must carry.
    const TYPE: RoleType;
    /// The `_type` it carries (always `TYPE` once parsed).
    fn kind(&self) -> RoleType;
    /// `version`
    fn version(&self) -> Version;
    /// `expires`
    fn expires(&self) -> DateTime;
    /// Set `version`.
    fn set_version(&mut self, v: Version);
    /// Set `expires`.
    fn set_expires(&mut self, e: DateTime);
    /// A faster parse of `text` for common documents, giving exactly what
    /// the serde parse gives once [`Parsed::finish`]ed; `None` (the default)
    /// when it does not apply, and the serde parse runs instead.
    fn parse_fast(text: &str) -> Option<Parsed<Self>> {
        let _ = text;
        None
    }
    /// Whether it has expired at `now` (spec: expired iff `now >= expires`).
    fn is_expired(&self, now: DateTime) -> bool {
        now >= self.expires()
    }
}

/// Implement [`SignedMeta`] for a payload struct with the common private
/// `kind` field and public `version` / `expires` fields.
macro_rules! impl_signed_meta {
    ($ty:ty, $role:expr) => {
        $crate::metadata::impl_signed_meta!($ty, $role, {});
    };
    ($ty:ty, $role:expr, fast = $fast:path) => {
        $crate::metadata::impl_signed_meta!($ty, $role, {
            fn parse_fast(text: &str) -> Option<$crate::metadata::Parsed<Self>> {
                $fast(text)
            }
        });
    };
    ($ty:ty, $role:expr, { $($extra:tt)* }) => {
        impl $crate::metadata::SignedMeta for $ty {
            const TYPE: RoleType = $role;
            $($extra)*
            fn kind(&self) -> RoleType {
                self.kind
            }
            fn version(&self) -> $crate::metadata::Version {
                self.version
            }
            fn expires(&self) -> $crate::DateTime {
                self.expires
            }
            fn set_version(&mut self, v: $crate::metadata::Version) {
                self.version = v;
            }
            fn set_expires(&mut self, e: $crate::DateTime) {
                self.expires = e;
            }
        }
    };
}
pub(crate) use impl_signed_meta;

/// One entry of `signatures`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// Key id of the signing key.
    pub keyid: KeyId,
    /// Hex-encoded signature (may be empty or malformed: it then simply fails).
    pub sig: String,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub unrecognized: Map<String, Value>,
}

/// A whole metadata document: `{"signed": T, "signatures": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata<T> {
    /// The signed payload.
    pub signed: T,
    /// Signatures over the canonical form of `signed`.
    pub signatures: Vec<Signature>,
    /// Unknown envelope fields (not covered by signatures).
    #[serde(flatten)]
    pub unrecognized: Map<String, Value>,
}

impl<T: SignedMeta> Metadata<T> {
    /// Wrap a payload with no signatures.
    pub fn new(signed: T) -> Self {
        Metadata {
            signed,
            signatures: Vec::new(),
            unrecognized: Map::new(),
        }
    }

    /// Parse *untrusted* metadata (format checks only). `role` names the
    /// document in errors.
    pub fn from_bytes(bytes: &[u8], role: &str) -> Result<Self, FormatError> {
        RawMetadata::parse(bytes, role)?.to_metadata()
    }

    /// Serialize as python-tuf does (`indent=1`, sorted keys, ASCII only).
    pub fn to_bytes(&self) -> Vec<u8> {
        if let Some(pretty) = canonical::serialize_direct(self)
            .and_then(|bytes| crate::json::pretty_from_canonical(&bytes))
        {
            return pretty;
        }
        crate::json::to_pretty(&serde_json::to_value(self).expect("metadata always serializes"))
    }

    /// Serialize compactly (python-tuf's `JSONSerializer(compact=True)`).
    pub fn to_bytes_compact(&self) -> Vec<u8> {
        crate::json::to_compact(&serde_json::to_value(self).expect("metadata always serializes"))
    }

    /// Canonical bytes of `signed`: what signatures cover.
    pub fn signed_bytes(&self) -> Result<Vec<u8>, CanonicalError> {
        if let Some(bytes) = canonical::serialize_direct(&self.signed) {
            return Ok(bytes);
        }
        canonical::to_canonical(
            &serde_json::to_value(&self.signed).expect("metadata always serializes"),
        )
    }

    /// Sign with `signer`, replacing any signature by the same key id
    /// (computed from the signer's public key) unless `append` is false, in
    /// which case all existing signatures are dropped first.
    pub fn sign(&mut self, signer: &dyn Signer, append: bool) -> Result<&Signature, SignError> {
        let keyid = signer.public_key().compute_keyid();
        self.sign_as(signer, keyid, append)
    }

    /// Sign with `signer` under an explicit key id.
    pub fn sign_as(
        &mut self,
        signer: &dyn Signer,
        keyid: KeyId,
        append: bool,
    ) -> Result<&Signature, SignError> {
        let bytes = self.signed_bytes()?;
        let sig = signer.sign(&bytes)?;
        if !append {
            self.signatures.clear();
        }
        self.signatures.retain(|s| s.keyid != keyid);
        self.signatures.push(Signature {
            keyid,
            sig: hex::encode(sig),
            unrecognized: Map::new(),
        });
        Ok(self.signatures.last().expect("just pushed"))
    }

    /// Add a signature made elsewhere (detached signing), replacing one by the same key id.
    pub fn add_signature(&mut self, signature: Signature) {
        self.signatures.retain(|s| s.keyid != signature.keyid);
        self.signatures.push(signature);
    }
}

/// Signing failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The payload cannot be canonicalized (a float in an unknown field).
    #[error(transparent)]
    Canonical(#[from] CanonicalError),
    /// The key failed to sign.
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// Parse a typed value from JSON text, naming the field on error.
pub(crate) fn parse_typed<T: DeserializeOwned>(
    text: &str,
    role: &str,
    prefix: &str,
) -> Result<T, FormatError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let field = match (prefix, path.as_str()) {
            (p, ".") => {
                if p.is_empty() {
                    ".".to_owned()
                } else {
                    p.to_owned()
                }
            }
            ("", p) => p.to_owned(),
            (pre, p) => format!("{pre}.{p}"),
        };
        FormatError::new(role, field, e.into_inner().to_string())
    })?;
    de.end()
        .map_err(|e| FormatError::new(role, ".", e.to_string()))?;
    Ok(value)
}

/// The `signed` payload of every python-tuf fixture document of type
/// `kind`, pretty-printed, for tests that compare parses on real documents.
#[cfg(test)]
pub(crate) fn python_tuf_payloads(kind: &str) -> Vec<String> {
    let root = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tuf-testkit/fixtures/python-tuf"
    );
    let mut payloads = Vec::new();
    for repo in std::fs::read_dir(root).unwrap() {
        let dir = repo.unwrap().path().join("metadata");
        for file in std::fs::read_dir(dir).into_iter().flatten() {
            let bytes = std::fs::read(file.unwrap().path()).unwrap();
            let v: Value = serde_json::from_slice(&bytes).unwrap();
            if v["signed"]["_type"] == kind {
                payloads.push(serde_json::to_string_pretty(&v["signed"]).unwrap());
            }
        }
    }
    payloads
}
