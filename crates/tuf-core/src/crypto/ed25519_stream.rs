//! Ed25519 verification with the message given in pieces, for a signed
//! document too large to canonicalize into one buffer first (ADR 0011).
//!
//! # Contract
//!
//! [`Ed25519Stream`] decides exactly what aws-lc's Ed25519 verification
//! (`PublicKey::verify`) decides, for the inputs it takes: RFC 8032
//! §5.1.7 without the cofactor, S below the group order, R compared as
//! bytes with the encoding of `[S]B - [k]A`, `k = SHA-512(R || A || M)`
//! reduced. It takes fewer inputs: a signature of another length, an S not
//! below the order, or a public key that is not the canonical encoding of
//! a curve point gets `None` from [`Ed25519Stream::new`], and the caller
//! must leave that signature to aws-lc with the whole message. The tests
//! compare both on valid, tampered and crafted signatures.
//!
//! The arithmetic is curve25519-dalek's (variable time: only public values
//! are involved); SHA-512 is aws-lc's.

use aws_lc_rs::digest::{Context, SHA512};
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;

/// One Ed25519 signature being checked while its message streams by.
pub(crate) struct Ed25519Stream {
    hash: Context,
    minus_a: EdwardsPoint,
    s: Scalar,
    r: [u8; 32],
}

impl Ed25519Stream {
    /// Begin checking `sig` by the raw 32-byte key `public`; `None` when
    /// this path does not take the pair (see the module contract).
    pub(crate) fn new(public: &[u8], sig: &[u8]) -> Option<Ed25519Stream> {
        let public: [u8; 32] = public.try_into().ok()?;
        let (r, s) = sig.split_first_chunk::<32>()?;
        let s: [u8; 32] = s.try_into().ok()?;
        let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s))?;
        let a = CompressedEdwardsY(public).decompress()?;
        // Non-canonical encodings (y not reduced, or x = 0 with the sign
        // bit set) are left to aws-lc rather than decided here.
        if a.compress().0 != public {
            return None;
        }
        let mut hash = Context::new(&SHA512);
        hash.update(r);
        hash.update(&public);
        Some(Ed25519Stream {
            hash,
            minus_a: -a,
            s,
            r: *r,
        })
    }

    /// The next piece of the message.
    pub(crate) fn update(&mut self, piece: &[u8]) {
        self.hash.update(piece);
    }

    /// Whether the signature holds over everything given to
    /// [`update`](Self::update).
    pub(crate) fn verify(self) -> bool {
        let digest = self.hash.finish();
        let Ok(wide) = <[u8; 64]>::try_from(digest.as_ref()) else {
            return false;
        };
        let k = Scalar::from_bytes_mod_order_wide(&wide);
        let r = EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &self.minus_a, &self.s);
        r.compress().0 == self.r
    }
}

#[cfg(test)]
mod tests {
    use aws_lc_rs::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
    use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
    use curve25519_dalek::edwards::CompressedEdwardsY;
    use curve25519_dalek::scalar::Scalar;

    use super::Ed25519Stream;

    /// Our verdict in pieces of `chunk` bytes, or `None` (left to aws-lc).
    fn streamed(public: &[u8], msg: &[u8], sig: &[u8], chunk: usize) -> Option<bool> {
        let mut stream = Ed25519Stream::new(public, sig)?;
        msg.chunks(chunk.max(1))
            .for_each(|piece| stream.update(piece));
        if msg.is_empty() {
            stream.update(&[]);
        }
        Some(stream.verify())
    }

