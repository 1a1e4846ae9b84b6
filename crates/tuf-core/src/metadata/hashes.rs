//! Length and hash computation and checking over bytes or a stream (spec
//! §5.5.2, §5.6.2, §5.7.3). Every listed algorithm must match; an algorithm we
//! cannot compute is a mismatch, never a pass.

use std::borrow::Cow;
use std::io::Read;

use aws_lc_rs::digest;

use super::Hashes;
use super::fields::algorithm_name;
use crate::error::LengthOrHashError;

/// The algorithm names (as python's hashlib spells them) we can compute.
pub const SUPPORTED_ALGORITHMS: &[&str] = &["sha224", "sha256", "sha384", "sha512", "sha512_256"];

fn algorithm(name: &str) -> Option<&'static digest::Algorithm> {
    Some(match name {
        "sha224" => &digest::SHA224,
        "sha256" => &digest::SHA256,
        "sha384" => &digest::SHA384,
        "sha512" => &digest::SHA512,
        "sha512_256" => &digest::SHA512_256,
        _ => return None,
    })
}

/// Lowercase hex of `bytes`, in one allocation of the final size
/// (`hex::encode` collects a char iterator: several times slower, which
/// shows when describing a million small targets).
fn lower_hex(bytes: &[u8]) -> String {
    let mut buf = vec![0; bytes.len() * 2];
    hex::encode_to_slice(bytes, &mut buf).expect("buffer is twice the input");
    String::from_utf8(buf).expect("hex digits are ASCII")
}

/// Incremental length-and-hash computation; feed chunks, then [`finish`](Self::finish)
/// or [`verify`](Self::verify). Lets a caller stream a download to disk while hashing.
pub struct Hasher {
    contexts: Vec<(Cow<'static, str>, digest::Context)>,
    length: u64,
    unsupported: Option<String>,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher")
            .field("length", &self.length)
            .finish_non_exhaustive()
    }
}

impl Hasher {
    /// Hash with the named algorithms. An unknown name is remembered and
    /// reported by `finish`/`verify` as [`LengthOrHashError::UnsupportedAlgorithm`].
    pub fn new<'a>(algorithms: impl IntoIterator<Item = &'a str>) -> Self {
        let mut contexts = Vec::new();
        let mut unsupported = None;
        for name in algorithms {
            match algorithm(name) {
                Some(alg) => contexts.push((algorithm_name(name), digest::Context::new(alg))),
                None => unsupported = unsupported.or(Some(name.to_owned())),
            }
        }
        Hasher {
            contexts,
            length: 0,
            unsupported,
        }
    }

    /// A hasher for every algorithm in `expected`.
    pub fn for_hashes(expected: &Hashes) -> Self {
        Hasher::new(expected.iter().map(|(a, _)| a))
    }

    /// Feed bytes.
    pub fn update(&mut self, chunk: &[u8]) {
        self.length += chunk.len() as u64;
        for (_, ctx) in &mut self.contexts {
            ctx.update(chunk);
        }
    }

    /// Bytes fed so far.
    pub fn length(&self) -> u64 {
        self.length
    }

    /// The digests of everything fed.
    pub fn finish(self) -> Result<(u64, Hashes), LengthOrHashError> {
        if let Some(name) = self.unsupported {
            return Err(LengthOrHashError::UnsupportedAlgorithm(name));
        }
        let mut pairs: Vec<_> = self
            .contexts
            .into_iter()
            .map(|(n, c)| (n, lower_hex(c.finish().as_ref())))
            .collect();
        // Sorted by name; an algorithm named twice gives the same digest.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs.dedup_by(|a, b| a.0 == b.0);
        let hashes = Hashes::from_sorted(pairs)
            .ok_or_else(|| LengthOrHashError::UnsupportedAlgorithm(String::new()))?;
        Ok((self.length, hashes))
    }

    /// Check everything fed against a trusted length (if any) and hashes.
    pub fn verify(
        self,
        expected_length: Option<u64>,
        expected: &Hashes,
    ) -> Result<(), LengthOrHashError> {
        if let Some(expected_length) = expected_length
            && expected_length != self.length
        {
            return Err(LengthOrHashError::Length {
                expected: expected_length,
                actual: self.length,
            });
        }
        let (_, actual) = self.finish()?;
        for (alg, want) in expected.iter() {
            let got = actual.get(alg).unwrap_or_default();
            // Digests are public values: no need for constant-time comparison.
            if !got.eq_ignore_ascii_case(want) {
                return Err(LengthOrHashError::Hash {
                    algorithm: alg.to_owned(),
                    expected: want.to_owned(),
                    actual: got.to_owned(),
                });
            }
        }
        Ok(())
    }
}

