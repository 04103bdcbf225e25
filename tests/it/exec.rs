//! `xacct exec` in both modes against moto: the command's environment, exit codes and
//! signals, nesting, bad input. The endpoint itself is tested in `exec_server`.

use crate::util::*;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{ExitStatus, Stdio};

/// The parent variables exec must drop, and one it must keep.
const STALE: &[(&str, &str)] = &[
    ("AWS_ACCESS_KEY_ID", "AKIAPARENTKEY0000001"),
    ("AWS_SECRET_ACCESS_KEY", "parent-secret"),
    ("AWS_SESSION_TOKEN", "parent-token"),
    ("AWS_SECURITY_TOKEN", "parent-token"),
    ("AWS_CREDENTIAL_FILE", "/nonexistent/creds"),
    ("AWS_DEFAULT_PROFILE", "elsewhere"),
    ("AWS_PROFILE", "elsewhere"),
    ("AWS_SDK_LOAD_CONFIG", "1"),
    (
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "/v2/credentials/stale",
    ),
    ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "stale-token"),
    ("KEEP_ME", "kept"),
];

/// `xacct exec --profile target [--server] [extra] -- CMD...`
pub fn exec_args<'a>(server: bool, extra: &[&'a str], cmd: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["exec", "--profile", "target"];
    if server {
        a.push("--server");
    }
    a.extend_from_slice(extra);
    a.push("--");
    a.extend_from_slice(cmd);
    a
}

pub fn world() -> World {
    let w = World::new();
    w.target_profile("");
    w
}

/// The child's environment, as `env -0` printed it.
fn env_of(r: &Run) -> BTreeMap<String, String> {
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
        .split('\0')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn status(w: &World, args: &[&str]) -> ExitStatus {
    w.cmd(args).status().unwrap()
}

#[test]
fn static_mode_sets_the_keys_and_removes_stale_variables() {
    let mut w = world();
    for (k, v) in STALE {
        w.set(k, v);
    }
    let r = w.run(&exec_args(false, &[], &["env", "-0"]));
    assert_eq!(r.stderr, "", "a clean run prints nothing on stderr");
    let env = env_of(&r);
    let recs = assume_records(&w.role_arn);
    assert_eq!(recs.len(), 1);
    assert_eq!(env["AWS_ACCESS_KEY_ID"], recs[0]["access_key_id"]);
    assert_eq!(env["AWS_SECRET_ACCESS_KEY"], recs[0]["secret_access_key"]);
    assert_eq!(env["AWS_SESSION_TOKEN"], recs[0]["session_token"]);
    let exp = &env["AWS_CREDENTIAL_EXPIRATION"];
    let left = chrono::DateTime::parse_from_rfc3339(exp).unwrap().to_utc() - chrono::Utc::now();
    assert!(
        exp.ends_with('Z') && (3500..=3600).contains(&left.num_seconds()),
        "{exp}"
    );
    assert_eq!(env["AWS_REGION"], "us-east-1");
    assert_eq!(env["AWS_DEFAULT_REGION"], "us-east-1");
    assert_eq!(env["XACCT_ROLE_ARN"], w.role_arn);
    for (k, _) in STALE.iter().filter(|(k, _)| k.starts_with("AWS_")) {
        if ![
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ]
        .contains(k)
        {
            assert!(!env.contains_key(*k), "{k} must be removed");
        }
    }
    assert_eq!(env["KEEP_ME"], "kept");
    assert_eq!(env["AWS_ENDPOINT_URL"], moto_url());
}

#[test]
fn server_mode_sets_the_endpoint_and_no_keys() {
    let mut w = world();
    for (k, v) in STALE {
        w.set(k, v);
    }
    let r = w.run(&exec_args(true, &[], &["env", "-0"]));
    assert_eq!(r.stderr, "", "a clean run prints nothing on stderr");
    let env = env_of(&r);
    let url = &env["AWS_CONTAINER_CREDENTIALS_FULL_URI"];
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let token = &env["AWS_CONTAINER_AUTHORIZATION_TOKEN"];
    assert!(
        token.len() >= 64 && token.bytes().all(|b| b.is_ascii_hexdigit()),
        "32 random bytes, hex: {token}"
    );
    for (k, _) in STALE.iter().filter(|(k, _)| k.starts_with("AWS_")) {
        if *k != "AWS_CONTAINER_AUTHORIZATION_TOKEN" {
            assert!(!env.contains_key(*k), "{k} must be removed");
        }
    }
    assert!(!env.contains_key("AWS_CREDENTIAL_EXPIRATION"));
    assert_eq!(env["AWS_REGION"], "us-east-1");
    assert_eq!(env["XACCT_ROLE_ARN"], w.role_arn);
    assert_eq!(env["KEEP_ME"], "kept");
}

#[test]
fn no_configured_region_sets_no_region() {
    let w = World::new();
    for server in [false, true] {
        let mut a = vec!["exec", "--role-arn", &w.role_arn, "--source-profile", "src"];
        if server {
            a.push("--server");
        }
        a.extend(["--", "env", "-0"]);
        let env = env_of(&w.run(&a));
        assert!(!env.contains_key("AWS_REGION"), "server={server}");
        assert!(!env.contains_key("AWS_DEFAULT_REGION"), "server={server}");
    }
}

#[test]
fn exit_codes_and_signal_deaths_pass_through() {
    use std::os::unix::process::ExitStatusExt;
    let w = world();
    for server in [false, true] {
        for (script, code) in [("exit 0", 0), ("exit 7", 7)] {
            let st = status(&w, &exec_args(server, &[], &["sh", "-c", script]));
            assert_eq!(st.code(), Some(code), "server={server} {script}");
        }
        let st = status(&w, &exec_args(server, &[], &["sh", "-c", "kill -TERM $$"]));
        if server {
            assert_eq!(st.code(), Some(143), "128+SIGTERM");
        } else {
            // execve: xacct became the shell, so it died of the signal itself.
            assert_eq!(st.signal(), Some(15), "{st:?}");
        }
    }
}

/// Starts `xacct ARGS` with stdout piped and returns it once the child printed `ready`.
fn spawn_until_ready(
    w: &World,
    args: &[&str],
) -> (
    std::process::Child,
    BufReader<std::process::ChildStdout>,
    String,
) {
    let mut child = w.cmd(args).stdout(Stdio::piped()).spawn().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.starts_with("ready"), "child did not start: {line:?}");
    (child, out, line)
}

