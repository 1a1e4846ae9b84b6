//! A loopback HTTP/1.1 server for tests that misbehaves on purpose: endless
//! bodies, slow drips, lying `Content-Length`, arbitrary statuses, dropped
//! connections and redirects.
//!
//! Contract:
//! - Binds `127.0.0.1:0` only; [`FaultServer::url`] gives the address.
//! - Serves one request per connection (`Connection: close`), each on its own
//!   thread, so a dripping reply never blocks another request.
//! - Logs every request (method, path, headers) in arrival order.
//! - Stops when dropped: pauses are cut short, open connections are shut
//!   down, and every thread is joined, so nothing outlives the test.
//! - Paths without a route answer `404 Not Found`.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// How the server answers one path.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reply {
    /// `200 OK` with this body and its true `Content-Length`.
    Body(Vec<u8>),
    /// This status with an empty body.
    Status(u16),
    /// `200 OK` with a body that never ends (endless data attack). With a
    /// declared length, that `Content-Length` is sent (true or not);
    /// without one, the body is chunked.
    Endless {
        /// The `Content-Length` to announce, if any.
        declared_length: Option<u64>,
    },
    /// `200 OK` with the true `Content-Length`, sent `chunk` bytes at a time
    /// with `pause` before each chunk (slow retrieval attack).
    Drip {
        /// The whole body.
        body: Vec<u8>,
        /// Bytes per write (at least 1).
        chunk: usize,
        /// Wait before each write.
        pause: Duration,
    },
    /// `200 OK` announcing `declared_length` but sending `body`, then
    /// closing: a truncated download or a short `Content-Length`.
    WrongLength {
        /// What is actually sent.
        body: Vec<u8>,
        /// The `Content-Length` announced.
        declared_length: u64,
    },
    /// Close the connection without answering.
    Drop,
    /// A redirect with this status and `Location`.
    Redirect {
        /// A 3xx status.
        status: u16,
        /// The `Location` header, sent as is.
        location: String,
    },
}

/// One request as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// The method, e.g. `GET`.
    pub method: String,
    /// The request target, e.g. `/metadata/1.root.json`.
    pub path: String,
    /// Header names and values in order.
    pub headers: Vec<(String, String)>,
}

impl LoggedRequest {
    /// The first value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A running fault server; stops when dropped.
pub struct FaultServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

struct Shared {
    routes: Mutex<HashMap<String, Reply>>,
    log: Mutex<Vec<LoggedRequest>>,
    stopping: Mutex<bool>,
    wake: Condvar,
    connections: Mutex<Vec<(TcpStream, JoinHandle<()>)>>,
}

/// A test helper must not turn one panicking thread into a cascade.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn is_stopping(&self) -> bool {
        *lock(&self.stopping)
    }

    /// Wait `d`, or less if the server stops; true if still running.
    fn pause(&self, d: Duration) -> bool {
        let guard = lock(&self.stopping);
        let (guard, _) = self
            .wake
            .wait_timeout_while(guard, d, |stopping| !*stopping)
            .unwrap_or_else(PoisonError::into_inner);
        !*guard
    }
}

impl std::fmt::Debug for FaultServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl FaultServer {
    /// Start a server with no routes on a free loopback port.
    pub fn start() -> io::Result<FaultServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            routes: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
            stopping: Mutex::new(false),
            wake: Condvar::new(),
            connections: Mutex::new(Vec::new()),
        });
        let for_acceptor = Arc::clone(&shared);
        let acceptor = thread::Builder::new()
            .name("fault-server".into())
            .spawn(move || accept_loop(&listener, &for_acceptor))?;
        Ok(FaultServer {
            addr,
            shared,
            acceptor: Some(acceptor),
        })
    }

    /// Answer requests for `path` (e.g. `/1.root.json`) with `reply`,
    /// replacing any previous route.
    pub fn route(&self, path: &str, reply: Reply) -> &Self {
        lock(&self.shared.routes).insert(path.to_owned(), reply);
        self
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.log).clone()
    }

    /// How many requests asked for `path`.
    pub fn request_count(&self, path: &str) -> usize {
        lock(&self.shared.log)
            .iter()
            .filter(|r| r.path == path)
            .count()
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        *lock(&self.shared.stopping) = true;
        self.shared.wake.notify_all();
        // Unblock accept(); if this fails the listener is already gone.
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        let connections = std::mem::take(&mut *lock(&self.shared.connections));
        for (stream, handle) in connections {
            // Wakes a thread blocked reading or writing this socket.
            let _ = stream.shutdown(Shutdown::Both);
            let _ = handle.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.is_stopping() {
            break;
        }
        let Ok(stream) = stream else { continue };
        let Ok(handle_copy) = stream.try_clone() else {
            continue;
        };
        let for_conn = Arc::clone(shared);
        let Ok(handle) = thread::Builder::new()
            .name("fault-server-conn".into())
            .spawn(move || {
                // The client may disconnect at any point: that is not an error here.
                let _ = serve(stream, &for_conn);
            })
        else {
            continue;
        };
        let mut connections = lock(&shared.connections);
        connections.retain(|(_, h)| !h.is_finished());
        connections.push((handle_copy, handle));
    }
}

/// Bound on a request head, and on how long a silent client may hold a thread.
const MAX_HEAD: usize = 64 * 1024;
const SOCKET_TIMEOUT: Duration = Duration::from_secs(10);

