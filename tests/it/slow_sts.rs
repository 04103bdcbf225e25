//! A loopback proxy in front of moto that holds every AssumeRole for a while: a slow STS
//! (or a slow source provider, or a lock held elsewhere) as `exec --server` meets it.
//!
//! One request per connection (`Connection: close` both ways), so the proxy never has to
//! parse a second request on a kept-alive connection. It lives until the test binary
//! exits; every thread it starts serves one connection and ends with it.

use crate::util::moto_url;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

pub struct SlowSts {
    url: String,
}

impl SlowSts {
    /// Delays each request whose body has `Action=AssumeRole` by `delay`.
    pub fn start(delay: Duration) -> SlowSts {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = moto_url()
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let upstream = upstream.clone();
                std::thread::spawn(move || {
                    let _ = relay(client, &upstream, delay);
                });
            }
        });
        SlowSts { url }
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

/// Reads one request (head + Content-Length body).
fn read_request(r: &mut BufReader<TcpStream>) -> std::io::Result<(Vec<String>, Vec<u8>)> {
    let mut head = vec![];
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        if line.is_empty() {
            break;
        }
        head.push(line);
    }
    let len = head
        .iter()
        .find_map(|h| {
            let (k, v) = h.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body)?;
    Ok((head, body))
}

fn relay(client: TcpStream, upstream: &str, delay: Duration) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(client.try_clone()?);
    let (head, body) = read_request(&mut reader)?;
    if String::from_utf8_lossy(&body).contains("Action=AssumeRole") {
        std::thread::sleep(delay);
    }
    let mut up = TcpStream::connect(upstream)?;
    let mut out = String::new();
    for h in head
        .iter()
        .filter(|h| !h.to_ascii_lowercase().starts_with("connection:"))
    {
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    up.write_all(out.as_bytes())?;
    up.write_all(&body)?;
    let mut answer = vec![];
    up.read_to_end(&mut answer)?;
    // Tell the client not to reuse the connection either.
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(answer.len());
    let (resp_head, rest) = answer.split_at(split);
    let resp_head = String::from_utf8_lossy(resp_head);
    let mut client = client;
    for (i, line) in resp_head.split("\r\n").enumerate() {
        if i > 0 && line.to_ascii_lowercase().starts_with("connection:") {
            continue;
        }
        client.write_all(line.as_bytes())?;
        client.write_all(b"\r\n")?;
    }
    client.write_all(b"Connection: close")?;
    client.write_all(rest)?;
    client.flush()
}
