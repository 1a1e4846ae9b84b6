//! The default [`Transport`]: blocking HTTP(S) over ureq 3 and rustls with
//! the aws-lc-rs crypto provider (no OpenSSL) and Mozilla's roots
//! (webpki-roots).
//!
//! Contract:
//! - Every fetch is bounded in size and in time: a `Content-Length` above the
//!   limit is refused before the body is read, the body stream is capped at
//!   the limit whatever the headers say, a read timeout catches a stalled
//!   server, and a deadline scaled to the allowed length
//!   ([`HttpConfig::download_deadline`]) catches a server that drips bytes
//!   just fast enough to defeat the read timeout (slow retrieval attack).
//! - Redirects are followed only to `http` and `https` URLs, at most
//!   [`HttpConfig::max_redirects`] times; the deadline covers all of them.
//! - No TLS state is process-global: the crypto provider is given to this
//!   transport's agent only.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU64;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::{StatusCode, Uri, header};
use ureq::tls::{RootCerts, TlsConfig, TlsProvider};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};
use ureq::{Agent, Proxy};

use super::{
    ConnectionFailure, Fetched, RedirectProblem, SlowPhase, Transport, TransportError, UrlProblem,
};
use crate::Fault;

/// Settings of [`HttpTransport`]. Start from [`HttpConfig::default`] and
/// change the fields you need.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpConfig {
    /// Limit for resolving the host and connecting (TLS handshake included).
    /// Default 30 s, python-tuf's socket timeout.
    pub connect_timeout: Duration,
    /// Longest wait for the next byte. Default 30 s, python-tuf's socket
    /// timeout.
    pub read_timeout: Duration,
    /// Fixed part of the whole-download deadline. Default 30 s.
    pub deadline_base: Duration,
    /// Slowest average rate tolerated: the deadline grows by one second per
    /// this many allowed bytes. Default 16 KiB/s (a poor mobile link), so a
    /// 5 MB targets.json may take about 6 minutes, and no longer.
    pub min_bytes_per_second: NonZeroU64,
    /// The application's own product token(s), e.g. `"myapp/1.2"`, sent
    /// before `tuf-rs/<version>` in the `User-Agent` header.
    pub app_user_agent: Option<String>,
    /// Use a proxy from `ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY` (and honour
    /// `NO_PROXY`). Default true.
    pub proxy_from_env: bool,
    /// Most redirects followed by one fetch. Default 10.
    pub max_redirects: u32,
}

const KIB: u64 = 1024;

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(30),
            deadline_base: Duration::from_secs(30),
            min_bytes_per_second: NonZeroU64::new(16 * KIB).expect("non-zero"),
            app_user_agent: None,
            proxy_from_env: true,
            max_redirects: 10,
        }
    }
}

impl HttpConfig {
    /// The time a whole fetch of at most `max_length` bytes may take:
    /// `deadline_base + max_length / min_bytes_per_second`.
    pub fn download_deadline(&self, max_length: u64) -> Duration {
        let rate = self.min_bytes_per_second.get();
        let secs = max_length / rate;
        let nanos = u128::from(max_length % rate) * 1_000_000_000 / u128::from(rate);
        // nanos < 1e9 because the remainder is below the rate.
        let scaled = Duration::new(secs, u32::try_from(nanos).unwrap_or(999_999_999));
        self.deadline_base.saturating_add(scaled)
    }

    /// The `User-Agent` sent: `[<app> ]tuf-rs/<version>`.
    pub fn user_agent(&self) -> String {
        let ours = concat!("tuf-rs/", env!("CARGO_PKG_VERSION"));
        match self.app_user_agent.as_deref().map(str::trim) {
            Some(app) if !app.is_empty() => format!("{app} {ours}"),
            _ => ours.to_owned(),
        }
    }
}

/// The configuration cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HttpConfigError {
    /// The application's User-Agent contains characters a header cannot carry.
    #[error("invalid User-Agent {user_agent:?}: only visible ASCII and spaces are allowed")]
    InvalidUserAgent {
        /// The rejected value.
        user_agent: String,
    },
}

