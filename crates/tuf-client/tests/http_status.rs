//! HTTP outcomes: 404 and 403 are "not found" values that end the root chain
//! (spec §5.3.3, python-tuf), other statuses are errors; redirects only go
//! to http(s); broken connections are typed errors naming the URL.

mod common;

use std::net::TcpListener;

use tuf_client::{
    ConnectionFailure, Fault, Fetched, HttpConfig, RedirectProblem, Transport, TransportError,
    UrlProblem, fetch_bytes,
};
use tuf_testkit::http::{FaultServer, Reply};

#[test]
fn missing_file_404_is_not_found_and_writes_nothing() {
    let server = FaultServer::start().unwrap();
    let mut sink = Vec::new();
    let fetched = common::http()
        .fetch(&server.url("/2.root.json"), 512_000, &mut sink)
        .unwrap();
    assert_eq!(fetched, Fetched::NotFound);
    assert!(sink.is_empty());
}

#[test]
fn forbidden_403_is_not_found_like_python_tuf() {
    // Object stores answer 403 for a missing key when listing is denied.
    let server = FaultServer::start().unwrap();
    server.route("/2.root.json", Reply::Status(403));
    let got = fetch_bytes(&common::http(), &server.url("/2.root.json"), 512_000).unwrap();
    assert_eq!(got, None);
}

#[test]
fn server_errors_are_http_status_errors_not_not_found() {
    let server = FaultServer::start().unwrap();
    let http = common::http();
    for status in [500u16, 502, 503, 401, 410, 400] {
        let path = format!("/s{status}");
        server.route(&path, Reply::Status(status));
        let url = server.url(&path);
        let err = fetch_bytes(&http, &url, 1000).unwrap_err();
        match err {
            TransportError::HttpStatus {
                status: got,
                url: ref u,
            } => {
                assert_eq!(got, status);
                assert_eq!(u, &url);
            }
            ref other => panic!("{status}: {other:?}"),
        }
        assert_eq!(err.fault(), Fault::Transport);
    }
}

#[test]
fn redirect_to_a_file_url_is_refused() {
    let server = FaultServer::start().unwrap();
    server.route(
        "/timestamp.json",
        Reply::Redirect {
            status: 302,
            location: "file:///etc/passwd".into(),
        },
    );
    let err = fetch_bytes(&common::http(), &server.url("/timestamp.json"), 1000).unwrap_err();
    assert!(
        matches!(
            &err,
            TransportError::Redirect { problem: RedirectProblem::Refused { location }, .. }
                if location == "file:///etc/passwd"
        ),
        "{err:?}"
    );
}

#[test]
fn redirect_between_http_urls_is_followed() {
    let server = FaultServer::start().unwrap();
    let other = FaultServer::start().unwrap();
    other.route("/real.json", Reply::Body(b"{}".to_vec()));
    server.route(
        "/moved.json",
        Reply::Redirect {
            status: 301,
            location: other.url("/real.json"),
        },
    );
    server.route(
        "/relative.json",
        Reply::Redirect {
            status: 307,
            location: "moved.json".into(),
        },
    );
    let got = fetch_bytes(&common::http(), &server.url("/relative.json"), 1000).unwrap();
    assert_eq!(got.as_deref(), Some(&b"{}"[..]));
    assert_eq!(other.request_count("/real.json"), 1);
}

#[test]
fn redirect_loop_is_cut_off() {
    let server = FaultServer::start().unwrap();
    server.route(
        "/loop",
        Reply::Redirect {
            status: 302,
            location: "/loop".into(),
        },
    );
    let mut config: HttpConfig = common::config();
    config.max_redirects = 3;
    let err = fetch_bytes(&common::http_with(config), &server.url("/loop"), 1000).unwrap_err();
    assert!(
        matches!(
            err,
            TransportError::Redirect {
                problem: RedirectProblem::TooMany { limit: 3 },
                ..
            }
        ),
        "{err:?}"
    );
    // The first request plus three redirects.
    assert_eq!(server.request_count("/loop"), 4);
}

