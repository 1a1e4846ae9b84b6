//! Threshold verification and [`Verified`], the proof type for trusted metadata.
//!
//! # Contract
//!
//! A [`Verified<T>`] can only be built here, and only after a threshold of
//! distinct keys from every required delegator has signed the canonical bytes
//! of the `signed` member *as received*. Parsing into `T` happens from the
//! same received text. One function counts signatures for every role.

use std::sync::Arc;

use crate::canonical;
use crate::error::Error;
use crate::error::FormatError;
use crate::metadata::{Metadata, Parsed, RawMetadata, RoleKeys, SignedMeta, StreamedCheck};

/// Metadata whose signatures have been verified. Only this module builds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified<T> {
    metadata: Metadata<T>,
}

impl<T> Verified<T> {
    /// The payload.
    pub fn signed(&self) -> &T {
        &self.metadata.signed
    }
    /// The whole document.
    pub fn metadata(&self) -> &Metadata<T> {
        &self.metadata
    }
    /// Give up the proof and take the document.
    pub fn into_inner(self) -> Metadata<T> {
        self.metadata
    }
}

impl<T> std::ops::Deref for Verified<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.metadata.signed
    }
}

/// Documents whose `signed` text is at least this large are parsed and
/// signature-checked on two threads at once. A 100k-target targets.json is
/// ~18 MB; a snapshot of 16,384 hashed bins is 754 KB, whose parse + verify
/// took 4.4 ms on two threads against 5.1 ms on one (median of 200, 2 cores;
/// measured with the split at 64 KiB). Below a few hundred KB the thread
/// start-up (~50 µs) eats most of the gain.
const PARALLEL_ABOVE: usize = 256 << 10;

