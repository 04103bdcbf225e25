//! MFA, source identity and session tags: they reach STS (moto's recorder shows the
//! request), belong to the cache key, and a missing code never hangs a non-interactive run.

use crate::recorder;
use crate::util::*;
use std::io::Write;
use std::process::{Command, Stdio};

const SERIAL: &str = "arn:aws:iam::222222222222:mfa/alice";

/// `xacct ARGS` in a new session without a controlling terminal, stdin null: /dev/tty
/// cannot be opened, as under cron or a CI runner.
fn run_without_tty(w: &World, args: &[&str]) -> Run {
    let out = Command::new("setsid")
        .arg("--wait")
        .arg(xacct_bin())
        .args(args)
        .env_clear()
        .envs(&w.env)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run::from(out)
}

#[test]
fn serial_and_token_code_reach_sts_and_a_cache_hit_asks_for_no_code() {
    recorder::start();
    let w = World::new();
    // Its own device: MFA sessions are shared by every role with the same source + serial.
    let serial = crate::mfa_session::serial();
    w.target_profile(&format!("mfa_serial = {serial}"));
    w.ok(&[
        "credential-process",
        "--profile",
        "target",
        "--token-code",
        "123456",
    ]);
    // The code goes into the MFA session (GetSessionToken), the role is assumed from it.
    let sessions = crate::mfa_session::sts_requests_about(&serial, "123456");
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert_eq!(sessions[0]["SerialNumber"], serial);
    assert_eq!(sessions[0]["TokenCode"], "123456");
    let reqs = recorder::sts_requests(&w.role_arn);
    assert_eq!(reqs.len(), 1, "{reqs:?}");
    assert!(!reqs[0].contains_key("TokenCode"), "{reqs:?}");
    // No code and no terminal: the cached session is served without asking.
    let r = run_without_tty(&w, &["credential-process", "--profile", "target"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(w.assume_count(), 1);
}

#[test]
fn no_terminal_and_no_token_code_is_a_clear_error_without_a_network_call() {
    let mut w = World::new();
    w.target_profile(&format!("mfa_serial = {SERIAL}"));
    let trip = Tripwire::new();
    w.set("AWS_ENDPOINT_URL", &trip.url());
    let r = run_without_tty(&w, &["credential-process", "--profile", "target"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    for want in [SERIAL, "--token-code", "no terminal"] {
        assert!(r.stderr.contains(want), "{} lacks {want}", r.stderr);
    }
    assert_eq!(trip.hits(), 0);
}

#[test]
fn the_code_is_read_from_the_terminal_not_stdin() {
    recorder::start();
    let w = World::new();
    let serial = crate::mfa_session::serial();
    w.target_profile(&format!("mfa_serial = {serial}"));
    // Two valid codes: the terminal's and, on stdin, another one. Only the terminal's
    // may reach STS; a build that reads stdin sends 111111.
    let stdin_code = w.home().join("stdin-code");
    std::fs::write(&stdin_code, "111111\n").unwrap();
    // script(1) runs xacct on a new pseudo-terminal (its controlling terminal, /dev/tty)
    // and copies script's own stdin there; the shell gives xacct the file as stdin.
    let cmdline = format!(
        "exec '{}' credential-process --profile target < '{}'",
        xacct_bin(),
        stdin_code.display()
    );
    let mut child = Command::new("script")
        .args(["-qec", &cmdline, "/dev/null"])
        .env_clear()
        .envs(&w.env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("script(1) is missing ({e}): run the tests through scripts/test")
        });
    child.stdin.take().unwrap().write_all(b"654321\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains(&format!("MFA code for {serial}: ")), "{text}");
    // The code goes into the MFA session (GetSessionToken).
    let sessions = crate::mfa_session::sts_requests_about(&serial, "654321");
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert_eq!(
        sessions[0]["TokenCode"], "654321",
        "STS got the code from stdin, not the terminal"
    );
}

#[test]
fn source_identity_and_tags_reach_sts_and_change_the_cache_key() {
    recorder::start();
    let w = World::new();
    w.target_profile("source_identity = from-profile\nsession_tags = team=backup, env=prod");
    let base = ["credential-process", "--profile", "target"];
    w.ok(&base);
    let reqs = recorder::sts_requests(&w.role_arn);
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r["SourceIdentity"], "from-profile");
    // Sorted by key: env before team.
    assert_eq!(r["Tags.member.1.Key"], "env");
    assert_eq!(r["Tags.member.1.Value"], "prod");
    assert_eq!(r["Tags.member.2.Key"], "team");
    assert_eq!(r["Tags.member.2.Value"], "backup");

    let with = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        w.ok(&a);
    };
    with(&["--tag", "team=other"]);
    with(&["--source-identity", "alice"]);
    assert_eq!(w.assume_count(), 3, "each change is a new key");
    let last = recorder::sts_requests(&w.role_arn).pop().unwrap();
    assert_eq!(last["SourceIdentity"], "alice");
    assert_eq!(last["Tags.member.2.Value"], "backup");
    with(&["--tag", "team=other"]);
    with(&[]);
    assert_eq!(
        w.assume_count(),
        3,
        "same options, same key: served from the cache"
    );
}

#[test]
fn bad_mfa_identity_and_tag_values_are_usage_errors_without_a_network_call() {
    let mut w = World::new();
    w.target_profile("");
    let trip = Tripwire::new();
    w.set("AWS_ENDPOINT_URL", &trip.url());
    let many: Vec<String> = (0..51)
        .flat_map(|i| ["--tag".into(), format!("k{i}=v")])
        .collect();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["--tag".into(), "novalue".into()], "KEY=VALUE"),
        (vec!["--tag".into(), "bad;key=v".into()], "tag key"),
        (many, "at most 50"),
        (
            vec!["--source-identity".into(), "a".into()],
            "source identity",
        ),
        (vec!["--mfa-serial".into(), "short".into()], "mfa serial"),
        (
            vec![
                "--mfa-serial".into(),
                SERIAL.into(),
                "--token-code".into(),
                "12ab56".into(),
            ],
            "6 digits",
        ),
        (vec!["--token-code".into(), "123456".into()], "--mfa-serial"),
    ];
    for (extra, want) in cases {
        let mut a = vec!["credential-process", "--profile", "target"];
        a.extend(extra.iter().map(String::as_str));
        let r = w.run(&a);
        assert_eq!(r.code, 2, "{extra:?}: {}", r.stderr);
        assert_eq!(r.stdout, "");
        assert!(r.stderr.contains(want), "{extra:?}: {}", r.stderr);
        assert!(!r.stderr.contains("12ab56"), "the code is never echoed");
    }
    w.target_profile("session_tags = a=1,oops");
    let r = w.run(&["credential-process", "--profile", "target"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("session_tags"), "{}", r.stderr);
    assert_eq!(trip.hits(), 0);
}
