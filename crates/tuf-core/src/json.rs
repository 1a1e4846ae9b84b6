//! The human-readable JSON writer, byte-identical to python-tuf's `JSONSerializer`.
//! PLACEHOLDER: being written; interface is final.

use serde_json::Value;

/// python `json.dumps(v, indent=1, separators=(",", ": "), sort_keys=True)`.
pub fn to_pretty(value: &Value) -> Vec<u8> {
    let _ = value;
    Vec::new()
}

/// python `json.dumps(v, separators=(",", ":"), sort_keys=True)`.
pub fn to_compact(value: &Value) -> Vec<u8> {
    let _ = value;
    Vec::new()
}