fn kill(sig: &str, pid: u32) {
    let st = std::process::Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap();
    assert!(st.success());
}

#[test]
fn server_mode_forwards_sigterm_to_a_child_that_traps_it() {
    let w = world();
    let script = "trap 'echo got-term; exit 5' TERM; echo ready $PPID; i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; echo timeout";
    let (mut child, mut out, ready) =
        spawn_until_ready(&w, &exec_args(true, &[], &["sh", "-c", script]));
    assert_eq!(
        ready.trim(),
        format!("ready {}", child.id()),
        "the command is xacct's child"
    );
    kill("-TERM", child.id());
    let st = child.wait().unwrap();
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert_eq!(rest.trim(), "got-term");
    assert_eq!(st.code(), Some(5), "xacct exits with the child's code");
}

#[test]
fn static_mode_replaces_xacct_so_signals_reach_the_command() {
    let w = world();
    let script = "trap 'echo got-hup; exit 6' HUP; echo ready $$; i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; echo timeout";
    let (mut child, mut out, ready) =
        spawn_until_ready(&w, &exec_args(false, &[], &["sh", "-c", script]));
    assert_eq!(
        ready.trim(),
        format!("ready {}", child.id()),
        "same pid: execve"
    );
    kill("-HUP", child.id());
    let st = child.wait().unwrap();
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert_eq!((rest.trim(), st.code()), ("got-hup", Some(6)));
}

