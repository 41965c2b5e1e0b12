//! The HTTP side of `careguide serve`: connections, limits, request parsing and responses.
//!
//! Why not a server crate. The brief was tiny_http (synchronous, few dependencies, quick to
//! compile; axum and tokio would add minutes to every CI run on two cores). But tiny_http
//! 0.12, its latest release, cannot keep this server's limits: it reads a request head of any
//! size into memory (its issue #56, open since 2015), sets no socket timeouts, starts a thread
//! for every connection without a cap, and a request that declares a large body which the
//! handler refuses without reading makes it allocate the whole declared length when the request
//! is dropped: `Content-Length: 1000000000000` answered with 413 aborts the process. It owns the
//! sockets, so none of this can be fixed from outside without a proxy in front of it.
//!
//! So the parts that are the safety limits stay here, small and in one place: the accept loop
//! with its caps, the deadline of each request, the bounded reads of the head (16 KB) and the
//! body (32 KB).
//!
//! Slow and stalled clients (slowloris). A connection first reads its request, head and body,
//! against one deadline for the whole of it ([`REQUEST_DEADLINE`], not a timeout per read, so
//! a byte now and then does not keep it open), and only then takes one of the slots of the
//! requests being answered ([`MAX_CONNECTIONS`]). The connections still sending their
//! request have a cap of their own ([`MAX_READING`]); when it is reached the oldest of them is
//! closed to make room, never the newcomer. A request from a browser on this computer is sent
//! whole at once, so it spends microseconds in that queue and is never the oldest there: stalled
//! connections, however many, cannot keep it from being answered. Open live-reload streams
//! have their own cap too ([`MAX_STREAMS`]). The protocol itself is parsed by `httparse` (hyper's parser: no dependencies,
//! widely used), paths and forms are decoded by `percent-encoding` and
//! `form_urlencoded` (the `url` crate's, already built for hayagriva). Each connection carries
//! one request (`Connection: close`), which is all a browser on this computer needs.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The largest request head (request line and headers) accepted.
pub const MAX_HEAD: usize = 16 * 1024;
/// The most header fields accepted in a request.
const MAX_HEADERS: usize = 64;
/// The largest request body accepted: the handout form is far smaller.
pub const MAX_BODY: usize = 32 * 1024;
/// Ordinary requests handled at once (once read); more are refused with 503.
pub const MAX_CONNECTIONS: usize = 64;
/// Connections still sending their request; past it the oldest of them is closed.
pub const MAX_READING: usize = 128;
/// The time a connection has to send its whole request, head and body.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(10);
/// The time a client has to read a response.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest request method there is (`UNSUBSCRIBE`, WebDAV's): a request whose first word
/// runs longer is not HTTP, and is refused at once rather than waited for.
const MAX_METHOD: usize = 16;
/// Open live-reload event streams (one per open tab); more are refused with 503, and those
/// pages ask for the version now and then instead. They do not count against
/// [`MAX_CONNECTIONS`].
pub const MAX_STREAMS: usize = 16;
/// The name of the threads that handle requests: a panic in one does not print its message,
/// which could quote what was typed into the handout form.
pub const REQUEST_THREAD: &str = "careguide-serve-request";

#[derive(Debug)]
pub struct Request {
    pub method: String,
    /// The path, percent-decoded.
    pub path: String,
    pub query: String,
    /// The Host header, lower-cased (there is exactly one: a request with none or two is
    /// refused).
    pub host: String,
    /// The Origin and Referer headers, when sent.
    pub origin: Option<String>,
    pub referer: Option<String>,
    pub content_type: String,
    pub body: Vec<u8>,
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type", content_type.to_string())],
            body,
        }
    }

    pub fn text(status: u16, text: &str) -> Response {
        Response::new(
            status,
            "text/plain; charset=utf-8",
            format!("{text}\n").into_bytes(),
        )
    }

    pub fn html(status: u16, html: String) -> Response {
        Response::new(status, "text/html; charset=utf-8", html.into_bytes())
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }

    /// Nothing of this response may be kept by the browser or a proxy.
    pub fn no_store(self) -> Response {
        self.header("Cache-Control", "no-store")
    }
}

/// What a route answers: a whole response, or the live-reload event stream (written by the
/// caller on the connection itself).
pub enum Reply {
    Full(Response),
    Events,
}