fn read_head(stream: &mut TcpStream) -> io::Result<Option<LoggedRequest>> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf)?;
        if n == 0 || head.len() + n > MAX_HEAD {
            return Ok(None);
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let path = request_line.next().unwrap_or_default().to_owned();
    let headers = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Ok(Some(LoggedRequest {
        method,
        path,
        headers,
    }))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn write_head(stream: &mut TcpStream, status: u16, headers: &[(&str, String)]) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("Connection: close\r\n\r\n");
    stream.write_all(head.as_bytes())
}

fn serve(mut stream: TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_read_timeout(Some(SOCKET_TIMEOUT))?;
    stream.set_write_timeout(Some(SOCKET_TIMEOUT))?;
    let Some(request) = read_head(&mut stream)? else {
        return Ok(());
    };
    let route = request
        .path
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    lock(&shared.log).push(request);
    let reply = lock(&shared.routes)
        .get(&route)
        .cloned()
        .unwrap_or(Reply::Status(404));
    let len = |n: u64| ("Content-Length", n.to_string());
    match reply {
        Reply::Body(body) => {
            write_head(&mut stream, 200, &[len(body.len() as u64)])?;
            stream.write_all(&body)?;
        }
        Reply::Status(status) => write_head(&mut stream, status, &[len(0)])?,
        Reply::Endless { declared_length } => {
            let chunk = vec![b'x'; 16 * 1024];
            match declared_length {
                Some(n) => write_head(&mut stream, 200, &[len(n)])?,
                None => write_head(
                    &mut stream,
                    200,
                    &[("Transfer-Encoding", "chunked".to_owned())],
                )?,
            }
            // Ends when the client gives up (write error) or the server stops.
            while !shared.is_stopping() {
                if declared_length.is_none() {
                    write!(stream, "{:x}\r\n", chunk.len())?;
                    stream.write_all(&chunk)?;
                    stream.write_all(b"\r\n")?;
                } else {
                    stream.write_all(&chunk)?;
                }
            }
        }
        Reply::Drip { body, chunk, pause } => {
            write_head(&mut stream, 200, &[len(body.len() as u64)])?;
            stream.flush()?;
            for piece in body.chunks(chunk.max(1)) {
                if !shared.pause(pause) {
                    break;
                }
                stream.write_all(piece)?;
                stream.flush()?;
            }
        }
        Reply::WrongLength {
            body,
            declared_length,
        } => {
            write_head(&mut stream, 200, &[len(declared_length)])?;
            stream.write_all(&body)?;
        }
        Reply::Drop => {}
        Reply::Redirect { status, location } => {
            write_head(&mut stream, status, &[("Location", location), len(0)])?;
        }
    }
    stream.flush()?;
    stream.shutdown(Shutdown::Both)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(server: &FaultServer, path: &str) -> Vec<u8> {
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        stream.set_read_timeout(Some(SOCKET_TIMEOUT)).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: x\r\nUser-Agent: t/1\r\n\r\n"
        )
        .unwrap();
        let mut out = Vec::new();
        let _ = stream.read_to_end(&mut out);
        out
    }

    #[test]
    fn serves_routes_logs_requests_and_404s_the_rest() {
        let server = FaultServer::start().unwrap();
        server.route("/a", Reply::Body(b"hello".to_vec()));
        let a = String::from_utf8(get(&server, "/a?q=1")).unwrap();
        assert!(a.starts_with("HTTP/1.1 200 OK\r\n"), "{a}");
        assert!(a.contains("Content-Length: 5\r\n") && a.ends_with("\r\n\r\nhello"));
        let missing = String::from_utf8(get(&server, "/b")).unwrap();
        assert!(
            missing.starts_with("HTTP/1.1 404 Not Found\r\n"),
            "{missing}"
        );
        let log = server.requests();
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].path, "/a?q=1");
        assert_eq!(log[0].header("user-agent"), Some("t/1"));
        assert_eq!(server.request_count("/b"), 1);
    }

    #[test]
    fn wrong_length_sends_less_than_it_announces() {
        let server = FaultServer::start().unwrap();
        server.route(
            "/t",
            Reply::WrongLength {
                body: b"abc".to_vec(),
                declared_length: 10,
            },
        );
        let reply = String::from_utf8(get(&server, "/t")).unwrap();
        assert!(reply.contains("Content-Length: 10\r\n") && reply.ends_with("\r\n\r\nabc"));
    }

    #[test]
    fn dropping_the_server_ends_an_endless_reply() {
        let server = FaultServer::start().unwrap();
        server.route(
            "/e",
            Reply::Endless {
                declared_length: None,
            },
        );
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        stream.set_read_timeout(Some(SOCKET_TIMEOUT)).unwrap();
        stream.write_all(b"GET /e HTTP/1.1\r\n\r\n").unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        let mut got = 0;
        while got < 100_000 {
            got += stream.read(&mut buf).unwrap();
        }
        // Drop joins the connection thread, which must notice and stop; the
        // client then sees the stream end instead of more data forever.
        drop(server);
        let mut rest = Vec::new();
        let end = stream.read_to_end(&mut rest);
        assert!(
            !matches!(&end, Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)),
            "the server kept the connection open: {end:?}"
        );
    }
}
