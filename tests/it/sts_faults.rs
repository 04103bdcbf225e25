//! STS faults: a loopback stand-in for STS answers with 500s, throttling,
//! garbage or silence before (or instead of) passing the request on to moto. xacct must
//! retry what is transient, with the SDK's capped backoff, and otherwise fail with one
//! clear line, never hang and never panic.

use crate::util::*;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How the stand-in answers one request.
#[derive(Clone, Copy, Debug)]
enum Reply {
    /// HTTP 500 with an empty body.
    ServerError,
    /// HTTP 400 with STS's `Throttling` error document.
    Throttling,
    /// HTTP 200 with a body that is not an AssumeRole response.
    Garbage,
    /// Accept the connection, read the request, never answer.
    Silence,
    /// Pass the request on to moto and its answer back.
    Proxy,
}

/// Answers request i with `script[i]` (the last entry repeats). Serves at most 16
/// connections, each with `Connection: close`, so the thread ends by itself.
struct StandIn {
    url: String,
    requests: Arc<AtomicUsize>,
}

impl StandIn {
    fn start(script: Vec<Reply>) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        let moto = moto_url();
        std::thread::spawn(move || {
            for conn in listener.incoming().take(16) {
                let Ok(mut conn) = conn else { continue };
                let Some(request) = crate::http::read_request(&mut conn) else {
                    continue;
                };
                let i = counter.fetch_add(1, Ordering::SeqCst);
                let reply = script[i.min(script.len() - 1)];
                answer(&mut conn, reply, &request, &moto);
            }
        });
        StandIn { url, requests }
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn respond(conn: &mut TcpStream, status: &str, body: &str) {
    let _ = write!(
        conn,
        "HTTP/1.1 {status}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn answer(conn: &mut TcpStream, reply: Reply, request: &crate::http::Request, moto: &str) {
    match reply {
        Reply::ServerError => respond(conn, "500 Internal Server Error", ""),
        Reply::Throttling => respond(
            conn,
            "400 Bad Request",
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>\
             <Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>\
             </Error><RequestId>r-1</RequestId></ErrorResponse>",
        ),
        Reply::Garbage => respond(conn, "200 OK", "<html>captive portal</html>"),
        Reply::Silence => std::thread::sleep(Duration::from_secs(40)),
        Reply::Proxy => {
            if let Some(resp) = crate::http::forward(request, moto) {
                let _ = conn.write_all(&resp);
            }
        }
    }
}

fn world_via(stand_in: &StandIn) -> World {
    let mut w = World::new();
    w.target_profile("");
    w.set("AWS_ENDPOINT_URL", &stand_in.url);
    w
}

#[test]
fn sts_5xx_is_retried_then_succeeds() {
    let s = StandIn::start(vec![Reply::ServerError, Reply::ServerError, Reply::Proxy]);
    let w = world_via(&s);
    let r = w.ok(&["credential-process", "--profile", "target"]);
    assert_eq!(r.json()["AccountId"], ACCOUNT_A);
    assert_eq!(r.stderr, "", "a retried 500 is silent");
    assert_eq!(s.requests(), 3, "two 500s, then the answer");
    assert_eq!(w.assume_count(), 1);
}

#[test]
fn sts_throttling_is_retried_then_succeeds() {
    let s = StandIn::start(vec![Reply::Throttling, Reply::Throttling, Reply::Proxy]);
    let w = world_via(&s);
    let r = w.ok(&["credential-process", "--profile", "target"]);
    assert_eq!(r.json()["AccountId"], ACCOUNT_A);
    assert_eq!(r.stderr, "");
    assert_eq!(s.requests(), 3);
    assert_eq!(w.assume_count(), 1);
}

/// Runs xacct against a stand-in that never recovers: one line, exit 1, capped attempts.
fn fails_clearly(reply: Reply, want: &str) -> usize {
    let s = StandIn::start(vec![reply]);
    let w = world_via(&s);
    let r = w.run(&["credential-process", "--profile", "target"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (1, ""),
        "{reply:?}: {}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 1, "{reply:?}: {}", r.stderr);
    assert!(r.stderr.starts_with("xacct: error: "), "{}", r.stderr);
    assert!(
        r.stderr.contains(&w.role_arn) || r.stderr.contains("STS"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(want),
        "{reply:?}: want {want:?}: {}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"));
    s.requests()
}

#[test]
fn persistent_sts_500_names_the_status_not_unknown() {
    // Was "STS AssumeRole on ... failed: Unknown: ". The SDK's standard retry mode makes
    // 3 attempts in all.
    assert_eq!(fails_clearly(Reply::ServerError, "(HTTP 500)"), 3);
}

#[test]
fn persistent_throttling_gives_up_after_the_capped_attempts() {
    assert_eq!(
        fails_clearly(Reply::Throttling, "(Throttling: Rate exceeded)"),
        3
    );
}

#[test]
fn a_garbage_answer_is_one_clear_error() {
    // Not transient: no retry.
    assert_eq!(fails_clearly(Reply::Garbage, "STS"), 1);
}

#[test]
fn a_silent_sts_times_out_with_one_line_instead_of_hanging() {
    let s = StandIn::start(vec![Reply::Silence]);
    let w = world_via(&s);
    let mut child = w
        .cmd(&["credential-process", "--profile", "target"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The Go SDK kills a credential_process helper after one minute: a hang detector,
    // not a timing assertion (xacct's own operation timeout is 30 s).
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(58) {
            child.kill().unwrap();
            panic!("xacct still waiting for a silent STS after 58 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let r = Run::from(child.wait_with_output().unwrap());
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("cannot reach STS"), "{}", r.stderr);
    assert!(s.requests() >= 1);
}