/// One unit of a counted limit, given back when dropped.
pub struct Slot(Arc<AtomicUsize>);

impl Slot {
    pub fn take(counter: &Arc<AtomicUsize>, cap: usize) -> Option<Slot> {
        if counter.fetch_add(1, Ordering::SeqCst) >= cap {
            counter.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(Slot(Arc::clone(counter)))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The connections still sending their request, oldest first, so that the oldest can be
/// closed when a new one needs the room.
#[derive(Default)]
struct Reading {
    next: u64,
    open: std::collections::VecDeque<(u64, TcpStream)>,
}

impl Reading {
    /// Count `stream` in, closing the oldest when the cap is reached; its number, to count it
    /// out.
    fn enter(reading: &Mutex<Reading>, stream: &TcpStream) -> Option<u64> {
        let copy = stream.try_clone().ok()?;
        let mut r = reading.lock().unwrap_or_else(|p| p.into_inner());
        while r.open.len() >= MAX_READING {
            if let Some((_, oldest)) = r.open.pop_front() {
                // Its thread sees the end of the stream and ends.
                let _ = oldest.shutdown(std::net::Shutdown::Both);
            }
        }
        r.next += 1;
        let id = r.next;
        r.open.push_back((id, copy));
        Some(id)
    }

    fn leave(reading: &Mutex<Reading>, id: u64) {
        let mut r = reading.lock().unwrap_or_else(|p| p.into_inner());
        r.open.retain(|(i, _)| *i != id);
    }
}

/// A connection's reads against one deadline for the whole request.
struct Deadline<'a> {
    stream: &'a TcpStream,
    until: Instant,
}

impl Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        let mut stream = self.stream;
        stream.read(buf)
    }
}

