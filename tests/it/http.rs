//! The little HTTP/1.1 the loopback stand-ins need: read one request (headers and a
//! Content-Length body), and pass it on to moto with `Connection: close`, so that moto's
//! answer ends at EOF and can be handed back (or changed) whole.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

pub struct Request {
    /// The request line and headers, without the blank line.
    pub head: String,
    pub body: Vec<u8>,
}

/// Reads one request; `None` when the peer closes or stalls for 20 s first.
pub fn read_request(conn: &mut TcpStream) -> Option<Request> {
    conn.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end])
        .trim_end()
        .to_string();
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(Request {
        head,
        body: buf[head_end..].to_vec(),
    })
}

/// Sends `req` to moto (`http://host:port` or `host:port`) with `Connection: close` and
/// returns moto's whole answer, status line to body; `None` when moto cannot be reached.
pub fn forward(req: &Request, moto: &str) -> Option<Vec<u8>> {
    let addr = moto.trim_start_matches("http://").trim_end_matches('/');
    let mut up = TcpStream::connect(addr).ok()?;
    let mut out: String = req
        .head
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    out.push_str("Connection: close\r\n\r\n");
    let mut answer = Vec::new();
    up.write_all(out.as_bytes()).ok()?;
    up.write_all(&req.body).ok()?;
    up.read_to_end(&mut answer).ok()?;
    Some(answer)
}
