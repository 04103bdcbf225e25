//! `xacct exec --server` against moto: real AWS clients inside, the endpoint's token,
//! loopback binding and refresh through the cache, and what the command inherits.

use crate::exec::{exec_args, world};
use crate::util::*;
use std::collections::BTreeSet;

#[test]
fn aws_cli_and_boto3_get_account_a_in_both_modes() {
    let aws = venv_bin("aws");
    let python = venv_bin("python");
    let boto = "import boto3; print(boto3.client('sts').get_caller_identity()['Account'])";
    for server in [false, true] {
        let w = world();
        let script =
            "\"$1\" sts get-caller-identity --query Account --output text && \"$2\" -c \"$3\"";
        let r = w.run(&exec_args(
            server,
            &[],
            &[
                "sh",
                "-c",
                script,
                "sh",
                aws.to_str().unwrap(),
                python.to_str().unwrap(),
                boto,
            ],
        ));
        assert_eq!(r.code, 0, "server={server}: {}", r.stderr);
        assert_eq!(
            r.stdout,
            format!("{ACCOUNT_A}\n{ACCOUNT_A}\n"),
            "server={server}"
        );
        assert_eq!(
            w.assume_count(),
            1,
            "server={server}: both clients share one session"
        );
    }
}

/// A Python child that probes the endpoint and prints what it saw as JSON.
const PROBE: &str = r#"
import json, os, socket, urllib.error, urllib.parse, urllib.request
url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
tok = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
def get(headers):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=20) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, None
def connects(host):
    s = socket.socket()
    s.settimeout(5)
    try:
        s.connect((host, urllib.parse.urlsplit(url).port))
        return True
    except OSError:
        return False
    finally:
        s.close()
out = {
    "none": get({})[0],
    "wrong": get({"Authorization": "0" * len(tok)})[0],
    "prefix": get({"Authorization": tok[:-1]})[0],
    "bearer": get({"Authorization": "Bearer " + tok})[0],
}
out["ok"], out["body"] = get({"Authorization": tok})
out["loopback"] = connects("127.0.0.1")
out["other"] = connects("127.0.0.2")
print(json.dumps(out))
"#;

#[test]
fn server_refuses_missing_and_wrong_tokens_and_listens_on_127_0_0_1_only() {
    // Control: 127.0.0.2 reaches a socket bound to all addresses here, so a refusal below
    // means xacct's socket is bound to 127.0.0.1 alone.
    let any = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let port = any.local_addr().unwrap().port();
    assert!(std::net::TcpStream::connect(("127.0.0.2", port)).is_ok());

    let w = world();
    let python = venv_bin("python");
    let r = w.run(&exec_args(
        true,
        &[],
        &[python.to_str().unwrap(), "-c", PROBE],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["none"], 401);
    for k in ["wrong", "prefix", "bearer"] {
        assert_eq!(v[k], 403, "{k}");
    }
    assert_eq!(v["ok"], 200);
    let body = &v["body"];
    let keys: BTreeSet<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "AccessKeyId",
            "AccountId",
            "Expiration",
            "SecretAccessKey",
            "Token"
        ])
    );
    assert_eq!(body["AccountId"], ACCOUNT_A);
    assert_eq!(
        body["AccessKeyId"],
        assume_records(&w.role_arn)[0]["access_key_id"]
    );
    assert!(body["Expiration"].as_str().unwrap().ends_with('Z'));
    assert_eq!(v["loopback"], true);
    assert_eq!(v["other"], false, "listener must not accept on 127.0.0.2");
    assert_eq!(r.stderr, "");
}

/// Three bursts of four parallel requests, six seconds apart; prints the AccessKeyIds.
const POLL: &str = r#"
import json, os, threading, time, urllib.request
url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
tok = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
def burst():
    keys = [None] * 4
    def one(i):
        req = urllib.request.Request(url, headers={"Authorization": tok})
        with urllib.request.urlopen(req, timeout=30) as r:
            keys[i] = json.load(r)["AccessKeyId"]
    ts = [threading.Thread(target=one, args=(i,)) for i in range(4)]
    for t in ts: t.start()
    for t in ts: t.join()
    return keys
bursts = []
for n in range(3):
    if n: time.sleep(6)
    bursts.append(burst())
print(json.dumps(bursts))
"#;

#[test]
fn server_refreshes_expiring_credentials_once_per_refresh() {
    let w = world();
    let python = venv_bin("python");
    // 900 s sessions refreshed with 895 s left: stale after 5 s, so every burst (6 s
    // apart) after the first needs a refresh.
    let extra = ["--duration", "900", "--refresh-margin", "895s"];
    let r = w.run(&exec_args(
        true,
        &extra,
        &[python.to_str().unwrap(), "-c", POLL],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bursts: Vec<Vec<String>> = serde_json::from_str(&r.stdout).unwrap();
    for b in &bursts {
        assert!(
            b.iter().all(|k| *k == b[0]),
            "one burst, one refresh: {bursts:?}"
        );
    }
    let firsts: Vec<&String> = bursts.iter().map(|b| &b[0]).collect();
    assert!(
        firsts[0] != firsts[1] && firsts[1] != firsts[2],
        "new credentials after expiry: {bursts:?}"
    );
    let issued: Vec<String> = assume_records(&w.role_arn)
        .iter()
        .map(|r| r["access_key_id"].as_str().unwrap().to_string())
        .collect();
    let mut expected: BTreeSet<&String> = firsts.iter().copied().collect();
    expected.insert(&issued[0]); // exec's own first AssumeRole, before the child ran
    assert_eq!(
        issued.iter().collect::<BTreeSet<_>>(),
        expected,
        "every AssumeRole was served, none twice: {bursts:?} {issued:?}"
    );
    assert_eq!(issued.len(), expected.len(), "{issued:?}");
}

#[test]
fn the_command_inherits_no_socket_from_xacct() {
    let w = world();
    let r = w.run(&exec_args(true, &[], &["sh", "-c", "ls -l /proc/$$/fd"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stdout.contains("socket:"),
        "leaked descriptors: {}",
        r.stdout
    );
}

#[test]
fn server_mode_warns_when_the_default_profile_would_shadow_the_endpoint() {
    let w = world();
    w.write_credentials(&format!(
        "[src]\naws_access_key_id = {}\naws_secret_access_key = s\n\
         [default]\naws_access_key_id = AKIADEFAULT000000001\naws_secret_access_key = s\n",
        w.source_key
    ));
    let r = w.run(&exec_args(true, &[], &["true"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("warning: the [default] profile has aws_access_key_id"),
        "{}",
        r.stderr
    );
    let r = w.run(&exec_args(false, &[], &["true"]));
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (0, ""),
        "static mode: env keys win"
    );
}