#[test]
fn redirect_without_location_is_an_error() {
    let server = FaultServer::start().unwrap();
    server.route("/r", Reply::Status(302));
    let err = fetch_bytes(&common::http(), &server.url("/r"), 1000).unwrap_err();
    assert!(
        matches!(
            err,
            TransportError::Redirect {
                problem: RedirectProblem::MissingLocation,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn dropped_connection_is_a_connection_error() {
    let server = FaultServer::start().unwrap();
    server.route("/drop", Reply::Drop);
    let err = fetch_bytes(&common::http(), &server.url("/drop"), 1000).unwrap_err();
    assert!(matches!(err, TransportError::Connection { .. }), "{err:?}");
    assert_eq!(err.fault(), Fault::Transport);
}

#[test]
fn truncated_body_is_an_interrupted_connection_not_a_short_file() {
    let server = FaultServer::start().unwrap();
    server.route(
        "/short",
        Reply::WrongLength {
            body: vec![b'a'; 10],
            declared_length: 100,
        },
    );
    let err = fetch_bytes(&common::http(), &server.url("/short"), 1000).unwrap_err();
    assert!(
        matches!(
            err,
            TransportError::Connection {
                kind: ConnectionFailure::Interrupted,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn refused_connection_is_a_connection_error_naming_the_url() {
    // A port that was free a moment ago and has no listener now.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/root.json");
    let err = fetch_bytes(&common::http(), &url, 1000).unwrap_err();
    assert!(
        matches!(
            err,
            TransportError::Connection {
                kind: ConnectionFailure::Refused,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.url(), url);
}

#[test]
fn non_http_urls_are_refused_before_any_request() {
    for url in ["file:///etc/passwd", "ftp://127.0.0.1/x"] {
        let err = fetch_bytes(&common::http(), url, 1000).unwrap_err();
        assert!(
            matches!(
                err,
                TransportError::InvalidUrl {
                    problem: UrlProblem::UnsupportedScheme,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(err.fault(), Fault::Caller);
    }
}

#[test]
fn user_agent_names_the_application_and_tuf_rs() {
    let server = FaultServer::start().unwrap();
    server.route("/x", Reply::Body(vec![]));
    let mut config = common::config();
    config.app_user_agent = Some("myapp/2.0".into());
    fetch_bytes(&common::http_with(config), &server.url("/x"), 10).unwrap();
    let requests = server.requests();
    let ua = requests[0].header("user-agent").unwrap();
    assert_eq!(
        ua,
        format!("myapp/2.0 tuf-rs/{}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn https_url_served_in_plain_text_fails_the_tls_handshake() {
    // Also proves the TLS stack is wired: rustls needs its crypto provider
    // (aws-lc-rs) to even send a ClientHello.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let (mut stream, _) = listener.accept().unwrap();
        let mut hello = [0u8; 5];
        stream.read_exact(&mut hello).unwrap();
        assert_eq!(hello[0], 0x16, "expected a TLS handshake record");
        let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    });
    let url = format!("https://127.0.0.1:{port}/root.json");
    let err = fetch_bytes(&common::http(), &url, 1000).unwrap_err();
    server.join().unwrap();
    assert!(
        matches!(
            err,
            TransportError::Connection {
                kind: ConnectionFailure::Tls,
                ..
            }
        ),
        "{err:?}"
    );
}

/// A keep-alive HTTP/1.1 server: `/missing` answers 404 with `page` (its
/// true length, or chunked without end when `endless`), anything else 200
/// with `ok`. Counts the connections it accepts.
fn keep_alive_server(
    page: &'static str,
    endless: bool,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&connections);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            counted.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                loop {
                    while !head.ends_with(b"\r\n\r\n") {
                        if stream.read(&mut byte).unwrap_or(0) == 0 {
                            return;
                        }
                        head.push(byte[0]);
                    }
                    let missing = head.starts_with(b"GET /missing ");
                    head.clear();
                    let written = if !missing {
                        stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    } else if !endless {
                        let reply = format!(
                            "HTTP/1.1 404 Not Found\r\nContent-Length: {}\r\n\r\n{page}",
                            page.len()
                        );
                        stream.write_all(reply.as_bytes())
                    } else {
                        let chunk = format!("{:x}\r\n{page}\r\n", page.len());
                        let head = "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n";
                        stream.write_all(head.as_bytes()).and_then(|()| {
                            loop {
                                stream.write_all(chunk.as_bytes())?;
                            }
                        })
                    };
                    if written.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (base, connections)
}

#[test]
fn a_short_404_page_is_read_so_the_next_request_reuses_the_connection() {
    // Every refresh ends its root chain with a 404, then asks the same host
    // for timestamp.json: over HTTPS a new connection is a new handshake.
    let (base, connections) = keep_alive_server("<html>404 Not Found</html>", false);
    let http = common::http();
    let missing = fetch_bytes(&http, &format!("{base}/missing"), 1000).unwrap();
    assert_eq!(missing, None);
    let present = fetch_bytes(&http, &format!("{base}/timestamp.json"), 1000).unwrap();
    assert_eq!(present.as_deref(), Some(&b"ok"[..]));
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[test]
fn an_endless_404_page_is_not_read_to_its_end() {
    // Endless data on an error page: a bounded read, then a new connection.
    let (base, connections) = keep_alive_server("x", true);
    let http = common::http();
    let started = std::time::Instant::now();
    let missing = fetch_bytes(&http, &format!("{base}/missing"), 1000).unwrap();
    assert_eq!(missing, None);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let present = fetch_bytes(&http, &format!("{base}/timestamp.json"), 1000).unwrap();
    assert_eq!(present.as_deref(), Some(&b"ok"[..]));
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 2);
}