impl HttpConfigError {
    /// Always [`Fault::Caller`].
    pub fn fault(&self) -> Fault {
        Fault::Caller
    }
}

/// Blocking HTTP(S) transport. Cheap to share: one connection pool, used by
/// one fetch at a time per calling thread.
pub struct HttpTransport {
    agent: Agent,
    config: HttpConfig,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Default for HttpTransport {
    fn default() -> Self {
        HttpTransport::new(HttpConfig::default()).expect("the default configuration is valid")
    }
}

impl HttpTransport {
    /// A transport with these settings.
    pub fn new(config: HttpConfig) -> Result<HttpTransport, HttpConfigError> {
        let user_agent = config.user_agent();
        if header::HeaderValue::from_str(&user_agent).is_err() {
            return Err(HttpConfigError::InvalidUserAgent {
                user_agent: config.app_user_agent.clone().unwrap_or_default(),
            });
        }
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .root_certs(RootCerts::WebPki)
            .unversioned_rustls_crypto_provider(Arc::new(
                rustls::crypto::aws_lc_rs::default_provider(),
            ))
            .build();
        let proxy = if config.proxy_from_env {
            Proxy::try_from_env()
        } else {
            None
        };
        let config_ureq = Agent::config_builder()
            // Statuses and redirects are judged here, not inside ureq.
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(user_agent)
            .proxy(proxy)
            .tls_config(tls)
            .timeout_resolve(Some(config.connect_timeout))
            .timeout_connect(Some(config.connect_timeout))
            .timeout_per_read(Some(config.read_timeout))
            .timeout_per_write(Some(config.read_timeout))
            .build();
        let agent = Agent::with_parts(
            config_ureq,
            DefaultConnector::default(),
            ReuseResolver::default(),
        );
        Ok(HttpTransport { agent, config })
    }