/// Accept connections until the listener fails. Each reads its request on its own thread
/// (see the module's comment for the caps), then is answered while a slot of `connections` is
/// free, and refused with 503 otherwise. `handle` gets the request (or the response that
/// refuses it) and the slot, which an event stream trades for one of its own.
pub fn serve<F>(listener: TcpListener, connections: Arc<AtomicUsize>, handle: F)
where
    F: Fn(&mut TcpStream, Result<Request, Response>, Slot) + Send + Sync + 'static,
{
    let handle = Arc::new(handle);
    let reading = Arc::new(Mutex::new(Reading::default()));
    for stream in listener.incoming() {
        let mut stream = match stream {
            Ok(s) => s,
            Err(_) => {
                // Out of file descriptors and the like: do not spin.
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        let Some(id) = Reading::enter(&reading, &stream) else {
            continue;
        };
        let handle = Arc::clone(&handle);
        let registry = Arc::clone(&reading);
        let connections = Arc::clone(&connections);
        let spawned = std::thread::Builder::new()
            .name(REQUEST_THREAD.into())
            .spawn(move || {
                let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
                let until = Instant::now() + REQUEST_DEADLINE;
                let request = read_request(&mut Deadline {
                    stream: &stream,
                    until,
                });
                Reading::leave(&registry, id);
                let Some(slot) = Slot::take(&connections, MAX_CONNECTIONS) else {
                    respond(
                        &mut stream,
                        &Response::text(503, "too many requests at once; try again"),
                        false,
                    );
                    return;
                };
                handle(&mut stream, request, slot);
            });
        if spawned.is_err() {
            Reading::leave(&reading, id);
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Send a response, then close the connection so that the client reads all of it.
pub fn respond(stream: &mut TcpStream, response: &Response, head_only: bool) {
    let _ = write_response(stream, response, head_only);
    finish(stream);
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        303 => "See Other",
        403 => "Forbidden",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

fn write_response(stream: &mut TcpStream, r: &Response, head_only: bool) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\n",
        r.status,
        reason(r.status),
        r.body.len()
    );
    for (k, v) in &r.headers {
        // A value is never allowed to start a header of its own.
        let v = v.replace(['\r', '\n'], " ");
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&r.body)?;
    }
    stream.flush()
}

/// The head of an event stream: it has no length and ends when the connection closes.
pub fn start_events(stream: &mut TcpStream) -> std::io::Result<()> {
    stream.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\n\r\n",
    )?;
    stream.flush()
}

/// Whether the client has closed the connection (an event stream's client sends nothing, so
/// anything but "nothing to read yet" means it went away).
pub fn closed(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let mut byte = [0u8; 1];
    let gone = match stream.peek(&mut byte) {
        Ok(n) => n == 0,
        Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
    };
    let _ = stream.set_nonblocking(false);
    gone
}

/// Let the client read the response before the connection closes, even when it sent more than
/// was read (a body over the limit): stop writing, then drain a bounded amount.
fn finish(stream: &mut TcpStream) {
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut drain = Deadline {
        stream,
        until: Instant::now() + Duration::from_millis(500),
    };
    let mut sink = [0u8; 8192];
    let mut drained = 0usize;
    while drained < 1 << 20 {
        match drain.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

/// Read one request within the limits; on failure, the response to send instead. What cannot
/// be the start of a request is refused as soon as it is seen, not after the deadline.
pub fn read_request(stream: &mut impl Read) -> Result<Request, Response> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(refused) = malformed(&buf) {
            return Err(refused);
        }
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&buf) {
            Ok(httparse::Status::Complete(head_len)) => {
                return request_from(&req, &buf[head_len..], stream, &mut chunk)
            }
            Ok(httparse::Status::Partial) => {}
            Err(httparse::Error::TooManyHeaders) => {
                return Err(Response::text(431, "the request has too many headers"))
            }
            Err(httparse::Error::Version) => {
                return Err(Response::text(400, "only HTTP/1.x is spoken here"))
            }
            Err(_) => return Err(Response::text(400, "malformed request")),
        }
        if buf.len() >= MAX_HEAD {
            return Err(Response::text(
                431,
                &format!("the request's head is larger than {MAX_HEAD} bytes"),
            ));
        }
        // Never past the limit: a head of exactly MAX_HEAD bytes is read whole, one byte more
        // is not.
        let want = chunk.len().min(MAX_HEAD - buf.len());
        match stream.read(&mut chunk[..want]) {
            Ok(0) => return Err(Response::text(400, "the request ended early")),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(_) => return Err(Response::text(408, "the request took too long")),
        }
    }
}

/// The head read so far, refused as soon as it shows it is not one: a line ending in a bare
/// LF (httparse accepts it; HTTP asks for CR LF, and a parser that accepts what others do not
/// is how requests get smuggled), or a first word too long to be a method.
fn malformed(buf: &[u8]) -> Option<Response> {
    let head = match buf.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(end) => &buf[..end + 4],
        None => buf,
    };
    let bare_lf = head
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\n' && (i == 0 || head[i - 1] != b'\r'));
    if bare_lf {
        return Some(Response::text(
            400,
            "malformed request: its lines must end with CR LF",
        ));
    }
    let start = head.iter().position(|&b| b != b'\r' && b != b'\n')?;
    let first = &head[start..];
    if first.len() > MAX_METHOD && !first[..=MAX_METHOD].contains(&b' ') {
        return Some(Response::text(400, "malformed request"));
    }
    None
}

