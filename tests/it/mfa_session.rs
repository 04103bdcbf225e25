//! MFA sessions (issue 13, aws-vault's model) against moto: one code starts a session
//! that every later refresh assumes the role from; the code is in exactly one STS
//! request (moto's recorder); a session that runs out during `exec --server` is a clear
//! error while the endpoint keeps serving, and nothing prompts while the command runs.

use crate::exec::exec_args;
use crate::exec_refresh::POLLER;
use crate::recorder;
use crate::util::*;
use std::collections::BTreeMap;
use std::process::{Command, Stdio};

/// A serial no other test uses, so recorder entries never mix.
pub fn serial() -> String {
    format!("arn:aws:iam::222222222222:mfa/{}", unique("m"))
}

/// Every recorded STS request (form parameters) that names `serial` or carries `code` as
/// its TokenCode.
pub fn sts_requests_about(serial: &str, code: &str) -> Vec<BTreeMap<String, String>> {
    recorder::all_requests()
        .into_iter()
        .filter(|p| {
            p.get("SerialNumber").map(String::as_str) == Some(serial)
                || p.get("TokenCode").map(String::as_str) == Some(code)
        })
        .collect()
}

fn mfa_world(serial: &str) -> World {
    let w = World::new();
    w.target_profile(&format!("mfa_serial = {serial}"));
    w
}

#[test]
fn one_code_then_several_refreshes_and_the_code_in_exactly_one_sts_request() {
    recorder::start();
    let serial = serial();
    let w = mfa_world(&serial);
    let python = venv_bin("python");
    // A role refresh every ~10 s, all from the 12 h MFA session.
    let extra = [
        "--token-code",
        "246810",
        "--duration",
        "900",
        "--refresh-margin",
        "890s",
    ];
    let r = w.run(&exec_args(
        true,
        &extra,
        &[python.to_str().unwrap(), "-c", POLLER, "24"],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["failures"], serde_json::json!([]), "{v}");
    assert!(
        v["keys"].as_array().unwrap().len() >= 3,
        "two refreshes: {v}"
    );
    let with_code = sts_requests_about(&serial, "246810");
    assert_eq!(with_code.len(), 1, "{with_code:?}");
    assert_eq!(with_code[0]["Action"], "GetSessionToken");
    assert_eq!(with_code[0]["TokenCode"], "246810");
    assert_eq!(with_code[0]["DurationSeconds"], "43200");
    let assumes = recorder::sts_requests(&w.role_arn);
    assert!(assumes.len() >= 3, "{assumes:?}");
    for a in &assumes {
        assert!(
            !a.contains_key("TokenCode") && !a.contains_key("SerialNumber"),
            "{a:?}"
        );
    }
}

#[test]
fn credential_process_reuses_the_mfa_session_for_another_role_without_a_code() {
    recorder::start();
    let serial = serial();
    let w = mfa_world(&serial);
    w.ok(&[
        "credential-process",
        "--profile",
        "target",
        "--token-code",
        "135791",
    ]);
    // Another role, same source and device: no code, no terminal, no prompt needed.
    let other = format!("arn:aws:iam::{ACCOUNT_A}:role/{}", unique("r2"));
    let out = Command::new("setsid")
        .arg("--wait")
        .arg(xacct_bin())
        .args([
            "credential-process",
            "--role-arn",
            &other,
            "--source-profile",
            "src",
        ])
        .args(["--mfa-serial", &serial])
        .env_clear()
        .envs(&w.env)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let r = Run::from(out);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["AccountId"], ACCOUNT_A);
    let with_code = sts_requests_about(&serial, "135791");
    assert_eq!(with_code.len(), 1, "{with_code:?}");
    assert_eq!(recorder::sts_requests(&other).len(), 1);
}

#[test]
fn a_run_out_mfa_session_is_a_clear_error_without_a_prompt_while_the_endpoint_serves() {
    recorder::start();
    let serial = serial();
    let w = mfa_world(&serial);
    let python = venv_bin("python");
    // The MFA session counts as run out 10 s after it starts (900 s with an 890 s
    // margin), so the second role refresh needs a new code. script(1) gives xacct a
    // terminal, where a prompt would show.
    let cmdline = format!(
        "{} exec --profile target --server --token-code 975310 --duration 900 --refresh-margin 890s --mfa-session-duration 900 -- {} -c '{}' 24",
        xacct_bin(),
        python.display(),
        POLLER.replace('\'', "'\\''")
    );
    let out = Command::new("timeout")
        .args(["-s", "KILL", "90", "script", "-qec", &cmdline, "/dev/null"])
        .env_clear()
        .envs(&w.env)
        .stdin(Stdio::piped())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(!text.contains("MFA code for"), "prompted: {text}");
    let json_line = text
        .lines()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| panic!("{text}"));
    let v: serde_json::Value = serde_json::from_str(json_line.trim()).unwrap();
    assert_eq!(
        v["failures"],
        serde_json::json!([]),
        "the endpoint kept serving: {text}"
    );
    let errors: Vec<&str> = text.lines().filter(|l| l.contains("has run out")).collect();
    assert_eq!(
        errors.len(),
        1,
        "one clear error, not one per retry: {text}"
    );
    assert!(
        errors[0].contains(&serial) && errors[0].contains("--token-code"),
        "{text}"
    );
    assert_eq!(
        sts_requests_about(&serial, "975310").len(),
        1,
        "the code was sent once"
    );
}