    /// The settings in use.
    pub fn config(&self) -> &HttpConfig {
        &self.config
    }
}

impl Transport for HttpTransport {
    fn fetch(
        &self,
        url: &str,
        max_length: u64,
        sink: &mut dyn Write,
    ) -> Result<Fetched, TransportError> {
        let mut uri = parse_url(url)?;
        let limit = self.config.download_deadline(max_length);
        let deadline = Instant::now().checked_add(limit);
        let fail = Failure {
            url,
            config: &self.config,
            deadline: limit,
        };
        let mut redirects = 0u32;
        loop {
            let remaining = match deadline {
                Some(d) => match d.checked_duration_since(Instant::now()) {
                    Some(r) if !r.is_zero() => Some(r),
                    _ => return Err(fail.slow(SlowPhase::Deadline)),
                },
                None => None,
            };
            tracing::debug!(%uri, max_length, "fetching");
            let response = self
                .agent
                .get(uri.clone())
                .config()
                // Covers connecting, headers and the whole body (ureq keeps
                // the budget running while we read).
                .timeout_global(remaining)
                .build()
                .call()
                .map_err(|e| fail.classify(e))?;
            let status = response.status();
            if status.is_success() {
                return read_body(response, max_length, sink, &fail);
            }
            match status {
                // §5.3.3: a missing file ends the root chain; python-tuf
                // reads 403 (common on object stores) the same way as 404.
                StatusCode::NOT_FOUND | StatusCode::FORBIDDEN => {
                    drain(response);
                    return Ok(Fetched::NotFound);
                }
                StatusCode::MOVED_PERMANENTLY
                | StatusCode::FOUND
                | StatusCode::SEE_OTHER
                | StatusCode::TEMPORARY_REDIRECT
                | StatusCode::PERMANENT_REDIRECT => {
                    if redirects >= self.config.max_redirects {
                        return Err(fail.redirect(RedirectProblem::TooMany {
                            limit: self.config.max_redirects,
                        }));
                    }
                    redirects += 1;
                    let location = response
                        .headers()
                        .get(header::LOCATION)
                        .ok_or_else(|| fail.redirect(RedirectProblem::MissingLocation))?;
                    let location = String::from_utf8_lossy(location.as_bytes()).into_owned();
                    // The redirect often stays on the same host.
                    drain(response);
                    uri = resolve_location(&uri, &location)
                        .ok_or_else(|| fail.redirect(RedirectProblem::Refused { location }))?;
                }
                other => {
                    return Err(TransportError::HttpStatus {
                        url: url.to_owned(),
                        status: other.as_u16(),
                    });
                }
            }
        }
    }
}

/// How long a looked-up host's addresses are reused. A refresh asks the same
/// host for several files within seconds; TUF trusts no address anyway (every
/// byte is verified), so this only saves lookups.
const RESOLVED_FOR: Duration = Duration::from_secs(30);

/// ureq's resolver, minus its cost per request: ureq resolves the host
/// before every request, even one served by a pooled connection, and with a
/// timeout set it does so on a new thread (one thread per request: 250 of
/// them for a chain of 250 roots). Here an IP address needs no lookup, and a
/// host name's addresses are reused for [`RESOLVED_FOR`] (for the last
/// [`HOSTS_KEPT`] hosts: metadata and targets are often served by
/// different hosts, and requests alternate between them).
#[derive(Debug, Default)]
struct ReuseResolver {
    lookup: DefaultResolver,
    /// Recent successful lookups, oldest first: `host:port`, when, and the
    /// addresses.
    recent: Mutex<Vec<(String, Instant, Vec<SocketAddr>)>>,
}

/// How many hosts' addresses [`ReuseResolver`] keeps.
const HOSTS_KEPT: usize = 8;

impl ReuseResolver {
    fn addrs(&self, list: &[SocketAddr]) -> ResolvedSocketAddrs {
        let mut out = self.empty();
        // `list` came from a ResolvedSocketAddrs, so it fits.
        list.iter().for_each(|a| out.push(*a));
        out
    }
}

/// The port a URL names, or its scheme's default (http and https only).
fn port_of(uri: &Uri) -> Option<u16> {
    uri.port_u16().or(match uri.scheme_str() {
        Some("http") => Some(80),
        Some("https") => Some(443),
        _ => None,
    })
}

impl Resolver for ReuseResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(host), Some(port)) = (uri.host(), port_of(uri)) else {
            return self.lookup.resolve(uri, config, timeout);
        };
        // `http::Uri` keeps an IPv6 literal's brackets.
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(self.addrs(&[SocketAddr::new(ip, port)]));
        }
        let key = format!("{host}:{port}");
        let recent = || self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, _, list)) = recent()
            .iter()
            .find(|(name, at, _)| *name == key && at.elapsed() < RESOLVED_FOR)
        {
            return Ok(self.addrs(list));
        }
        // Not under the lock: a slow lookup must not hold up other hosts.
        let found = self.lookup.resolve(uri, config, timeout)?;
        let mut kept = recent();
        kept.retain(|(name, at, _)| *name != key && at.elapsed() < RESOLVED_FOR);
        if kept.len() >= HOSTS_KEPT {
            kept.remove(0);
        }
        kept.push((key, Instant::now(), found.to_vec()));
        Ok(found)
    }
}

/// Read a short error or redirect page to its end, so that ureq can pool
/// its connection: every refresh ends its root chain with a 404, and the
/// next request (timestamp.json, same host) then needs no new connection,
/// which over HTTPS would be a new TLS handshake. A page announced as longer
/// than [`DRAIN_AT_MOST`] is not read; one of unknown length is read up to
/// that many bytes, and if it goes on, its connection is closed. The
/// request's deadline still applies to this read.
fn drain(mut response: ureq::http::Response<ureq::Body>) {
    if response
        .body()
        .content_length()
        .is_some_and(|declared| declared > DRAIN_AT_MOST)
    {
        return;
    }
    let reader = response.body_mut().as_reader().take(DRAIN_AT_MOST);
    // A failure only means the connection is not reused.
    let _ = io::copy(&mut { reader }, &mut io::sink());
}

/// The most of an error or redirect page [`drain`] reads.
const DRAIN_AT_MOST: u64 = 16 * 1024;

