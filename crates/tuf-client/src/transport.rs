//! The network edge: fetch one URL, streaming its body into a sink, never
//! accepting more than a given number of bytes.
//!
//! Contract of every [`Transport`]:
//! - At most `max_length` bytes are written to the sink; a body that is
//!   longer is an error ([`TransportError::TooLarge`]), not a truncation
//!   (spec §5.3.3, §5.7.3: endless data attack).
//! - "Not found" (HTTP 404 and 403) is a value, [`Fetched::NotFound`], not an
//!   error: it ends the root chain (spec §5.3.3) and python-tuf treats both
//!   statuses alike. Any other non-success status is an error.
//! - Nothing here judges content: lengths and hashes from trusted metadata
//!   are checked by the caller with `tuf-core`.
//!
//! [`fetch_bytes`] enforces the byte limit itself, so a faulty third-party
//! transport cannot make the client accept more than it asked for.

use std::error::Error as StdError;
use std::io::{self, Write};
use std::time::Duration;

use crate::Fault;

mod http;

pub use http::{HttpConfig, HttpConfigError, HttpTransport};

/// What a fetch found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Fetched {
    /// The body was written to the sink in full.
    Found {
        /// Number of bytes written.
        length: u64,
    },
    /// The server has no such file (HTTP 404 or 403). Nothing was written.
    NotFound,
}

/// A way to fetch files from a repository (HTTP by default; tests use
/// in-memory or faulty servers).
pub trait Transport: Send + Sync {
    /// Fetch `url`, writing its body to `sink`.
    ///
    /// Must write at most `max_length` bytes and fail with
    /// [`TransportError::TooLarge`] as soon as the body is known to be
    /// longer. Must return [`Fetched::NotFound`] (having written nothing)
    /// when the file does not exist.
    fn fetch(
        &self,
        url: &str,
        max_length: u64,
        sink: &mut dyn Write,
    ) -> Result<Fetched, TransportError>;
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn fetch(
        &self,
        url: &str,
        max_length: u64,
        sink: &mut dyn Write,
    ) -> Result<Fetched, TransportError> {
        (**self).fetch(url, max_length, sink)
    }
}

impl<T: Transport + ?Sized> Transport for std::sync::Arc<T> {
    fn fetch(
        &self,
        url: &str,
        max_length: u64,
        sink: &mut dyn Write,
    ) -> Result<Fetched, TransportError> {
        (**self).fetch(url, max_length, sink)
    }
}

/// Fetch `url` into memory: `Ok(None)` when it does not exist, otherwise at
/// most `max_length` bytes.
pub fn fetch_bytes(
    transport: &dyn Transport,
    url: &str,
    max_length: u64,
) -> Result<Option<Vec<u8>>, TransportError> {
    fetch_into(transport, url, max_length, Vec::new())
}

/// [`fetch_bytes`] of a file whose exact length trusted metadata gives:
/// the buffer is allocated once at that size instead of growing (no copies,
/// and no spare capacity held while the file is parsed).
pub(crate) fn fetch_exact(
    transport: &dyn Transport,
    url: &str,
    length: u64,
) -> Result<Option<Vec<u8>>, TransportError> {
    // Capped: the length is trusted, but an allocation failure would abort.
    const MAX_PREALLOCATION: u64 = 256 << 20;
    let capacity = usize::try_from(length.min(MAX_PREALLOCATION)).unwrap_or(0);
    if length >= PREFAULT_FROM && capacity as u64 == length {
        return fetch_prefaulted(transport, url, capacity);
    }
    fetch_into(transport, url, length, Vec::with_capacity(capacity))
}

/// Files of this size or more are fetched by [`fetch_prefaulted`].
const PREFAULT_FROM: u64 = 4 << 20;

/// Pages are handed from the faulting thread to the download in runs of
/// this many bytes.
const PREFAULT_RUN: usize = 256 << 10;

