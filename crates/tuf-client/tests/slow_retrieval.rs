//! Slow retrieval attack (spec §5.3.3 "a time limit", python-tuf's
//! SlowRetrievalError): a server that stalls, or drips bytes just fast enough
//! to keep a read timeout from firing, must not hang the client.
//!
//! Timeouts are small here; each test's duration is bounded by them.

mod common;

use std::num::NonZeroU64;
use std::time::Duration;

use tuf_client::{HttpConfig, SlowPhase, Transport, TransportError};
use tuf_testkit::http::{FaultServer, Reply};

/// 1000 bytes, one every 20 ms: far inside any read timeout, 20 s in total.
fn one_byte_every_20ms() -> Reply {
    Reply::Drip {
        body: vec![b'a'; 1000],
        chunk: 1,
        pause: Duration::from_millis(20),
    }
}

/// A deadline of about 400 ms: the length-scaled part is negligible.
fn deadline_400ms() -> HttpConfig {
    let mut config = common::config();
    config.deadline_base = Duration::from_millis(400);
    config.min_bytes_per_second = NonZeroU64::new(1 << 30).unwrap();
    config
}

#[test]
fn slow_drip_that_defeats_the_read_timeout_hits_the_download_deadline() {
    let server = FaultServer::start().unwrap();
    server.route("/drip", one_byte_every_20ms());
    let config = deadline_400ms();
    let mut sink = Vec::new();
    let err = common::http_with(config)
        .fetch(&server.url("/drip"), 1000, &mut sink)
        .unwrap_err();
    match err {
        TransportError::TooSlow { phase, limit, .. } => {
            assert_eq!(phase, SlowPhase::Deadline);
            assert!(limit < Duration::from_secs(1), "{limit:?}");
        }
        other => panic!("expected a deadline, got {other:?}"),
    }
    assert!(sink.len() < 1000, "the whole drip was accepted");
}

#[test]
fn stalled_server_hits_the_read_timeout() {
    let server = FaultServer::start().unwrap();
    // Headers at once, then silence far longer than the read timeout.
    server.route(
        "/stall",
        Reply::Drip {
            body: vec![b'a'; 10],
            chunk: 10,
            pause: Duration::from_secs(600),
        },
    );
    let mut config = common::config();
    config.read_timeout = Duration::from_millis(300);
    let err = common::http_with(config)
        .fetch(&server.url("/stall"), 10, &mut Vec::new())
        .unwrap_err();
    assert!(
        matches!(
            err,
            TransportError::TooSlow {
                phase: SlowPhase::Stall,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn slow_drip_behind_redirects_still_hits_the_deadline() {
    // The deadline must govern every hop, not only the first request.
    let server = FaultServer::start().unwrap();
    server.route(
        "/a",
        Reply::Redirect {
            status: 302,
            location: "/b".into(),
        },
    );
    server.route(
        "/b",
        Reply::Redirect {
            status: 302,
            location: "/drip".into(),
        },
    );
    server.route("/drip", one_byte_every_20ms());
    let config = deadline_400ms();
    let err = common::http_with(config)
        .fetch(&server.url("/a"), 1000, &mut Vec::new())
        .unwrap_err();
    assert!(
        matches!(
            err,
            TransportError::TooSlow {
                phase: SlowPhase::Deadline,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.request_count("/drip"), 1);
}