fn request_from(
    req: &httparse::Request,
    after_head: &[u8],
    stream: &mut impl Read,
    chunk: &mut [u8],
) -> Result<Request, Response> {
    let mut length: Option<usize> = None;
    let mut content_type = String::new();
    let mut hosts: Vec<String> = Vec::new();
    let (mut origin, mut referer) = (None, None);
    for h in req.headers.iter() {
        let value = String::from_utf8_lossy(h.value).trim().to_string();
        match h.name.to_ascii_lowercase().as_str() {
            "content-length" => match value.parse::<usize>() {
                Ok(n) if length.is_none_or(|l| l == n) => length = Some(n),
                _ => return Err(Response::text(400, "malformed Content-Length")),
            },
            "transfer-encoding" => {
                return Err(Response::text(
                    411,
                    "send the body with a Content-Length, not chunked",
                ))
            }
            "content-type" => content_type = value.to_ascii_lowercase(),
            "host" => hosts.push(value.to_ascii_lowercase()),
            "origin" => origin = Some(value),
            "referer" => referer = Some(value),
            _ => {}
        }
    }
    // Exactly one Host: with two, servers and proxies disagree on which counts, and the check
    // that it names this computer must see the one that is used.
    let host =
        match hosts.as_slice() {
            [one] if !one.is_empty() => one.clone(),
            [] | [_] => return Err(Response::text(
                400,
                "the request has no Host header: it must name the server, such as 127.0.0.1:8080",
            )),
            _ => {
                return Err(Response::text(
                    400,
                    "the request has more than one Host header",
                ))
            }
        };
    let length = length.unwrap_or(0);
    if length > MAX_BODY {
        return Err(Response::text(
            413,
            &format!("the request body is larger than {MAX_BODY} bytes"),
        ));
    }
    let target = req.path.unwrap_or_default();
    let (raw_path, query) = target.split_once('?').unwrap_or((target, ""));
    if !raw_path.starts_with('/') {
        return Err(Response::text(400, "the request target must be a path"));
    }
    let method = req.method.unwrap_or_default().to_string();
    let path = percent_encoding::percent_decode_str(raw_path)
        .decode_utf8_lossy()
        .into_owned();
    let query = query.to_string();
    let mut body = after_head.to_vec();
    while body.len() < length {
        match stream.read(chunk) {
            Ok(0) => return Err(Response::text(400, "the request body ended early")),
            Ok(n) => body.extend_from_slice(&chunk[..n]),
            Err(_) => return Err(Response::text(408, "the request took too long")),
        }
    }
    body.truncate(length);
    Ok(Request {
        method,
        path,
        query,
        host,
        origin,
        referer,
        content_type,
        body,
    })
}