/// [`fetch_exact`] of a large file: while this thread copies the body in,
/// another touches the buffer's pages ahead of it, so the page faults of
/// memory used for the first time happen beside the transfer instead of
/// inside it (figures: docs/benchmarks.md, seventh session). The buffer
/// goes to the download run by run, each once its pages are in; the bytes
/// and every outcome are those of [`fetch_into`].
fn fetch_prefaulted(
    transport: &dyn Transport,
    url: &str,
    length: usize,
) -> Result<Option<Vec<u8>>, TransportError> {
    // Zeroed by the allocator: fresh pages, none touched yet.
    let mut buffer = vec![0u8; length];
    let done = std::thread::scope(|s| {
        let (ready, runs) = std::sync::mpsc::channel::<&mut [u8]>();
        let all = buffer.chunks_mut(PREFAULT_RUN);
        let toucher = move || {
            for run in all {
                for page in run.iter_mut().step_by(4096) {
                    // A store the compiler cannot drop as redundant.
                    *std::hint::black_box(page) = 0;
                }
                // The download has ended (or failed): stop touching.
                if ready.send(run).is_err() {
                    return;
                }
            }
        };
        // No thread (resource limits): the plain way, below.
        std::thread::Builder::new().spawn_scoped(s, toucher).ok()?;
        let runs = RunWriter {
            runs,
            current: &mut [],
            written: 0,
        };
        let mut sink = LimitedSink::new(runs, length as u64);
        let outcome = transport.fetch(url, length as u64, &mut sink);
        let outcome = sink.check(url, outcome);
        Some((outcome, sink.into_inner().written))
    });
    let Some((outcome, written)) = done else {
        buffer.clear();
        return fetch_into(transport, url, length as u64, buffer);
    };
    match outcome? {
        Fetched::Found { .. } => {
            buffer.truncate(written);
            Ok(Some(buffer))
        }
        Fetched::NotFound => Ok(None),
    }
}

/// A sink writing into the runs of a buffer as they arrive, in order.
struct RunWriter<'b> {
    runs: std::sync::mpsc::Receiver<&'b mut [u8]>,
    current: &'b mut [u8],
    written: usize,
}

impl Write for RunWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.current.is_empty() {
            // LimitedSink never lets a body run past the last run, so this
            // fails only if the touching thread died (its panic follows).
            self.current = self
                .runs
                .recv()
                .map_err(|_| io::Error::other("the page-touching thread stopped"))?;
        }
        let n = buf.len().min(self.current.len());
        let (head, rest) = std::mem::take(&mut self.current).split_at_mut(n);
        head.copy_from_slice(&buf[..n]);
        self.current = rest;
        self.written += n;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn fetch_into(
    transport: &dyn Transport,
    url: &str,
    max_length: u64,
    buffer: Vec<u8>,
) -> Result<Option<Vec<u8>>, TransportError> {
    let mut sink = LimitedSink::new(buffer, max_length);
    let outcome = transport.fetch(url, max_length, &mut sink);
    match sink.check(url, outcome)? {
        Fetched::Found { .. } => Ok(Some(sink.into_inner())),
        Fetched::NotFound => Ok(None),
    }
}

/// The phase of a download that took too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SlowPhase {
    /// Resolving the host or establishing the connection (TLS included).
    Connect,
    /// No byte arrived (or could be sent) within the read timeout.
    Stall,
    /// The whole download did not finish before its deadline (a server
    /// dripping bytes just fast enough to defeat the read timeout).
    Deadline,
}

impl std::fmt::Display for SlowPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SlowPhase::Connect => "connecting",
            SlowPhase::Stall => "waiting for data",
            SlowPhase::Deadline => "the whole download",
        })
    }
}

/// Why a connection failed or broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionFailure {
    /// The host name did not resolve.
    HostNotFound,
    /// The server refused the connection.
    Refused,
    /// The connection closed or reset before the response was complete.
    Interrupted,
    /// The TLS handshake or certificate check failed.
    Tls,
    /// The server's reply is not valid HTTP.
    Protocol,
    /// The proxy could not be used.
    Proxy,
    /// Another network-level I/O failure (see the error's source).
    Io,
}

impl std::fmt::Display for ConnectionFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ConnectionFailure::HostNotFound => "host not found",
            ConnectionFailure::Refused => "connection refused",
            ConnectionFailure::Interrupted => "connection interrupted",
            ConnectionFailure::Tls => "TLS failure",
            ConnectionFailure::Protocol => "invalid HTTP response",
            ConnectionFailure::Proxy => "proxy failure",
            ConnectionFailure::Io => "network I/O failure",
        })
    }
}

/// What is wrong with a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlProblem {
    /// It does not parse as an absolute URL.
    Malformed,
    /// Its scheme is neither `http` nor `https`.
    UnsupportedScheme,
}

impl std::fmt::Display for UrlProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            UrlProblem::Malformed => "not an absolute URL",
            UrlProblem::UnsupportedScheme => "only http and https are supported",
        })
    }
}