#[test]
fn nested_exec_is_refused_unless_allowed() {
    let w = world();
    let me = xacct_bin();
    let inner = format!("arn:aws:iam::{ACCOUNT_A}:role/{}", unique("inner"));
    for server in [false, true] {
        let r = w.run(&exec_args(
            server,
            &[],
            &[me, "exec", "--profile", "target", "--", "true"],
        ));
        assert_eq!(r.code, 2, "server={server}: {}", r.stderr);
        assert!(
            r.stderr.contains("already inside `xacct exec`"),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("--allow-nested"), "{}", r.stderr);
    }
    // Nested on purpose: the inner role is assumed with the outer session (default chain).
    let r = w.run(&exec_args(
        false,
        &[],
        &[
            me,
            "exec",
            "--allow-nested",
            "--role-arn",
            &inner,
            "--",
            "env",
            "-0",
        ],
    ));
    let env = env_of(&r);
    assert_eq!(env["XACCT_ROLE_ARN"], inner);
    assert_eq!(assume_records(&inner).len(), 1);
}

#[test]
fn credential_process_inside_exec_is_not_refused() {
    let w = World::new();
    w.write_config(&format!(
        "[profile target]\nrole_arn = {}\nsource_profile = src\nregion = us-east-1\n\
         [profile app]\ncredential_process = {} credential-process --profile target\nregion = us-east-1\n",
        w.role_arn,
        xacct_bin()
    ));
    let aws = venv_bin("aws");
    for server in [false, true] {
        let r = w.run(&exec_args(
            server,
            &[],
            &[
                aws.to_str().unwrap(),
                "sts",
                "get-caller-identity",
                "--profile",
                "app",
                "--query",
                "Account",
                "--output",
                "text",
            ],
        ));
        assert_eq!(r.code, 0, "server={server}: {}", r.stderr);
        assert_eq!(r.stdout.trim(), ACCOUNT_A);
    }
    assert_eq!(
        w.assume_count(),
        1,
        "exec and credential-process share the cache"
    );
}

/// (arguments, environment, message)
type BadCase<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

#[test]
fn bad_exec_input_fails_before_any_network_call() {
    let table: [BadCase; 5] = [
        (&["exec", "--profile", "target"], &[], "no command to run"),
        (
            &["exec", "--profile", "target", "--", "no-such-command-xacct"],
            &[],
            "not found in PATH",
        ),
        (
            &["exec", "--profile", "target", "--", "/nonexistent/job.sh"],
            &[],
            "does not exist",
        ),
        (&["exec", "--", "env"], &[], "no role to assume"),
        (
            &["exec", "--profile", "target", "--", "env"],
            &[("XACCT_ROLE_ARN", "arn:aws:iam::111111111111:role/outer")],
            "--allow-nested",
        ),
    ];
    for (args, env, want) in table {
        let mut w = world();
        let trip = Tripwire::new();
        w.set("AWS_ENDPOINT_URL", &trip.url());
        for (k, v) in env {
            w.set(k, v);
        }
        let r = w.run(args);
        assert_eq!(
            (r.code, r.stdout.as_str()),
            (2, ""),
            "{args:?}: {}",
            r.stderr
        );
        assert_eq!(r.stderr.lines().count(), 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(want), "{args:?}: {}", r.stderr);
        assert_eq!(trip.hits(), 0, "{args:?} made a network call");
    }
}

#[test]
fn the_command_starts_with_default_signal_dispositions() {
    // xacct (like every Rust program) ignores SIGPIPE; the command must not inherit that,
    // or `cmd | head` pipelines inside it would never end by SIGPIPE.
    let w = world();
    for server in [false, true] {
        let r = w.run(&exec_args(
            server,
            &[],
            &["grep", "SigIgn", "/proc/self/status"],
        ));
        assert_eq!(r.code, 0, "{}", r.stderr);
        let mask = u64::from_str_radix(r.stdout.split_whitespace().nth(1).unwrap(), 16).unwrap();
        assert_eq!(
            mask & (1 << (13 - 1)),
            0,
            "server={server}: SIGPIPE ignored: {}",
            r.stdout
        );
    }
}
