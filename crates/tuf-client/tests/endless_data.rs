//! Endless data attack (spec §5.3.3, §5.7.3): a server that never stops
//! sending must not make the client accept more than the limit, whatever
//! `Content-Length` says.

mod common;

use tuf_client::{Fetched, Transport, TransportError, fetch_bytes};
use tuf_testkit::http::{FaultServer, Reply};

#[test]
fn endless_chunked_body_without_content_length_is_cut_at_the_limit() {
    let server = FaultServer::start().unwrap();
    server.route(
        "/endless",
        Reply::Endless {
            declared_length: None,
        },
    );
    let mut sink = Vec::new();
    let err = common::http()
        .fetch(&server.url("/endless"), 100_000, &mut sink)
        .unwrap_err();
    assert!(
        matches!(
            err,
            TransportError::TooLarge {
                max_length: 100_000,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(sink.len() <= 100_000, "accepted {} bytes", sink.len());
}

#[test]
fn endless_body_announcing_a_huge_content_length_is_refused_before_reading() {
    let server = FaultServer::start().unwrap();
    server.route(
        "/endless",
        Reply::Endless {
            declared_length: Some(1 << 40),
        },
    );
    let mut sink = Vec::new();
    let err = common::http()
        .fetch(&server.url("/endless"), 16_384, &mut sink)
        .unwrap_err();
    assert!(
        matches!(
            err,
            TransportError::TooLarge {
                max_length: 16_384,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        sink.is_empty(),
        "read {} bytes past a refused header",
        sink.len()
    );
}

#[test]
fn endless_body_behind_a_small_content_length_yields_only_the_announced_bytes() {
    let server = FaultServer::start().unwrap();
    server.route(
        "/lying",
        Reply::Endless {
            declared_length: Some(1000),
        },
    );
    let mut sink = Vec::new();
    let fetched = common::http()
        .fetch(&server.url("/lying"), 5000, &mut sink)
        .unwrap();
    assert_eq!(fetched, Fetched::Found { length: 1000 });
    assert_eq!(sink.len(), 1000);
}

#[test]
fn endless_data_through_fetch_bytes_is_an_error_not_a_truncated_file() {
    let server = FaultServer::start().unwrap();
    server.route(
        "/endless",
        Reply::Endless {
            declared_length: None,
        },
    );
    let err = fetch_bytes(&common::http(), &server.url("/endless"), 512_000).unwrap_err();
    assert!(matches!(err, TransportError::TooLarge { .. }), "{err:?}");
}

#[test]
fn body_of_exactly_the_limit_is_accepted_and_one_byte_more_is_not() {
    let server = FaultServer::start().unwrap();
    let body: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    server.route("/file", Reply::Body(body.clone()));
    let http = common::http();
    let url = server.url("/file");
    assert_eq!(fetch_bytes(&http, &url, 70_000).unwrap(), Some(body));
    let err = fetch_bytes(&http, &url, 69_999).unwrap_err();
    assert!(
        matches!(
            err,
            TransportError::TooLarge {
                max_length: 69_999,
                ..
            }
        ),
        "{err:?}"
    );
}