/// Why a redirect was not followed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RedirectProblem {
    /// More redirects than allowed in one fetch.
    TooMany {
        /// The configured maximum.
        limit: u32,
    },
    /// A redirect status without a usable `Location` header.
    MissingLocation,
    /// The `Location` is not a valid URL, or not http(s) (e.g. `file:`).
    Refused {
        /// The `Location` header as received (lossily decoded).
        location: String,
    },
}

impl std::fmt::Display for RedirectProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RedirectProblem::TooMany { limit } => write!(f, "more than {limit} redirects"),
            RedirectProblem::MissingLocation => f.write_str("redirect without a Location"),
            RedirectProblem::Refused { location } => {
                write!(f, "redirect to {location:?} refused (only http and https)")
            }
        }
    }
}

/// A fetch failed. Every variant names the URL requested.
///
/// Grouped by fault ([`TransportError::fault`]): the network or server
/// (status, too large, too slow, connection, redirect), the caller (invalid
/// URL), or the local sink (write).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The server answered with a status other than success, 403 or 404.
    #[error("{url}: HTTP status {status}")]
    HttpStatus {
        /// The URL requested.
        url: String,
        /// The HTTP status code.
        status: u16,
    },
    /// The body is longer than allowed (endless data attack).
    #[error("{url}: response exceeds the limit of {max_length} bytes")]
    TooLarge {
        /// The URL requested.
        url: String,
        /// The limit that was exceeded.
        max_length: u64,
    },
    /// A timeout fired (slow retrieval attack, or a dead server).
    #[error("{url}: too slow: {phase} took longer than {limit:?}")]
    TooSlow {
        /// The URL requested.
        url: String,
        /// Which timeout fired.
        phase: SlowPhase,
        /// The timeout that applied.
        limit: Duration,
    },
    /// The connection could not be made, or broke.
    #[error("{url}: {kind}")]
    Connection {
        /// The URL requested.
        url: String,
        /// What went wrong.
        kind: ConnectionFailure,
        /// The underlying error.
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
    /// A redirect was not followed.
    #[error("{url}: {problem}")]
    Redirect {
        /// The URL requested.
        url: String,
        /// Why it was not followed.
        problem: RedirectProblem,
    },
    /// The URL cannot be fetched by this transport.
    #[error("invalid URL {url:?}: {problem}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        problem: UrlProblem,
    },
    /// Writing the body to the sink failed.
    #[error("{url}: storing the response failed")]
    Write {
        /// The URL requested.
        url: String,
        /// The sink's error.
        #[source]
        source: io::Error,
    },
}

impl TransportError {
    /// Who is at fault.
    pub fn fault(&self) -> Fault {
        match self {
            TransportError::InvalidUrl { .. } => Fault::Caller,
            TransportError::Write { .. } => Fault::LocalStorage,
            TransportError::HttpStatus { .. }
            | TransportError::TooLarge { .. }
            | TransportError::TooSlow { .. }
            | TransportError::Connection { .. }
            | TransportError::Redirect { .. } => Fault::Transport,
        }
    }

    /// The URL the error is about.
    pub fn url(&self) -> &str {
        match self {
            TransportError::HttpStatus { url, .. }
            | TransportError::TooLarge { url, .. }
            | TransportError::TooSlow { url, .. }
            | TransportError::Connection { url, .. }
            | TransportError::Redirect { url, .. }
            | TransportError::InvalidUrl { url, .. }
            | TransportError::Write { url, .. } => url,
        }
    }
}

/// A sink wrapper that refuses to accept more than `limit` bytes, whatever
/// the transport does.
pub(crate) struct LimitedSink<W> {
    inner: W,
    limit: u64,
    written: u64,
    overflowed: bool,
}

impl<W: Write> LimitedSink<W> {
    pub(crate) fn new(inner: W, limit: u64) -> Self {
        LimitedSink {
            inner,
            limit,
            written: 0,
            overflowed: false,
        }
    }

    /// Turn a transport's result into the truth as seen by this sink: a
    /// transport that tried to write too much gets `TooLarge`, whatever it
    /// returned.
    pub(crate) fn check(
        &self,
        url: &str,
        outcome: Result<Fetched, TransportError>,
    ) -> Result<Fetched, TransportError> {
        if self.overflowed {
            return Err(TransportError::TooLarge {
                url: url.to_owned(),
                max_length: self.limit,
            });
        }
        outcome
    }

