//! Loopback credential endpoint for `exec --server`: the ECS container credential
//! protocol, as the AWS SDKs and CLIs read it from `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
//!
//! Bound to 127.0.0.1 only (the SDKs accept plain http for loopback hosts only), on a
//! port the OS picks. Every request must carry the token given to the child in
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN`; any other local process is refused. Requests are
//! answered from the credentials in memory (`refresh::Holder`), which a background task
//! renews ahead of expiry, so a request never waits on STS. HTTP is hyper's, not
//! hand-parsed.
//!
//! At most `MAX_CONNECTIONS` connections are open at once, so a local process cannot use
//! up xacct's file descriptors (and with them the keyring and lock-file opens). When the
//! cap is reached a new connection closes the oldest idle one: answers come from memory,
//! so an idle connection is one a client keeps for later (it reconnects), and a flood of
//! idle connections cannot lock the child out.

use super::refresh::Holder;
use crate::creds::Secret;
use crate::error::Error;
use crate::output;
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use subtle::ConstantTimeEq;

/// Token length in bytes of OS randomness (hex-encoded for the header).
const TOKEN_BYTES: usize = 32;
/// A client that opens a connection and sends nothing must not hold it forever.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// The path of the endpoint's URL.
const PATH: &str = "/";
/// Open connections at most; an SDK uses one or a few.
pub const MAX_CONNECTIONS: usize = 64;

/// A fresh token: `TOKEN_BYTES` from the OS RNG, hex-encoded.
pub fn new_token() -> Result<Secret, Error> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Runtime(format!("cannot read the OS random generator: {e}")))?;
    Ok(Secret::new(
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>(),
    ))
}

/// What the `Authorization` header says about the caller.
#[derive(Debug, PartialEq, Eq)]
pub enum Auth {
    Granted,
    Missing,
    Wrong,
}

/// Compares the header with the token in constant time (for equal lengths; the length
/// is no secret: every token is 64 hex digits). Clients send the token verbatim.
pub fn check_auth(header: Option<&[u8]>, token: &Secret) -> Auth {
    match header {
        None => Auth::Missing,
        Some(h) if bool::from(h.ct_eq(token.expose().as_bytes())) => Auth::Granted,
        Some(_) => Auth::Wrong,
    }
}

/// A running endpoint. Dropping it (or `close`) stops accepting connections.
pub struct Endpoint {
    pub url: String,
    pub token: Secret,
    pub addr: SocketAddr,
    accept: tokio::task::JoinHandle<()>,
}

impl Endpoint {
    /// Closes the listener: later connections are refused.
    pub fn close(self) {
        self.accept.abort();
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Binds 127.0.0.1 on a free port and answers from `holder` until closed. Call inside a
/// tokio runtime with the `net` driver.
pub async fn start(holder: Arc<Holder>) -> Result<Endpoint, Error> {
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .map_err(|e| Error::Runtime(format!("cannot listen on 127.0.0.1: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Runtime(format!("cannot read the listener's address: {e}")))?;
    let token = new_token()?;
    let state = Arc::new(State {
        token: token.clone(),
        holder,
    });
    let accept = tokio::spawn(accept_loop(listener, state));
    Ok(Endpoint {
        url: format!("http://{addr}{PATH}"),
        token,
        addr,
        accept,
    })
}

/// The open connections, oldest first, each with whether it is answering a request.
#[derive(Default)]
struct Conns {
    next: u64,
    open: BTreeMap<u64, (tokio::task::AbortHandle, Arc<AtomicBool>)>,
    warned: bool,
}

impl Conns {
    /// Makes room for one more connection: closes the oldest idle one when at the cap.
    /// False when every open connection is busy (the new one is then refused).
    fn make_room(&mut self) -> bool {
        if self.open.len() < MAX_CONNECTIONS {
            return true;
        }
        if !self.warned {
            self.warned = true;
            crate::ui::warn(&format!(
                "credential endpoint: {MAX_CONNECTIONS} connections open; closing the oldest idle ones from now on"
            ));
        }
        let idle = self
            .open
            .iter()
            .find(|(_, (_, busy))| !busy.load(Ordering::Relaxed))
            .map(|(id, _)| *id);
        match idle.and_then(|id| self.open.remove(&id)) {
            Some((task, _)) => {
                task.abort();
                true
            }
            None => false,
        }
    }
}

async fn accept_loop(listener: tokio::net::TcpListener, state: Arc<State>) {
    let conns = Arc::new(Mutex::new(Conns::default()));
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors and the like: transient; pause so the loop
                // does not spin, and keep serving (the child may retry).
                crate::ui::warn(&format!("credential endpoint: accept failed: {e}"));
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let mut guard = conns.lock().unwrap_or_else(|p| p.into_inner());
        if !guard.make_room() {
            continue; // dropping the stream closes it
        }
        let id = guard.next;
        guard.next += 1;
        let busy = Arc::new(AtomicBool::new(false));
        let task = tokio::spawn(serve_connection(
            stream,
            state.clone(),
            busy.clone(),
            conns.clone(),
            id,
        ));
        // The task cannot run before this returns (one thread; the lock is held).
        guard.open.insert(id, (task.abort_handle(), busy));
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    state: Arc<State>,
    busy: Arc<AtomicBool>,
    conns: Arc<Mutex<Conns>>,
    id: u64,
) {
    let svc = hyper::service::service_fn(move |req| {
        let state = state.clone();
        let busy = busy.clone();
        async move {
            busy.store(true, Ordering::Relaxed);
            let resp = handle(req, &state).await;
            busy.store(false, Ordering::Relaxed);
            Ok::<_, std::convert::Infallible>(resp)
        }
    });
    // A client that hangs up mid-request is its own problem: nothing to report.
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .serve_connection(TokioIo::new(stream), svc)
        .await;
    conns
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .open
        .remove(&id);
}

struct State {
    token: Secret,
    holder: Arc<Holder>,
}

async fn handle<B>(req: Request<B>, state: &State) -> Response<Full<Bytes>> {
    let header = req.headers().get(AUTHORIZATION).map(HeaderValue::as_bytes);
    match check_auth(header, &state.token) {
        Auth::Granted => {}
        Auth::Missing => {
            return error(
                StatusCode::UNAUTHORIZED,
                "the Authorization header is missing",
            );
        }
        Auth::Wrong => return error(StatusCode::FORBIDDEN, "the Authorization token is wrong"),
    }
    if req.method() != Method::GET {
        return error(StatusCode::METHOD_NOT_ALLOWED, "use GET");
    }
    if req.uri().path() != PATH {
        return error(StatusCode::NOT_FOUND, "no such path; use /");
    }
    match state.holder.for_request(chrono::Utc::now).await {
        Ok(creds) => json(StatusCode::OK, output::ecs_json(&creds)),
        Err(e) => error(StatusCode::SERVICE_UNAVAILABLE, &e.0),
    }
}

/// An error body in the shape the ECS endpoint uses (`code`, `message`). Messages name no
/// secret (see `error`).
fn error(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    let body = serde_json::json!({
        "code": status.canonical_reason().unwrap_or("Error"),
        "message": message,
    });
    json(status, body.to_string())
}

fn json(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_fresh_and_hex() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_eq!(a.expose().len(), 2 * TOKEN_BYTES);
        assert!(a.expose().bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn authorization_header_table() {
        let token = Secret::new("abc123");
        let table: [(Option<&[u8]>, Auth); 7] = [
            (None, Auth::Missing),
            (Some(b"abc123"), Auth::Granted),
            (Some(b""), Auth::Wrong),
            (Some(b"abc124"), Auth::Wrong),
            (Some(b"abc1234"), Auth::Wrong),
            (Some(b"Bearer abc123"), Auth::Wrong),
            (Some(b"ABC123"), Auth::Wrong),
        ];
        for (header, want) in table {
            assert_eq!(check_auth(header, &token), want, "{header:?}");
        }
    }

    #[test]
    fn handler_status_table() {
        let now = chrono::Utc::now();
        let valid = Holder::new(crate::testing::creds("FAKE"), 600);
        let expired = Holder::new(
            crate::creds::Credentials {
                expiration: now - chrono::TimeDelta::seconds(1),
                ..crate::testing::creds("OLD")
            },
            600,
        );
        let token = Secret::new("tok");
        // (holder, method, path, Authorization, status, body contains)
        let table = [
            (&valid, "GET", "/", Some("tok"), 200, "ASIAFAKE"),
            (&valid, "GET", "/", None, 401, "missing"),
            (&valid, "GET", "/", Some("nope"), 403, "wrong"),
            (&valid, "POST", "/", Some("tok"), 405, "GET"),
            (&valid, "GET", "/x", Some("tok"), 404, "path"),
            (
                &expired,
                "GET",
                "/",
                Some("tok"),
                503,
                "\"message\":\"the credentials expired",
            ),
        ];
        for (holder, method, path, auth, status, want) in table {
            let state = State {
                token: token.clone(),
                holder: (*holder).clone(),
            };
            let mut req = Request::builder().method(method).uri(path);
            if let Some(a) = auth {
                req = req.header(AUTHORIZATION, a);
            }
            let resp = crate::rt::block_on(handle(req.body(()).unwrap(), &state)).unwrap();
            assert_eq!(resp.status().as_u16(), status, "{method} {path} {auth:?}");
            let body = crate::rt::block_on(http_body_util::BodyExt::collect(resp.into_body()))
                .unwrap()
                .unwrap()
                .to_bytes();
            let body = String::from_utf8_lossy(&body);
            assert!(body.contains(want), "{method} {path} {auth:?}: {body}");
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            if status != 200 {
                assert!(v["code"].is_string() && v["message"].is_string(), "{body}");
            }
        }
    }
}