/// Verify `raw` against every set of role keys in `delegators` (root updates
/// need two: the trusted root's and the new root's), then parse it as `T`.
/// Format errors take precedence over signature errors.
pub fn verify<T: SignedMeta>(
    raw: &RawMetadata<'_>,
    delegators: &[&RoleKeys<'_>],
) -> Result<Verified<T>, Error> {
    verify_parsed(raw, delegators).map(Parsed::finish)
}

/// [`verify`], its verdict final but the payload's largest map, if any,
/// still to build (see [`Parsed`]): the result no longer borrows `raw`.
fn verify_parsed<T: SignedMeta>(
    raw: &RawMetadata<'_>,
    delegators: &[&RoleKeys<'_>],
) -> Result<Parsed<Verified<T>>, Error> {
    // Canonicalize, then check every signature: one thread's work.
    let check = || -> Result<(), Error> {
        raw.canonicalize()?;
        delegators.iter().try_for_each(|keys| keys.verify(raw))?;
        Ok(())
    };
    if raw.signed_text().len() >= PARALLEL_ABOVE {
        let text = raw.signed_text().as_bytes();
        // The typed parse takes about half as long as canonicalizing and
        // hashing, so its thread first canonicalizes the second half of the
        // text (from a key near the middle) for the checking thread.
        let split = canonical::split_point(text);
        let parallel = std::thread::scope(|s| {
            let (tail_tx, tail_rx) = std::sync::mpsc::sync_channel(1);
            let checker = move || -> Result<(), Error> {
                let mut tail = || tail_rx.recv().ok().flatten();
                let split = split.map(|at| (at, &mut tail as &mut dyn FnMut() -> _));
                // Not kept in `raw`: freed here, before the model is complete.
                let canonical = raw.canonical_once(split)?;
                delegators
                    .iter()
                    .try_for_each(|keys| keys.verify_message(&canonical, raw.signatures()))?;
                Ok(())
            };
            // No thread available (resource limits): fall back to one thread.
            let handle = std::thread::Builder::new().spawn_scoped(s, checker).ok()?;
            if let Some(at) = split {
                // A send fails only if the checker is gone; it then needs nothing.
                let _ = tail_tx.send(canonical::canonical_tail(text, at));
            }
            drop(tail_tx);
            // Built in full here, beside the check: the caller still holds
            // the text, so waiting for the canonical form to be freed would
            // save little memory and cost the overlap.
            let metadata = raw.to_metadata::<T>().map(Parsed::done);
            let checked = handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            Some((metadata, checked))
        });
        if let Some((metadata, checked)) = parallel {
            let metadata = metadata?;
            checked?;
            return Ok(proven(metadata));
        }
    }
    let metadata = raw.to_parsed::<T>()?;
    check()?;
    Ok(proven(metadata))
}

/// The proof for a payload whose signatures have been checked; what is left
/// of it to build is built inside the proof.
fn proven<T: SignedMeta>(metadata: Parsed<Metadata<T>>) -> Parsed<Verified<T>> {
    metadata.wrap(|metadata| Verified { metadata }, |v| &mut v.metadata)
}

/// Parse `bytes` as `role` and [`verify`] it, canonicalizing `signed` in
/// parallel with the typed parse when the document is large.
pub fn parse_and_verify<T: SignedMeta>(
    bytes: &[u8],
    role: &str,
    delegators: &[&RoleKeys<'_>],
) -> Result<Verified<T>, Error> {
    parse_and_verify_parsed(bytes, role, delegators).map(Parsed::finish)
}

/// Below this size [`parse_and_verify_owned`] checks the signatures first,
/// frees the canonical form, then parses (all on one thread), so the text,
/// the canonical form and the model are never all in memory at once. The
/// client's peak over a snapshot of 16,384 hashed bins (754 KB) went from
/// 4.8 to at most 2.7 times its size, and the refresh measured no slower
/// (ADR 0009). Above it, as for a 100,000-target targets.json, the overlap
/// is worth more than the memory.
const OVERLAP_ABOVE: usize = 4 << 20;

/// [`parse_and_verify`] taking the bytes by value, to free them early: a
/// large document's text is dropped once it is parsed and canonicalized,
/// and the payload's largest map is built after that, while the signatures
/// are still being checked; so the text and the finished model are never
/// in memory together. (Memory is only returned if this was the bytes' last
/// owner.) A document under 256 KiB, or under 4 MiB with a signature that
/// cannot be checked as its canonical form streams by (anything but
/// Ed25519, ADR 0011), is checked before it is parsed, on one thread, and
/// its bytes dropped once the verdict is in.
pub fn parse_and_verify_owned<T: SignedMeta, B: AsRef<[u8]> + Send + Sync>(
    bytes: B,
    role: &str,
    delegators: &[&RoleKeys<'_>],
) -> Result<Verified<T>, Error> {
    parse_and_verify_pinned(bytes, role, delegators, |_| Ok(()))
}

/// [`parse_and_verify_owned`] of a file that other trusted metadata pins
/// (spec §5.5.2, §5.6.2): `pinned` checks the bytes against that length and
/// those hashes, and its error wins over every other. On one thread it runs
/// before anything else; on two, on this thread while the other
/// canonicalizes, so hashing an 18 MB targets.json no longer delays the
/// signature check (ADR 0009). Either way nothing is parsed into a model,
/// nor trusted, before `pinned` has passed.
pub fn parse_and_verify_pinned<T: SignedMeta, B: AsRef<[u8]> + Send + Sync>(
    bytes: B,
    role: &str,
    delegators: &[&RoleKeys<'_>],
    pinned: impl FnOnce(&[u8]) -> Result<(), Error>,
) -> Result<Verified<T>, Error> {
    let len = bytes.as_ref().len();
    if len < PARALLEL_ABOVE {
        pinned(bytes.as_ref())?;
        let parsed = parse_envelope_then(bytes.as_ref(), role, delegators, check_then_parse)?;
        drop(bytes);
        return Ok(parsed.finish());
    }
    // From 256 KiB to 4 MiB, two threads only if the check can stream: it
    // then holds no canonical form, and memory stays as on one (ADR 0011).
    let overlap = if len < OVERLAP_ABOVE {
        Overlap::IfStreamed
    } else {
        Overlap::Always
    };
    let mut pinned = Some(pinned);
    let shared = Arc::new(bytes);
    let theirs = Arc::clone(&shared);
    let mut mine = Some(shared);
    if let Some(decided) = overlapped(&mut mine, theirs, role, delegators, &mut pinned, overlap) {
        return decided;
    }
    // `overlapped` gives its bytes up only with a verdict, so they are here.
    let bytes = mine.as_ref().map_or(&[][..], |b| (**b).as_ref());
    if let Some(pinned) = pinned.take() {
        pinned(bytes)?;
    }
    match overlap {
        Overlap::IfStreamed => {
            parse_envelope_then(bytes, role, delegators, check_then_parse).map(Parsed::finish)
        }
        Overlap::Always => parse_and_verify_parsed(bytes, role, delegators).map(Parsed::finish),
    }
}

/// When [`overlapped`] runs its two threads.
#[derive(Clone, Copy)]
enum Overlap {
    /// Whatever the signatures (4 MiB and more: the overlap is worth the
    /// memory of a canonical form).
    Always,
    /// Only if every signature to check can be checked as the canonical form
    /// streams by ([`StreamedCheck`]).
    IfStreamed,
}

/// The two-thread check of a large document whose `signed` member comes last,
/// with its text freed as early as possible: the checking thread holds its
/// own handle on the bytes (`theirs`) only until it has the canonical form,
/// and this thread drops `mine` once its parse has read everything it needs
/// (the usual entries in compact form, [`Parsed`]). Once both are gone, the
/// payload's largest map is built here while the other thread is still
/// hashing. So the peak is the text, the canonical form and the compact
/// entries, or the canonical form, the compact entries and the map, never
/// all four. When every signature to check is Ed25519, the canonical form
/// is hashed piece by piece and never held (`StreamedCheck`, ADR 0011):
/// the map is built at once, beside the text, which the other thread holds
/// until its hash is done. `None`: undecided (no thread, or the guessed
/// split may have been wrong), and `mine` is still there for the strict
/// path.
fn overlapped<T: SignedMeta, B: AsRef<[u8]> + Send + Sync>(
    mine: &mut Option<Arc<B>>,
    theirs: Arc<B>,
    role: &str,
    delegators: &[&RoleKeys<'_>],
    pinned: &mut Option<impl FnOnce(&[u8]) -> Result<(), Error>>,
    overlap: Overlap,
) -> Option<Result<Verified<T>, Error>> {
    std::thread::scope(|s| {
        let all = (**mine.as_ref()?).as_ref();
        let raw = RawMetadata::split_signed_last(all, role)?;
        let text = raw.signed_text().as_bytes();
        // Where `signed` lies in the bytes, for the other thread to find it
        // again; it is a slice of them, but check rather than trust that.
        let start = (text.as_ptr() as usize).checked_sub(all.as_ptr() as usize)?;
        let range = start..start + text.len();
        if !all
            .get(range.clone())
            .is_some_and(|found| std::ptr::eq(found, text))
        {
            return None;
        }
        let signatures = raw.signatures().to_vec();
        let streamed = StreamedCheck::new(delegators, &signatures);
        if streamed.is_none() && matches!(overlap, Overlap::IfStreamed) {
            return None;
        }
        let (freed_tx, freed_rx) = std::sync::mpsc::sync_channel::<()>(1);
        // All of the canonical form is made on the checking thread (unlike
        // `verify`, which gives half of it to this one): this thread has the
        // map to build. 100k targets: map built 25 ms sooner this way.
        let checker = move || -> Result<(), Error> {
            let signed = &(*theirs).as_ref()[range];
            // Ed25519 only: the canonical form is hashed piece by piece and
            // never held whole, so the other thread need not wait for the
            // text to go before it builds the map (ADR 0011).
            let mut told = false;
            if let Some(streamed) = streamed {
                let _ = freed_tx.send(());
                told = true;
                if let Some(verdict) = streamed.run(signed, delegators, &signatures) {
                    return verdict.map_err(Error::from);
                }
            }
            let canonical = canonical::canonicalize_utf8(signed);
            drop(theirs);
            // The other thread may now free the text; if it has gone, fine.
            if !told {
                let _ = freed_tx.send(());
            }
            let canonical =
                canonical.map_err(|e| FormatError::new(role, "signed", e.to_string()))?;
            delegators
                .iter()
                .try_for_each(|keys| keys.verify_message(&canonical, &signatures))?;
            Ok(())
        };
        // No thread available (resource limits): the strict path, on one.
        let handle = std::thread::Builder::new().spawn_scoped(s, checker).ok()?;
        let join = |h: std::thread::ScopedJoinHandle<'_, Result<(), Error>>| {
            h.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        };
        // The pinned length and hashes, while the other thread canonicalizes.
        if let Some(pinned) = pinned.take()
            && let Err(e) = pinned(all)
        {
            let _ = join(handle);
            return Some(Err(e));
        }
        let parsed = raw.to_parsed::<T>();
        drop(raw);
        let Ok(parsed) = parsed else {
            // Perhaps a member after `signed`: the strict path decides.
            let _ = join(handle);
            return None;
        };
        // This parse read all of `signed`, so the split was right and what
        // follows is the verdict.
        *mine = None;
        // A receive fails only if the checker ended early (an error).
        let _ = freed_rx.recv();
        let metadata = parsed.finish();
        Some(join(handle).map(|()| Verified { metadata }))
    })
}

fn parse_and_verify_parsed<T: SignedMeta>(
    bytes: &[u8],
    role: &str,
    delegators: &[&RoleKeys<'_>],
) -> Result<Parsed<Verified<T>>, Error> {
    parse_envelope_then(bytes, role, delegators, verify_parsed)
}

/// Find `signed` in `bytes` and run `check` (signatures and parse) on it.
/// [`parse_and_verify`] checks beside the parse ([`verify_parsed`]); the
/// owned path under [`OVERLAP_ABOVE`] checks first ([`check_then_parse`]).
fn parse_envelope_then<T: SignedMeta>(
    bytes: &[u8],
    role: &str,
    delegators: &[&RoleKeys<'_>],
    check: impl Fn(&RawMetadata<'_>, &[&RoleKeys<'_>]) -> Result<Parsed<Verified<T>>, Error>,
) -> Result<Parsed<Verified<T>>, Error> {
    if bytes.len() >= PARALLEL_ABOVE {
        // Skip a full scan of the envelope when `signed` is its last member.
        if let Some(raw) = RawMetadata::split_signed_last(bytes, role) {
            match check(&raw, delegators) {
                // A format error may only mean the guessed split was wrong
                // (a member after `signed`): the strict path decides.
                Err(Error::Format(_)) => {}
                // Both the check and the parse read all of `signed`, so the
                // split was right and this outcome is the verdict.
                done => return done,
            }
        }
    }
    let raw = RawMetadata::parse_envelope(bytes, role)?;
    check(&raw, delegators)
}

/// Check the signatures over a canonical form made for the purpose and
/// dropped at once, then parse. Format errors still take precedence.
fn check_then_parse<T: SignedMeta>(
    raw: &RawMetadata<'_>,
    delegators: &[&RoleKeys<'_>],
) -> Result<Parsed<Verified<T>>, Error> {
    let checked = raw
        .canonical_once(None)
        .map_err(Error::from)
        .and_then(|canonical| {
            delegators
                .iter()
                .try_for_each(|keys| keys.verify_message(&canonical, raw.signatures()))
                .map_err(Error::from)
        });
    let metadata = raw.to_parsed::<T>()?;
    checked?;
    Ok(proven(metadata))
}

/// Verify a root against its own keys (§5.2: the trusted root must be self-signed).
pub fn verify_root_self(raw: &RawMetadata<'_>) -> Result<Verified<crate::metadata::Root>, Error> {
    let metadata = raw.to_metadata::<crate::metadata::Root>()?;
    metadata
        .signed
        .role_keys(crate::RoleType::Root)
        .verify(raw)?;
    Ok(Verified { metadata })
}

/// Verify a new root against the trusted root's keys and its own (§5.3.4).
pub fn verify_root_update(
    raw: &RawMetadata<'_>,
    trusted: &crate::metadata::Root,
) -> Result<Verified<crate::metadata::Root>, Error> {
    let metadata = raw.to_metadata::<crate::metadata::Root>()?;
    trusted.role_keys(crate::RoleType::Root).verify(raw)?;
    metadata
        .signed
        .role_keys(crate::RoleType::Root)
        .verify(raw)?;
    Ok(Verified { metadata })
}
