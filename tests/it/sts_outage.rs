//! STS down while the cache holds credentials inside the refresh margin (botocore's rule):
//! above the minimum validity they are served with one warning and exit 0, below it the
//! run fails as before, and for 30 s after a failure no connection to STS is attempted.

use crate::util::*;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// A loopback port that passes requests on to moto until `close`, after which nothing
/// listens there. The cache key holds the STS endpoint, so the healthy and the broken
/// STS must be one URL.
struct Gate {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Gate {
    fn open() -> Gate {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let moto = moto_url().trim_start_matches("http://").to_string();
        // At most 16 connections: the test makes one AssumeRole through it.
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming().take(16) {
                if stopped.load(Ordering::SeqCst) {
                    return;
                }
                if let Ok(conn) = conn {
                    proxy(conn, &moto);
                }
            }
        });
        Gate { port, stop, thread }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops the proxy and closes its port: connections are refused from now on.
    fn close(self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        self.thread.join().unwrap();
    }
}

/// Passes one request on to moto with `Connection: close`, and moto's answer back.
fn proxy(mut conn: TcpStream, moto: &str) {
    let Some(req) = crate::http::read_request(&mut conn) else {
        return;
    };
    if let Some(answer) = crate::http::forward(&req, moto) {
        let _ = conn.write_all(&answer);
    }
}

/// A listener that counts the connections made to it (on a given port).
struct Counter {
    listener: TcpListener,
}

impl Counter {
    fn bind(port: u16) -> Counter {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        Counter { listener }
    }

    fn accepted(&self) -> usize {
        std::iter::from_fn(|| self.listener.accept().ok()).count()
    }
}

#[test]
fn sts_down_inside_the_margin_serves_the_cache_once_warned_and_does_not_retry_for_30s() {
    let gate = Gate::open();
    let mut w = World::new();
    w.target_profile("");
    w.set("AWS_ENDPOINT_URL", &gate.url());
    let cached = w.ok(&["credential-process", "--profile", "target"]).json();
    let key = cached["AccessKeyId"].as_str().unwrap().to_string();
    assert_eq!(w.assume_count(), 1);
    gate.close();
    // The entry was issued for 3600 s; a margin of 3599 s puts it inside the margin once
    // a second has passed, far above the default minimum of 10 minutes. The minimum of
    // 3598 s below needs two seconds gone: the sleep alone must give them, since a run
    // of xacct takes milliseconds now (issue 15; the runs used to make up the rest).
    std::thread::sleep(Duration::from_millis(2500));
    let inside = [
        "credential-process",
        "--profile",
        "target",
        "--refresh-margin",
        "3599s",
    ];

    let r = w.run(&inside);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["AccessKeyId"], key.as_str());
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one warning: {}", r.stderr);
    assert!(lines[0].starts_with("xacct: warning: "), "{}", r.stderr);
    assert!(
        lines[0].contains("serving cached credentials"),
        "{}",
        r.stderr
    );
    assert!(lines[0].contains("cannot reach STS"), "{}", r.stderr);
    check_failure_record(&w, &cached);

    // Below the minimum validity the failure is the answer, as before.
    let mut below = inside.to_vec();
    below.extend(["--min-validity", "3598s"]);
    let r = w.run(&below);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("xacct: error: cannot reach STS"),
        "{}",
        r.stderr
    );

    // Within 30 s of the failure: the cached key, one warning, and no connection at all.
    let counter = Counter::bind(gate_port(&w));
    let r = w.run(&inside);
    assert_eq!(
        counter.accepted(),
        0,
        "xacct connected to STS: {}",
        r.stderr
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["AccessKeyId"], key.as_str());
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("less than 30s ago"), "{}", r.stderr);
    assert_eq!(w.assume_count(), 1);
}

fn gate_port(w: &World) -> u16 {
    w.env["AWS_ENDPOINT_URL"]
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// The failure is recorded next to the lock files: a 0600 file holding a time, no secret.
fn check_failure_record(w: &World, cached: &serde_json::Value) {
    let dir = w.home().join("run/xacct");
    let records: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "failed"))
        .collect();
    assert_eq!(records.len(), 1, "{records:?}");
    let text = std::fs::read_to_string(&records[0]).unwrap();
    assert!(
        !text.trim().is_empty() && text.trim().bytes().all(|b| b.is_ascii_digit()),
        "{text:?}"
    );
    for secret in ["SecretAccessKey", "SessionToken"] {
        assert!(!text.contains(cached[secret].as_str().unwrap()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&records[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