/// Digests of `data` with the named algorithms.
pub fn digest_bytes(data: &[u8], algorithms: &[&str]) -> Result<Hashes, LengthOrHashError> {
    let mut h = Hasher::new(algorithms.iter().copied());
    h.update(data);
    h.finish().map(|(_, hashes)| hashes)
}

/// Check `data` against trusted hashes.
pub fn verify_bytes(expected: &Hashes, data: &[u8]) -> Result<(), LengthOrHashError> {
    let mut h = Hasher::for_hashes(expected);
    h.update(data);
    h.verify(None, expected)
}

/// Error from hashing a stream: reading failed, or the content does not match.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The reader failed.
    #[error("read failed: {0}")]
    Io(#[from] std::io::Error),
    /// The content does not match.
    #[error(transparent)]
    Mismatch(#[from] LengthOrHashError),
}

/// Length and digests of everything `reader` yields (any size; 64 KiB buffer).
pub fn digest_reader(
    reader: &mut dyn Read,
    algorithms: &[&str],
) -> Result<(u64, Hashes), StreamError> {
    let mut h = Hasher::new(algorithms.iter().copied());
    feed(&mut h, reader, None)?;
    Ok(h.finish()?)
}

/// Check a stream against a trusted length and hashes; stops reading one byte
/// past `expected_length`, so an endless stream cannot exhaust memory or time.
pub fn verify_reader(
    reader: &mut dyn Read,
    expected_length: u64,
    expected: &Hashes,
) -> Result<(), StreamError> {
    let mut h = Hasher::for_hashes(expected);
    feed(&mut h, reader, Some(expected_length))?;
    Ok(h.verify(Some(expected_length), expected)?)
}

fn feed(h: &mut Hasher, reader: &mut dyn Read, limit: Option<u64>) -> std::io::Result<()> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        h.update(&buf[..n]);
        if limit.is_some_and(|l| h.length() > l) {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        let h = digest_bytes(b"abc", &["sha256", "sha512"]).unwrap();
        assert_eq!(
            h.get("sha256").unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(h.get("sha512").unwrap().starts_with("ddaf35a193617aba"));
    }

    #[test]
    fn unknown_algorithm_is_a_mismatch_not_a_pass() {
        let mut map = std::collections::BTreeMap::new();
        map.insert(
            "sha256".into(),
            digest_bytes(b"x", &["sha256"])
                .unwrap()
                .get("sha256")
                .unwrap()
                .to_owned(),
        );
        map.insert("md77".into(), "00".into());
        let hashes = Hashes::new(map).unwrap();
        assert_eq!(
            verify_bytes(&hashes, b"x"),
            Err(LengthOrHashError::UnsupportedAlgorithm("md77".into()))
        );
    }

    #[test]
    fn endless_stream_stops_just_past_the_limit() {
        let hashes = digest_bytes(b"aaaa", &["sha256"]).unwrap();
        let mut endless = std::io::repeat(b'a');
        let err = verify_reader(&mut endless, 4, &hashes).unwrap_err();
        assert!(matches!(
            err,
            StreamError::Mismatch(LengthOrHashError::Length { expected: 4, .. })
        ));
        verify_reader(&mut &b"aaaa"[..], 4, &hashes).unwrap();
        assert!(verify_reader(&mut &b"aaab"[..], 4, &hashes).is_err());
    }
}