/// Stream the body into `sink`, never reading more than one byte past
/// `max_length`.
fn read_body(
    mut response: ureq::http::Response<ureq::Body>,
    max_length: u64,
    sink: &mut dyn Write,
    fail: &Failure<'_>,
) -> Result<Fetched, TransportError> {
    // Cheap early refusal; the cap below still applies when the header lies.
    if response
        .body()
        .content_length()
        .is_some_and(|declared| declared > max_length)
    {
        return Err(fail.too_large(max_length));
    }
    let mut reader = response.body_mut().as_reader();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        // One byte past the limit is enough to tell "exactly max" from "more".
        let room = max_length.saturating_sub(total).saturating_add(1);
        let want = usize::try_from(room).map_or(buf.len(), |r| r.min(buf.len()));
        let n = match reader.read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(fail.classify(ureq::Error::from(e))),
        };
        if total.saturating_add(n as u64) > max_length {
            return Err(fail.too_large(max_length));
        }
        sink.write_all(&buf[..n])
            .map_err(|source| TransportError::Write {
                url: fail.url.to_owned(),
                source,
            })?;
        total += n as u64;
    }
    Ok(Fetched::Found { length: total })
}

/// Builds errors that name the requested URL and the limits that applied.
struct Failure<'a> {
    url: &'a str,
    config: &'a HttpConfig,
    deadline: Duration,
}

impl Failure<'_> {
    fn slow(&self, phase: SlowPhase) -> TransportError {
        let limit = match phase {
            SlowPhase::Connect => self.config.connect_timeout,
            SlowPhase::Stall => self.config.read_timeout,
            SlowPhase::Deadline => self.deadline,
        };
        TransportError::TooSlow {
            url: self.url.to_owned(),
            phase,
            limit,
        }
    }

    fn too_large(&self, max_length: u64) -> TransportError {
        TransportError::TooLarge {
            url: self.url.to_owned(),
            max_length,
        }
    }

    fn redirect(&self, problem: RedirectProblem) -> TransportError {
        TransportError::Redirect {
            url: self.url.to_owned(),
            problem,
        }
    }

    fn connection(&self, kind: ConnectionFailure, source: ureq::Error) -> TransportError {
        TransportError::Connection {
            url: self.url.to_owned(),
            kind,
            source: Box::new(source),
        }
    }

    /// Map ureq's error onto who is at fault and why.
    fn classify(&self, error: ureq::Error) -> TransportError {
        use ureq::Error as E;
        match error {
            E::Timeout(t) => self.slow(match t {
                ureq::Timeout::Resolve | ureq::Timeout::Connect => SlowPhase::Connect,
                ureq::Timeout::PerRead | ureq::Timeout::PerWrite => SlowPhase::Stall,
                _ => SlowPhase::Deadline,
            }),
            // rustls reports handshake and record failures inside io errors.
            E::Io(ref io) if io.get_ref().is_some_and(|e| e.is::<rustls::Error>()) => {
                self.connection(ConnectionFailure::Tls, error)
            }
            E::Io(ref io) => match io.kind() {
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => self.slow(SlowPhase::Stall),
                io::ErrorKind::ConnectionRefused => {
                    self.connection(ConnectionFailure::Refused, error)
                }
                io::ErrorKind::UnexpectedEof
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe => {
                    self.connection(ConnectionFailure::Interrupted, error)
                }
                _ => self.connection(ConnectionFailure::Io, error),
            },
            E::HostNotFound => self.connection(ConnectionFailure::HostNotFound, error),
            E::Protocol(_) | E::LargeResponseHeader(..) | E::Http(_) => {
                self.connection(ConnectionFailure::Protocol, error)
            }
            E::Tls(_) | E::Rustls(_) | E::Pem(_) | E::TlsRequired => {
                self.connection(ConnectionFailure::Tls, error)
            }
            E::ConnectProxyFailed(_) | E::InvalidProxyUrl => {
                self.connection(ConnectionFailure::Proxy, error)
            }
            E::BadUri(_) => TransportError::InvalidUrl {
                url: self.url.to_owned(),
                problem: UrlProblem::Malformed,
            },
            E::StatusCode(status) => TransportError::HttpStatus {
                url: self.url.to_owned(),
                status,
            },
            E::TooManyRedirects | E::RedirectFailed => self.redirect(RedirectProblem::TooMany {
                limit: self.config.max_redirects,
            }),
            other => self.connection(ConnectionFailure::Io, other),
        }
    }
}