/// `application/x-www-form-urlencoded` pairs, in order (text that is not UTF-8 gets
/// replacement characters: for the query string, where only a page's name is read).
pub fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The same pairs for a form that was sent: a value whose bytes are not UTF-8 is `None`, so
/// that the form can say so next to its field instead of using replacement characters. (The
/// decoding is form_urlencoded's: `+` is a space, then percent-decoding; that crate has no way
/// to refuse what is not UTF-8.)
pub fn parse_form_checked(body: &[u8]) -> Vec<(String, Option<String>)> {
    let decode = |part: &[u8]| -> Vec<u8> {
        let spaced: Vec<u8> = part
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        percent_encoding::percent_decode(&spaced).collect()
    };
    body.split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            };
            (
                String::from_utf8_lossy(&decode(k)).into_owned(),
                String::from_utf8(decode(v)).ok(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<Request, Response> {
        read_request(&mut std::io::Cursor::new(bytes.to_vec()))
    }

    #[test]
    fn form_bodies_decode() {
        let f = parse_form(b"a=1&name=J%C3%B6rg+O%27Neil&empty=&bad=%zz&last&&short=%4");
        assert_eq!(f[0], ("a".into(), "1".into()));
        assert_eq!(f[1], ("name".into(), "Jörg O'Neil".into()));
        assert_eq!(f[2], ("empty".into(), String::new()));
        assert_eq!(f[3], ("bad".into(), "%zz".into()));
        assert_eq!(f[4], ("last".into(), String::new()));
        assert_eq!(f[5], ("short".into(), "%4".into()));
        assert_eq!(f.len(), 6);
    }

    #[test]
    fn requests_are_read_within_the_limits() {
        let r = read(b"POST /handout/%C3%A9?page=x HTTP/1.1\r\nHost: LOCALHOST:1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=1tail").unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/handout/é");
        assert_eq!(r.query, "page=x");
        assert_eq!(r.host, "localhost:1");
        assert_eq!(r.body, b"a=1");
        assert_eq!(r.origin, None);
        let status = |b: &[u8]| read(b).err().map(|r| r.status);
        assert_eq!(status(b"NONSENSE\r\n\r\n"), Some(400));
        assert_eq!(status(b"GET / HTTP/2.0\r\nHost: a\r\n\r\n"), Some(400));
        assert_eq!(
            status(b"GET http://x/ HTTP/1.1\r\nHost: a\r\n\r\n"),
            Some(400)
        );
        assert_eq!(status(b"GET / HTTP/1.1\r\nHost: a"), Some(400));
        let big = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        assert_eq!(status(big.as_bytes()), Some(431));
        let many: String = (0..100).map(|i| format!("X{i}: 1\r\n")).collect();
        assert_eq!(
            status(format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes()),
            Some(431)
        );
        let post = |headers: &str| format!("POST / HTTP/1.1\r\nHost: a\r\n{headers}");
        assert_eq!(
            status(post("Content-Length: 1000000000000\r\n\r\n").as_bytes()),
            Some(413)
        );
        assert_eq!(
            status(post("Content-Length: 1\r\nContent-Length: 2\r\n\r\nab").as_bytes()),
            Some(400)
        );
        assert_eq!(
            status(post("Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n").as_bytes()),
            Some(411)
        );
        assert_eq!(
            status(post("Content-Length: 5\r\n\r\nab").as_bytes()),
            Some(400)
        );
    }

    #[test]
    fn exactly_one_host_is_taken() {
        let refused = |b: &[u8]| {
            read(b)
                .err()
                .map(|r| (r.status, String::from_utf8_lossy(&r.body).into_owned()))
        };
        let (status, text) = refused(b"GET / HTTP/1.1\r\n\r\n").unwrap();
        assert_eq!(status, 400);
        assert!(text.contains("no Host header"), "{text}");
        assert_eq!(
            refused(b"GET / HTTP/1.0\r\nHost:\r\n\r\n").map(|r| r.0),
            Some(400)
        );
        let (status, text) =
            refused(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n").unwrap();
        assert_eq!(status, 400);
        assert!(text.contains("more than one Host"), "{text}");
        let r = read(
            b"POST / HTTP/1.1\r\nHost: a\r\nOrigin: http://a\r\nReferer: http://a/handout\r\n\r\n",
        )
        .unwrap();
        assert_eq!(r.origin.as_deref(), Some("http://a"));
        assert_eq!(r.referer.as_deref(), Some("http://a/handout"));
    }

    #[test]
    fn the_head_limit_holds_to_the_byte() {
        // A head of exactly MAX_HEAD bytes, then one byte more.
        let head = |size: usize| {
            let start = "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: ";
            let end = "\r\n\r\n";
            format!("{start}{}{end}", "a".repeat(size - start.len() - end.len()))
        };
        assert_eq!(head(MAX_HEAD).len(), MAX_HEAD);
        assert!(read(head(MAX_HEAD).as_bytes()).is_ok());
        assert_eq!(
            read(head(MAX_HEAD + 1).as_bytes()).err().map(|r| r.status),
            Some(431)
        );
    }

    /// What cannot be a request is refused from the bytes seen, without waiting for more (the
    /// reader here would answer "ended early" or block if more were asked for).
    #[test]
    fn malformed_requests_are_refused_at_once() {
        struct NoMore(Vec<u8>, bool);
        impl Read for NoMore {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                assert!(!self.1, "asked for more than was sent");
                self.1 = true;
                let n = self.0.len().min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                Ok(n)
            }
        }
        for bytes in [
            &b"GET / HTTP/1.1\nHost: a\n\n"[..],
            b"GET / HTTP/1.1\r\nHost: a\n",
            b"GET / HTTP/1.1\n",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
            b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            b"GET /\x00 HTTP/1.1\r\n",
        ] {
            let r = read_request(&mut NoMore(bytes.to_vec(), false));
            assert_eq!(r.err().map(|r| r.status), Some(400), "{bytes:?}");
        }
    }

    #[test]
    fn form_fields_that_are_not_utf8_are_told_apart() {
        let f = parse_form_checked(b"patient_name=J%C3%B6rg+O%27Neil&bad=%FF%FEx&&raw=a%zz&flag");
        assert_eq!(f[0], ("patient_name".into(), Some("Jörg O'Neil".into())));
        assert_eq!(f[1], ("bad".into(), None));
        assert_eq!(f[2], ("raw".into(), Some("a%zz".into())));
        assert_eq!(f[3], ("flag".into(), Some(String::new())));
        assert_eq!(f.len(), 4);
    }

    #[test]
    fn slots_are_given_back() {
        let c = Arc::new(AtomicUsize::new(0));
        let a = Slot::take(&c, 2).unwrap();
        let _b = Slot::take(&c, 2).unwrap();
        assert!(Slot::take(&c, 2).is_none());
        drop(a);
        assert!(Slot::take(&c, 2).is_some());
        assert_eq!(c.load(Ordering::SeqCst), 1);
    }
}
