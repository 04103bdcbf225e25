//! What the command sees besides the keys (issue 13): `AWS_ACCOUNT_ID` set to account A
//! or removed, whatever the parent had; the `[default]`-shadowing warning for every key
//! that would win over the endpoint; the endpoint's connection cap.

use crate::exec::{exec_args, world};
use crate::util::*;

const OTHER_ACCOUNT: &str = "999999999999";

#[test]
fn aws_account_id_is_account_a_in_static_mode_and_the_exports_and_absent_in_server_mode() {
    let mut w = world();
    w.set("AWS_ACCOUNT_ID", OTHER_ACCOUNT);
    let env_of = |server: bool| {
        let r = w.run(&exec_args(server, &[], &["env"]));
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
            .lines()
            .filter(|l| l.starts_with("AWS_ACCOUNT_ID="))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(env_of(false), [format!("AWS_ACCOUNT_ID={ACCOUNT_A}")]);
    assert_eq!(
        env_of(true),
        Vec::<String>::new(),
        "server mode serves AccountId"
    );
    for (format, want) in [
        ("env", format!("AWS_ACCOUNT_ID={ACCOUNT_A}")),
        ("export-env", format!("export AWS_ACCOUNT_ID='{ACCOUNT_A}'")),
        ("powershell", format!("$Env:AWS_ACCOUNT_ID = '{ACCOUNT_A}'")),
        ("ini", format!("aws_account_id = {ACCOUNT_A}")),
    ] {
        let r = w.ok(&["export", "--profile", "target", "--format", format]);
        assert!(
            r.stdout.lines().any(|l| l == want),
            "{format}: {}",
            r.stdout
        );
        assert!(!r.stdout.contains(OTHER_ACCOUNT), "{format}: {}", r.stdout);
    }
}

#[test]
fn a_shadowing_warning_for_each_default_key() {
    let w = world();
    let keys = [
        "aws_access_key_id",
        "role_arn",
        "credential_process",
        "credential_source",
        "source_profile",
        "web_identity_token_file",
        "sso_session",
        "sso_start_url",
        "sso_account_id",
    ];
    for key in keys {
        w.write_config(&format!(
            "[profile target]\nrole_arn = {}\nsource_profile = src\nregion = us-east-1\n\n[default]\n{key} = x\n",
            w.role_arn
        ));
        let r = w.run(&exec_args(true, &[], &["true"]));
        assert_eq!(r.code, 0, "{key}: {}", r.stderr);
        let warned: Vec<&str> = r
            .stderr
            .lines()
            .filter(|l| l.contains("the [default] profile has"))
            .collect();
        assert_eq!(warned.len(), 1, "{key}: {}", r.stderr);
        assert!(
            warned[0].contains(&format!("has {key}:")),
            "{key}: {}",
            r.stderr
        );
    }
}

/// Opens 200 idle connections, then asks with the token; prints the answer's status,
/// how long it took, and how many descriptors xacct (the parent) had open meanwhile.
const FLOOD: &str = r#"
import json, os, socket, time, urllib.parse, urllib.request
url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
port = urllib.parse.urlsplit(url).port
idle = []
for _ in range(200):
    s = socket.create_connection(("127.0.0.1", port), timeout=2)
    idle.append(s)
time.sleep(0.5)
fds = len(os.listdir("/proc/%d/fd" % os.getppid()))
t = time.monotonic()
req = urllib.request.Request(url, headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
with urllib.request.urlopen(req, timeout=1) as r:
    status = r.status
print(json.dumps({"status": status, "seconds": time.monotonic() - t, "xacct_fds": fds}))
"#;

#[test]
fn two_hundred_idle_connections_leave_the_endpoint_answering() {
    let w = world();
    let python = venv_bin("python");
    let r = w.run(&exec_args(
        true,
        &[],
        &[python.to_str().unwrap(), "-c", FLOOD],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["status"], 200, "{v}");
    assert!(
        v["xacct_fds"].as_u64().unwrap() < 100,
        "connections are capped: {v}"
    );
    let warned = r
        .stderr
        .lines()
        .filter(|l| l.contains("connections open"))
        .count();
    assert_eq!(
        warned, 1,
        "one warning when the cap is reached: {}",
        r.stderr
    );
}
