//! Signals like a shell (issue 13): a signal reaches the command exactly once whether it
//! was sent to the whole process group or to xacct alone, in both modes; xacct dying
//! with -9 gives the command SIGTERM; the endpoint is gone once the command has exited.

use crate::exec::{exec_args, world};
use crate::util::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Counts the signals it gets for 2 s after printing "ready", then prints the counts.
const COUNTER: &str = r#"
import json, signal, sys, time
counts = {}
def seen(n, _):
    name = signal.Signals(n).name
    counts[name] = counts.get(name, 0) + 1
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
    signal.signal(s, seen)
print("ready", flush=True)
end = time.monotonic() + 2
while time.monotonic() < end:
    time.sleep(0.05)
print(json.dumps(counts), flush=True)
"#;

/// Runs the counter under `xacct exec` (xacct leading its own process group, as a shell
/// job or a supervised service would), sends `sig` to the group or to xacct alone, and
/// returns the counts the command printed and xacct's exit code.
fn count(w: &World, server: bool, sig: &str, to_group: bool) -> (serde_json::Value, i32) {
    let python = venv_bin("python");
    let mut child = w
        .cmd(&exec_args(
            server,
            &[],
            &[python.to_str().unwrap(), "-c", COUNTER],
        ))
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready", "server={server}");
    let target = if to_group {
        format!("-{}", child.id())
    } else {
        child.id().to_string()
    };
    let st = Command::new("kill")
        .args([&format!("-{sig}"), "--", &target])
        .status()
        .unwrap();
    assert!(st.success());
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let counts =
        serde_json::from_str(rest.trim()).unwrap_or_else(|e| panic!("{e}: {rest:?} {err}"));
    (counts, status.code().unwrap_or(-1))
}

#[test]
fn a_signal_to_the_group_or_to_xacct_alone_reaches_the_command_once() {
    let w = world();
    w.ok(&["credential-process", "--profile", "target"]); // warm the cache
    let mut cases = vec![];
    for server in [false, true] {
        for sig in ["INT", "TERM", "HUP"] {
            for to_group in [true, false] {
                cases.push((server, sig, to_group));
            }
        }
    }
    for sig in ["QUIT", "USR1", "USR2"] {
        cases.push((true, sig, false));
    }
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .iter()
            .map(|&(server, sig, to_group)| {
                let w = &w;
                s.spawn(move || ((server, sig, to_group), count(w, server, sig, to_group)))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for ((server, sig, to_group), (counts, code)) in results {
        let want = serde_json::json!({ format!("SIG{sig}"): 1 });
        assert_eq!(counts, want, "server={server} SIG{sig} to_group={to_group}");
        assert_eq!(code, 0, "server={server} SIG{sig}: the command's own code");
    }
}

#[test]
fn kill_9_of_xacct_gives_the_command_sigterm() {
    let w = world();
    let flag = w.home().join("got-term");
    let script = format!(
        "trap 'echo term > {}; exit 0' TERM; echo ready; i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done",
        flag.display()
    );
    let mut child = w
        .cmd(&exec_args(true, &[], &["sh", "-c", &script]))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready");
    child.kill().unwrap(); // SIGKILL: xacct cannot relay anything
    child.wait().unwrap();
    let start = Instant::now();
    while !flag.exists() && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        flag.exists(),
        "the command did not get SIGTERM when xacct died"
    );
}

/// Leaves a grandchild behind that asks the endpoint again after the command exited.
const LEAVE_BEHIND: &str = r#"
import os, subprocess, sys
probe = r'''
import os, sys, time, urllib.request
time.sleep(1.5)
req = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
    headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
try:
    urllib.request.urlopen(req, timeout=2).read()
    out = "answered"
except Exception as e:
    out = "refused: %s" % e
open(sys.argv[1], "w").write(out)
'''
req = __import__("urllib.request").request
r = req.urlopen(req.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
    headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]}), timeout=2)
print("before exit:", r.status, flush=True)
subprocess.Popen([sys.executable, "-c", probe, sys.argv[1]], start_new_session=True,
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
"#;

#[test]
fn the_endpoint_stops_answering_once_the_command_has_exited() {
    let w = world();
    let result = w.home().join("probe");
    let python = venv_bin("python");
    let r = w.run(&exec_args(
        true,
        &[],
        &[
            python.to_str().unwrap(),
            "-c",
            LEAVE_BEHIND,
            result.to_str().unwrap(),
        ],
    ));
    assert_eq!(
        (r.code, r.stdout.trim()),
        (0, "before exit: 200"),
        "{}",
        r.stderr
    );
    let start = Instant::now();
    while !result.exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(100));
    let got = std::fs::read_to_string(&result).unwrap();
    assert!(got.starts_with("refused"), "{got}");
}

/// An interactive run: the command reads the terminal (it owns it, not a background
/// group that would be stopped by SIGTTIN) and gets one Ctrl-C.
#[test]
fn an_interactive_command_reads_the_terminal_and_gets_one_ctrl_c() {
    let w = world();
    let python = venv_bin("python");
    let child_py = r#"
import signal, sys, time
n = 0
def seen(*_):
    global n
    n += 1
signal.signal(signal.SIGINT, seen)
line = input("type: ")
print("read:", line, flush=True)
end = time.monotonic() + 1.5
while time.monotonic() < end:
    time.sleep(0.05)
print("ctrl-c count:", n, flush=True)
"#;
    let py_file = w.home().join("child.py");
    std::fs::write(&py_file, child_py).unwrap();
    let cmdline = format!(
        "{} exec --profile target --server -- {} {}",
        xacct_bin(),
        python.display(),
        py_file.display()
    );
    // A command stopped by SIGTTIN would hang the test: timeout(1) ends it.
    let mut script = Command::new("timeout")
        .args(["-s", "KILL", "20", "script", "-qec", &cmdline, "/dev/null"])
        .env_clear()
        .envs(&w.env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = script.stdin.take().unwrap();
    std::thread::sleep(Duration::from_secs(2));
    stdin.write_all(b"hello\n").unwrap();
    std::thread::sleep(Duration::from_millis(700));
    stdin.write_all(b"\x03").unwrap(); // Ctrl-C on the terminal
    let out = script.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("read: hello"), "{text}");
    assert!(text.contains("ctrl-c count: 1"), "{text}");
    assert!(out.status.success(), "{text}");
}