    fn aws_lc(public: &[u8], msg: &[u8], sig: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, public)
            .verify(msg, sig)
            .is_ok()
    }

    /// Where we decide, we decide as aws-lc; where we do not, aws-lc does.
    fn agree(public: &[u8], msg: &[u8], sig: &[u8]) -> Option<bool> {
        let ours = streamed(public, msg, sig, 7);
        if let Some(ours) = ours {
            assert_eq!(
                ours,
                aws_lc(public, msg, sig),
                "key {public:02x?} sig {sig:02x?}"
            );
        }
        ours
    }

    fn key(seed: u8) -> Ed25519KeyPair {
        Ed25519KeyPair::from_seed_unchecked(&[seed; 32]).expect("seed")
    }

    #[test]
    fn a_valid_signature_verifies_whatever_the_pieces() {
        let kp = key(1);
        let msg: Vec<u8> = (0..100_000u32).map(|i| (i * 31 % 251) as u8).collect();
        let sig = kp.sign(&msg);
        for chunk in [1, 63, 64, 65, 4096, msg.len()] {
            assert_eq!(
                streamed(kp.public_key().as_ref(), &msg, sig.as_ref(), chunk),
                Some(true)
            );
        }
        assert_eq!(
            agree(kp.public_key().as_ref(), b"", kp.sign(b"").as_ref()),
            Some(true)
        );
    }

    #[test]
    fn a_tampered_message_or_signature_fails_as_with_aws_lc() {
        for seed in 0..3u8 {
            let kp = key(seed);
            let public = kp.public_key().as_ref();
            let msg = format!("{{\"signed\":{{\"version\":{seed}}}}}").into_bytes();
            let sig = kp.sign(&msg).as_ref().to_vec();
            assert_eq!(agree(public, &msg, &sig), Some(true));
            for bit in 0..msg.len() * 8 {
                let mut bad = msg.clone();
                bad[bit / 8] ^= 1 << (bit % 8);
                assert_eq!(agree(public, &bad, &sig), Some(false));
            }
            for bit in 0..512 {
                let mut bad = sig.clone();
                bad[bit / 8] ^= 1 << (bit % 8);
                // A flip in S's top bits makes S too large: not ours to decide.
                assert_ne!(agree(public, &msg, &bad), Some(true));
            }
            // Another key's signature.
            let other = key(seed.wrapping_add(100)).sign(&msg);
            assert_eq!(agree(public, &msg, other.as_ref()), Some(false));
        }
    }

    #[test]
    fn malleated_and_malformed_signatures_are_refused_or_left_to_aws_lc() {
        let kp = key(9);
        let public = kp.public_key().as_ref();
        let msg = b"canonical bytes";
        let sig = kp.sign(msg).as_ref().to_vec();
        // S + L: the classic malleation. aws-lc refuses it; we do not take it.
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut s_plus_l = [0u8; 32];
        let mut carry = 0u16;
        for i in 0..32 {
            let sum = u16::from(sig[32 + i]) + u16::from(L[i]) + carry;
            s_plus_l[i] = sum as u8;
            carry = sum >> 8;
        }
        assert_eq!(carry, 0, "S + L fits in 256 bits");
        let mut malleated = sig.clone();
        malleated[32..].copy_from_slice(&s_plus_l);
        assert!(!aws_lc(public, msg, &malleated));
        assert_eq!(streamed(public, msg, &malleated, 5), None);
        // Wrong lengths.
        assert_eq!(streamed(public, msg, &sig[..63], 5), None);
        assert_eq!(
            streamed(public, msg, &[sig.clone(), vec![0]].concat(), 5),
            None
        );
        assert_eq!(streamed(&public[..31], msg, &sig, 5), None);
    }

    /// Keys and R values that are small-order points or non-canonical
    /// encodings: we either agree with aws-lc or leave them to it.
    #[test]
    fn crafted_points_agree_with_aws_lc() {
        let mut encodings: Vec<[u8; 32]> = Vec::new();
        // The identity, and points of small order given by their y.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        encodings.push(identity);
        let mut minus_one = [0xffu8; 32];
        minus_one[0] = 0xec;
        minus_one[31] = 0x7f;
        encodings.push(minus_one); // y = -1 (order 2)
        encodings.push([0u8; 32]); // y = 0 (order 4)
        // Non-canonical: y = p (reads as 0), y = p + 1 (reads as 1).
        let mut p = [0xffu8; 32];
        p[0] = 0xed;
        p[31] = 0x7f;
        encodings.push(p);
        let mut p1 = p;
        p1[0] = 0xee;
        encodings.push(p1);
        // The identity with the sign bit set (x = 0, "negative").
        let mut neg_identity = identity;
        neg_identity[31] |= 0x80;
        encodings.push(neg_identity);
        // A real key and the base point.
        encodings.push(key(3).public_key().as_ref().try_into().unwrap());
        encodings.push(ED25519_BASEPOINT_POINT.compress().0);
        let msg = b"m";
        let mut decided = 0;
        for a in &encodings {
            for r in &encodings {
                for s in [Scalar::ZERO, Scalar::ONE] {
                    let sig = [&r[..], &s.to_bytes()[..]].concat();
                    if agree(a, msg, &sig).is_some() {
                        decided += 1;
                    }
                }
            }
        }
        // The canonical small-order keys are ours to decide (and agreed).
        assert!(decided > 0);
        // A non-canonical key is never decided here.
        for a in [p, p1, neg_identity] {
            let sig = [&identity[..], &Scalar::ZERO.to_bytes()[..]].concat();
            assert_eq!(streamed(&a, msg, &sig, 1), None, "{a:02x?}");
        }
        assert!(CompressedEdwardsY(identity).decompress().is_some());
    }
}