fn is_http_scheme(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
}

/// The scheme of an absolute URI reference (RFC 3986 §3.1), if it has one.
fn scheme_of(reference: &str) -> Option<&str> {
    let (scheme, _) = reference.split_once(':')?;
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (first_ok && rest_ok).then_some(scheme)
}

fn parse_url(url: &str) -> Result<Uri, TransportError> {
    let invalid = |problem| TransportError::InvalidUrl {
        url: url.to_owned(),
        problem,
    };
    let scheme = scheme_of(url).ok_or_else(|| invalid(UrlProblem::Malformed))?;
    if !is_http_scheme(scheme) {
        return Err(invalid(UrlProblem::UnsupportedScheme));
    }
    let uri: Uri = url.parse().map_err(|_| invalid(UrlProblem::Malformed))?;
    if uri.host().is_none_or(str::is_empty) {
        return Err(invalid(UrlProblem::Malformed));
    }
    Ok(uri)
}

/// Resolve a `Location` against the URL that answered with it; `None` if
/// the result is not an http(s) URL.
fn resolve_location(base: &Uri, location: &str) -> Option<Uri> {
    let joined = if scheme_of(location).is_some() {
        location.to_owned()
    } else {
        let scheme = base.scheme_str()?;
        let authority = base.authority()?.as_str();
        if location.starts_with("//") {
            format!("{scheme}:{location}")
        } else if location.starts_with('/') {
            format!("{scheme}://{authority}{location}")
        } else {
            let path = base.path();
            let dir = &path[..=path.rfind('/')?];
            format!("{scheme}://{authority}{dir}{location}")
        }
    };
    parse_url(&joined).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> Uri {
        s.parse().unwrap()
    }

    fn resolve(r: &ReuseResolver, url: &str) -> Vec<SocketAddr> {
        let config = Agent::config_builder().build();
        r.resolve(&uri(url), &config, NextTimeout::default())
            .unwrap()
            .to_vec()
    }

    #[test]
    fn an_ip_address_is_used_as_is_without_a_lookup() {
        let r = ReuseResolver::default();
        assert_eq!(
            resolve(&r, "http://127.0.0.1:8080/metadata/1.root.json"),
            ["127.0.0.1:8080".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(
            resolve(&r, "https://[::1]/x"),
            ["[::1]:443".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(
            resolve(&r, "http://10.1.2.3/x"),
            ["10.1.2.3:80".parse::<SocketAddr>().unwrap()]
        );
        assert!(r.recent.lock().unwrap().is_empty(), "nothing was looked up");
    }

    /// Replace the kept addresses of `key` (and, with `age`, make them old).
    fn plant(r: &ReuseResolver, key: &str, addr: SocketAddr, age: Option<Duration>) {
        let mut recent = r.recent.lock().unwrap();
        let entry = recent.iter_mut().find(|(k, ..)| k == key).unwrap();
        entry.2 = vec![addr];
        if let Some(age) = age {
            entry.1 -= age;
        }
    }

    #[test]
    fn a_host_name_is_looked_up_once_then_reused_for_a_while() {
        let r = ReuseResolver::default();
        let first = resolve(&r, "http://localhost:8080/a");
        assert!(!first.is_empty());
        assert!(
            first
                .iter()
                .all(|a| a.port() == 8080 && a.ip().is_loopback())
        );
        // Plant other addresses under the same key: a reuse must return them.
        let planted: SocketAddr = "127.0.0.9:8080".parse().unwrap();
        plant(&r, "localhost:8080", planted, None);
        assert_eq!(resolve(&r, "http://localhost:8080/b"), [planted]);
        // Another port is another key, and both are kept (metadata and
        // targets hosts alternate).
        assert!(
            resolve(&r, "http://localhost:8081/c")
                .iter()
                .all(|a| a.port() == 8081)
        );
        assert_eq!(resolve(&r, "http://localhost:8080/d"), [planted]);
        // An old lookup is not reused.
        plant(&r, "localhost:8081", planted, Some(RESOLVED_FOR));
        assert!(
            resolve(&r, "http://localhost:8081/e")
                .iter()
                .all(|a| a.port() == 8081)
        );
    }

    #[test]
    fn only_the_most_recent_hosts_are_kept() {
        let r = ReuseResolver::default();
        let extra = 3;
        for port in 0..HOSTS_KEPT + extra {
            resolve(&r, &format!("http://localhost:{}/", 9000 + port));
        }
        let recent = r.recent.lock().unwrap();
        let kept: Vec<&str> = recent.iter().map(|(k, ..)| k.as_str()).collect();
        let expected: Vec<String> = (extra..HOSTS_KEPT + extra)
            .map(|port| format!("localhost:{}", 9000 + port))
            .collect();
        assert_eq!(kept, expected);
    }

    #[test]
    fn deadline_grows_with_the_allowed_length() {
        let mut config = HttpConfig {
            deadline_base: Duration::from_secs(2),
            min_bytes_per_second: NonZeroU64::new(1000).unwrap(),
            ..HttpConfig::default()
        };
        assert_eq!(config.download_deadline(0), Duration::from_secs(2));
        assert_eq!(config.download_deadline(1500), Duration::from_millis(3500));
        // A huge limit saturates instead of overflowing.
        config.min_bytes_per_second = NonZeroU64::new(1).unwrap();
        config.deadline_base = Duration::MAX;
        assert_eq!(config.download_deadline(u64::MAX), Duration::MAX);
    }

    #[test]
    fn user_agent_names_the_application_first() {
        let mut config = HttpConfig::default();
        let ours = config.user_agent();
        assert!(ours.starts_with("tuf-rs/"), "{ours}");
        config.app_user_agent = Some("myapp/1.2".into());
        assert_eq!(config.user_agent(), format!("myapp/1.2 {ours}"));
        config.app_user_agent = Some("bad\nagent".into());
        assert_eq!(
            HttpTransport::new(config).unwrap_err(),
            HttpConfigError::InvalidUserAgent {
                user_agent: "bad\nagent".into()
            }
        );
    }

    #[test]
    fn only_http_and_https_urls_are_fetched() {
        for url in ["file:///etc/passwd", "ftp://host/x", "gopher://h/"] {
            assert!(matches!(
                parse_url(url),
                Err(TransportError::InvalidUrl {
                    problem: UrlProblem::UnsupportedScheme,
                    ..
                })
            ));
        }
        for url in ["", "no-scheme/x", "http://", "http:///path", "http://a b/"] {
            assert!(
                matches!(
                    parse_url(url),
                    Err(TransportError::InvalidUrl {
                        problem: UrlProblem::Malformed,
                        ..
                    })
                ),
                "{url:?}"
            );
        }
        assert!(parse_url("HTTPS://example.com/a").is_ok());
    }

    #[test]
    fn redirect_locations_resolve_like_a_browser_but_stay_on_http() {
        let base = uri("https://repo.example/meta/1.root.json?x=1");
        let cases = [
            ("http://other.example/a", "http://other.example/a"),
            ("//cdn.example/b", "https://cdn.example/b"),
            ("/c/d.json", "https://repo.example/c/d.json"),
            ("e.json", "https://repo.example/meta/e.json"),
        ];
        for (location, want) in cases {
            assert_eq!(resolve_location(&base, location), Some(uri(want)));
        }
        for refused in [
            "file:///etc/passwd",
            "ftp://x/y",
            "data:,hi",
            "javascript:x",
        ] {
            assert_eq!(resolve_location(&base, refused), None, "{refused}");
        }
    }
}
