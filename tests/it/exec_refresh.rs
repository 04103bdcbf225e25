//! `exec --server` answers from memory and refreshes ahead (issue 13): a client with the
//! JS SDK's patience (1 s, no retry) never fails across refreshes, even when every
//! AssumeRole takes 3 s, and a real SDK keeps working across refreshes.

use crate::exec::{exec_args, world};
use crate::slow_sts::SlowSts;
use crate::util::*;
use std::collections::BTreeSet;
use std::time::Duration;

/// Polls the endpoint every 0.5 s for `sys.argv[1]` seconds, with a 1 s timeout and no
/// retry; prints {"ok": n, "failures": [...], "keys": [...in order of first sight]}.
pub const POLLER: &str = r#"
import json, os, sys, time, urllib.request
url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
tok = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
ok, failures, keys, worst = 0, [], [], 0.0
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    t = time.monotonic()
    try:
        req = urllib.request.Request(url, headers={"Authorization": tok})
        with urllib.request.urlopen(req, timeout=1) as r:
            k = json.load(r)["AccessKeyId"]
        ok += 1
        if k not in keys:
            keys.append(k)
    except Exception as e:
        failures.append("%.1f: %s" % (time.monotonic() - end, e))
    worst = max(worst, time.monotonic() - t)
    time.sleep(0.5)
print(json.dumps({"ok": ok, "failures": failures, "keys": keys, "worst": worst}))
"#;

#[test]
fn a_one_second_client_never_fails_across_refreshes_with_a_slow_sts() {
    let slow = SlowSts::start(Duration::from_secs(3));
    let mut w = world();
    w.set("AWS_ENDPOINT_URL", slow.url());
    let python = venv_bin("python");
    // 900 s sessions refreshed with 885 s left: a refresh every ~15 s, each taking 3 s.
    let extra = ["--duration", "900", "--refresh-margin", "885s"];
    let r = w.run(&exec_args(
        true,
        &extra,
        &[python.to_str().unwrap(), "-c", POLLER, "30"],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["failures"], serde_json::json!([]), "{v}\n{}", r.stderr);
    assert!(v["ok"].as_u64().unwrap() >= 50, "{v}");
    let keys = v["keys"].as_array().unwrap();
    assert!(keys.len() >= 2, "at least one refresh served: {v}");
    // Every key served came from an AssumeRole through the proxy (none invented).
    let issued: BTreeSet<String> = assume_records(&w.role_arn)
        .iter()
        .map(|r| r["access_key_id"].as_str().unwrap().to_string())
        .collect();
    for k in keys {
        assert!(issued.contains(k.as_str().unwrap()), "{k} {issued:?}");
    }
    assert_eq!(r.stderr, "", "no warning: nothing failed");
}

/// boto3 calling GetCallerIdentity every second; prints the account of each call and
/// the access keys botocore's container provider handed it, in order of first sight.
const BOTO: &str = r#"
import boto3, json, sys, time
session = boto3.Session()
sts = session.client("sts")
accounts, keys = [], []
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    accounts.append(sts.get_caller_identity()["Account"])
    k = session.get_credentials().get_frozen_credentials().access_key
    if k not in keys:
        keys.append(k)
    time.sleep(1)
print(json.dumps({"accounts": accounts, "keys": keys}))
"#;

#[test]
fn boto3_keeps_calling_sts_across_two_refreshes() {
    let w = world();
    let python = venv_bin("python");
    // A refresh every ~10 s: two or more within 25 s.
    let extra = ["--duration", "900", "--refresh-margin", "890s"];
    let r = w.run(&exec_args(
        true,
        &extra,
        &[python.to_str().unwrap(), "-c", BOTO, "25"],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    let accounts = v["accounts"].as_array().unwrap();
    assert!(accounts.len() >= 20, "{v}");
    assert!(accounts.iter().all(|a| a == ACCOUNT_A), "{v}");
    let keys = v["keys"].as_array().unwrap();
    assert!(keys.len() >= 3, "boto3 saw two refreshes: {v}");
}