    pub(crate) fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: Write> Write for LimitedSink<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.len() as u64 > self.limit - self.written {
            self.overflowed = true;
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                "more bytes than the transport was allowed to deliver",
            ));
        }
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A transport that ignores its limit: it writes the whole body.
    struct Careless(Vec<u8>);

    impl Transport for Careless {
        fn fetch(
            &self,
            url: &str,
            _: u64,
            sink: &mut dyn Write,
        ) -> Result<Fetched, TransportError> {
            // A careless transport may even swallow the sink's refusal.
            let _ = sink.write_all(&self.0);
            let _ = url;
            Ok(Fetched::Found {
                length: self.0.len() as u64,
            })
        }
    }

    #[test]
    fn fetch_bytes_caps_a_transport_that_ignores_its_limit() {
        let careless = Careless(vec![7; 100]);
        let err = fetch_bytes(&careless, "http://x/y", 99).unwrap_err();
        assert!(matches!(
            err,
            TransportError::TooLarge { max_length: 99, .. }
        ));
        assert_eq!(
            fetch_bytes(&careless, "http://x/y", 100).unwrap(),
            Some(vec![7; 100])
        );
    }

    /// Serves `body` in pieces of `piece` bytes (then fails, if `fail`),
    /// or answers not found.
    struct Pieces {
        body: Option<Vec<u8>>,
        piece: usize,
        fail: bool,
    }

    impl Transport for Pieces {
        fn fetch(
            &self,
            url: &str,
            max_length: u64,
            sink: &mut dyn Write,
        ) -> Result<Fetched, TransportError> {
            let Some(body) = &self.body else {
                return Ok(Fetched::NotFound);
            };
            let too_large = || TransportError::TooLarge {
                url: url.to_owned(),
                max_length,
            };
            for piece in body.chunks(self.piece) {
                sink.write_all(piece).map_err(|_| too_large())?;
            }
            if self.fail {
                return Err(TransportError::HttpStatus {
                    url: url.to_owned(),
                    status: 500,
                });
            }
            Ok(Fetched::Found {
                length: body.len() as u64,
            })
        }
    }

    /// The large-file path (pages touched ahead on another thread) gives
    /// exactly what the plain path gives, for every outcome.
    #[test]
    fn a_large_exact_fetch_matches_the_plain_one() {
        let length = PREFAULT_FROM as usize + 3 * PREFAULT_RUN + 17;
        let body: Vec<u8> = (0..length).map(|i| (i * 7 % 251) as u8).collect();
        for piece in [1 << 16, 4093, PREFAULT_RUN, PREFAULT_RUN + 1] {
            let served = |body: Vec<u8>, fail| Pieces {
                body: Some(body),
                piece,
                fail,
            };
            let whole = fetch_exact(&served(body.clone(), false), "u", length as u64).unwrap();
            assert_eq!(whole.as_deref(), Some(&body[..]), "pieces of {piece}");
            // A short body comes back short (the caller checks the length).
            let short = fetch_exact(
                &served(body[..length - 5].to_vec(), false),
                "u",
                length as u64,
            );
            assert_eq!(short.unwrap().as_deref(), Some(&body[..length - 5]));
            // One byte too many: refused, as on the plain path.
            let mut long = body.clone();
            long.push(0);
            let err = fetch_exact(&served(long, false), "u", length as u64).unwrap_err();
            assert!(matches!(err, TransportError::TooLarge { .. }), "{err:?}");
            // A failure after some bytes is that failure.
            let err = fetch_exact(
                &served(body[..length / 2].to_vec(), true),
                "u",
                length as u64,
            );
            assert!(matches!(
                err,
                Err(TransportError::HttpStatus { status: 500, .. })
            ));
        }
        let missing = Pieces {
            body: None,
            piece: 1,
            fail: false,
        };
        assert_eq!(fetch_exact(&missing, "u", length as u64).unwrap(), None);
    }

    #[test]
    fn errors_say_who_is_at_fault() {
        let invalid = TransportError::InvalidUrl {
            url: "ftp://x".into(),
            problem: UrlProblem::UnsupportedScheme,
        };
        assert_eq!(invalid.fault(), Fault::Caller);
        let write = TransportError::Write {
            url: "http://x".into(),
            source: io::Error::other("disk full"),
        };
        assert_eq!(write.fault(), Fault::LocalStorage);
        let status = TransportError::HttpStatus {
            url: "http://x".into(),
            status: 500,
        };
        assert_eq!(status.fault(), Fault::Transport);
        assert_eq!(status.url(), "http://x");
    }
}
