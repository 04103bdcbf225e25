//! `xacct bootstrap` against moto with two accounts: `src` (static keys) acts in account B
//! (123456789012), `a-admin` (a role in 111111111111 assumed from `src`) in account A.
//! moto validates no policy, so every document is read back with boto3 and checked here;
//! mutating calls are counted with moto's request recorder.

use crate::util::*;
use serde_json::{Value, json};

const ACCOUNT_B: &str = "123456789012";

/// Reads roles and instance profiles, or makes setup calls, with boto3 as one profile.
const IAM_PY: &str = r#"
import json, sys, boto3
from botocore.exceptions import ClientError
cmd = json.loads(sys.argv[1])
iam = boto3.Session(profile_name=cmd["profile"], region_name="us-east-1").client("iam")
def missing(e):
    return e.response["Error"]["Code"] == "NoSuchEntity"
out = {}
for op in cmd["ops"]:
    if op[0] == "role":
        try:
            r = iam.get_role(RoleName=op[1])["Role"]
        except ClientError as e:
            if missing(e):
                out[op[1]] = None
                continue
            raise
        out[op[1]] = {
            "arn": r["Arn"], "trust": r["AssumeRolePolicyDocument"], "max": r.get("MaxSessionDuration"),
            "tags": {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=op[1])["Tags"]},
            "attached": sorted(p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=op[1])["AttachedPolicies"]),
            "inline": {n: iam.get_role_policy(RoleName=op[1], PolicyName=n)["PolicyDocument"]
                       for n in iam.list_role_policies(RoleName=op[1])["PolicyNames"]},
        }
    elif op[0] == "instance-profile":
        try:
            p = iam.get_instance_profile(InstanceProfileName=op[1])["InstanceProfile"]
            out["ip"] = {"roles": [r["RoleName"] for r in p["Roles"]],
                         "tags": {t["Key"]: t["Value"] for t in p.get("Tags", [])}}
        except ClientError as e:
            if not missing(e):
                raise
            out["ip"] = None
    else:
        res = getattr(iam, op[0])(**op[1])
        out[op[0]] = json.loads(json.dumps(res, default=str))
print(json.dumps(out))
"#;

/// A world with both admin profiles and unique role names.
struct Pair {
    w: World,
    source: String,
    target: String,
}

impl Pair {
    fn new() -> Pair {
        let w = World::new();
        w.write_config(&format!(
            "[profile src]\nregion = us-east-1\n\n[profile a-admin]\nrole_arn = arn:aws:iam::{ACCOUNT_A}:role/{}\nsource_profile = src\nregion = us-east-1\n",
            unique("admin")
        ));
        Pair {
            w,
            source: unique("bsrc"),
            target: unique("btgt"),
        }
    }

    fn b_arn(&self) -> String {
        format!("arn:aws:iam::{ACCOUNT_B}:role/{}", self.source)
    }
    fn a_arn(&self) -> String {
        format!("arn:aws:iam::{ACCOUNT_A}:role/{}", self.target)
    }

    fn run(&self, extra: &[&str]) -> Run {
        let mut args = vec![
            "bootstrap",
            "--source-profile",
            "src",
            "--target-profile",
            "a-admin",
            "--source-role",
            &self.source,
            "--target-role",
            &self.target,
        ];
        args.extend_from_slice(extra);
        self.w.run(&args)
    }

    fn ok(&self, extra: &[&str]) -> Run {
        let r = self.run(extra);
        assert_eq!(r.code, 0, "bootstrap {extra:?} failed: {}", r.stderr);
        r
    }

    /// Runs IAM_PY as `profile` with `ops`.
    fn iam(&self, profile: &str, ops: Value) -> Value {
        let out = std::process::Command::new(venv_bin("python"))
            .args([
                "-c",
                IAM_PY,
                &json!({"profile": profile, "ops": ops}).to_string(),
            ])
            .env_clear()
            .envs(&self.w.env)
            .output()
            .unwrap();
        let r = Run::from(out);
        assert_eq!(r.code, 0, "boto3: {}", r.stderr);
        r.json()
    }

    fn role_b(&self) -> Value {
        self.iam("src", json!([["role", self.source]]))[&self.source].clone()
    }
    fn role_a(&self) -> Value {
        self.iam("a-admin", json!([["role", self.target]]))[&self.target].clone()
    }
}

/// Mutating IAM calls (not Get*/List*) moto recorded that name one of `names`.
fn mutating_calls(names: &[&str]) -> Vec<String> {
    let text = ureq::get(&format!(
        "{}/moto-api/recorder/download-recording",
        moto_url()
    ))
    .call()
    .unwrap()
    .into_string()
    .unwrap();
    let mut out = vec![];
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let rec: Value = serde_json::from_str(line).unwrap();
        let raw = rec["body"].as_str().unwrap_or("");
        let decoded;
        let body = if rec["body_encoded"] == true {
            decoded = String::from_utf8_lossy(&base64_decode(raw)).into_owned();
            decoded.as_str()
        } else {
            raw
        };
        let fields: Vec<(&str, &str)> = body
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .collect();
        let action = fields
            .iter()
            .find(|(k, _)| *k == "Action")
            .map(|(_, v)| *v)
            .unwrap_or("");
        let ours = fields
            .iter()
            .any(|(k, v)| (*k == "RoleName" || *k == "InstanceProfileName") && names.contains(v));
        if ours && !action.starts_with("Get") && !action.starts_with("List") {
            out.push(action.to_string());
        }
    }
    out
}

/// Standard base64 (the recorder's encoding of request bodies).
fn base64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = vec![];
    let (mut acc, mut bits) = (0u32, 0);
    for v in s.bytes().filter_map(value) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn start_recording() {
    ureq::post(&format!("{}/moto-api/recorder/start-recording", moto_url()))
        .call()
        .unwrap();
}

#[test]
fn creates_the_pair_and_every_document_reads_back() {
    let p = Pair::new();
    let policy_name = unique("team-read");
    let created = p.iam(
        "a-admin",
        json!([["create_policy", {"PolicyName": policy_name, "PolicyDocument": r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#}]]),
    );
    let policy_arn = created["create_policy"]["Policy"]["Arn"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(policy_arn.contains(ACCOUNT_A), "{policy_arn}");
    let file = p.w.home().join("read-table.json");
    let inline = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]});
    std::fs::write(&file, inline.to_string()).unwrap();

    let r = p.ok(&[
        "--source-trust",
        "ec2",
        "--source-trust",
        "account",
        "--target-policy-arn",
        &policy_arn,
        "--target-policy-file",
        file.to_str().unwrap(),
        "--external-id",
        "ext-bootstrap-1",
        "--max-session-duration",
        "2h",
    ]);
    assert!(
        r.stdout.contains(&format!("role_arn = {}", p.a_arn())),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("credential_source = Ec2InstanceMetadata"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("external_id = ext-bootstrap-1"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("xacct:"),
        "progress belongs on stderr: {}",
        r.stdout
    );
    assert!(r.stderr.contains("verified"), "{}", r.stderr);

    let b = p.role_b();
    assert_eq!(b["arn"], p.b_arn());
    assert_eq!(b["tags"]["xacct:managed"], "true");
    let stmt = &b["trust"]["Statement"][0];
    assert_eq!(stmt["Effect"], "Allow");
    assert_eq!(stmt["Action"], "sts:AssumeRole");
    assert_eq!(stmt["Principal"]["Service"], json!(["ec2.amazonaws.com"]));
    assert_eq!(
        stmt["Principal"]["AWS"],
        json!([format!("arn:aws:iam::{ACCOUNT_B}:root")])
    );
    assert_eq!(b["attached"], json!([]));
    assert_eq!(
        b["inline"],
        json!({"xacct-assume-target": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": p.a_arn()}]}})
    );
    let ip = &p.iam("src", json!([["instance-profile", p.source]]))["ip"];
    assert_eq!(ip["roles"], json!([p.source]));
    assert_eq!(ip["tags"]["xacct:managed"], "true");

    let a = p.role_a();
    assert_eq!(a["arn"], p.a_arn());
    assert_eq!(a["tags"]["xacct:managed"], "true");
    assert_eq!(a["max"], 7200);
    assert_eq!(
        a["trust"],
        json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": p.b_arn()}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "ext-bootstrap-1"}}}]})
    );
    assert_eq!(a["attached"], json!([policy_arn]));
    assert_eq!(a["inline"], json!({"read-table": inline}));
}

#[test]
fn a_second_run_and_a_dry_run_make_no_mutating_call() {
    let p = Pair::new();
    start_recording();
    let names = [p.source.as_str(), p.target.as_str()];
    p.ok(&["--source-trust", "account"]);
    let first = mutating_calls(&names);
    assert_eq!(
        first,
        ["CreateRole", "CreateRole", "PutRolePolicy"],
        "the recorder sees the first run"
    );

    let again = p.ok(&["--source-trust", "account"]);
    assert!(again.stderr.contains("no changes"), "{}", again.stderr);
    assert_eq!(
        mutating_calls(&names),
        first,
        "a second run changes nothing"
    );

    let dry = p.ok(&[
        "--source-trust",
        "account",
        "--max-session-duration",
        "3h",
        "--dry-run",
    ]);
    assert!(
        dry.stdout.contains("set the max session duration"),
        "{}",
        dry.stdout
    );
    assert_eq!(mutating_calls(&names), first, "--dry-run changes nothing");
    assert_eq!(p.role_a()["max"], 3600);

    p.ok(&["--source-trust", "account", "--max-session-duration", "3h"]);
    assert_eq!(mutating_calls(&names)[first.len()..], ["UpdateRole"]);
    assert_eq!(p.role_a()["max"], 10800);
}

#[test]
fn dry_run_on_nothing_prints_the_plan_and_documents_and_creates_nothing() {
    let p = Pair::new();
    let r = p.ok(&[
        "--source-trust",
        "account",
        "--external-id",
        "ext-dry",
        "--dry-run",
    ]);
    let lines: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains(". [account"))
        .collect();
    assert_eq!(lines.len(), 3, "{}", r.stdout);
    assert!(
        lines[0].contains("create role B") && lines[1].contains("create role A"),
        "{}",
        r.stdout
    );
    assert!(
        lines[2].contains("put inline policy xacct-assume-target"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("\"sts:ExternalId\": \"ext-dry\""),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(&format!("\"Resource\": \"{}\"", p.a_arn())),
        "{}",
        r.stdout
    );
    assert_eq!(p.role_b(), Value::Null);
    assert_eq!(p.role_a(), Value::Null);
}

#[test]
fn a_stale_unique_id_in_role_a_trust_is_repaired() {
    let p = Pair::new();
    p.ok(&["--source-trust", "account"]);
    // What IAM shows after role B was deleted and re-created.
    let stale = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "AROAQSTALEUNIQUEID01"}, "Action": "sts:AssumeRole"}]});
    p.iam("a-admin", json!([["update_assume_role_policy", {"RoleName": p.target, "PolicyDocument": stale.to_string()}]]));
    assert_eq!(p.role_a()["trust"], stale);

    let r = p.ok(&["--source-trust", "account"]);
    assert!(
        r.stderr.contains("repair") && r.stderr.contains("AROAQSTALEUNIQUEID01"),
        "{}",
        r.stderr
    );
    assert_eq!(
        p.role_a()["trust"]["Statement"][0]["Principal"]["AWS"],
        p.b_arn()
    );
}

#[test]
fn an_untagged_role_is_refused_without_adopt_and_tagged_with_it() {
    let p = Pair::new();
    let theirs = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT_B}:root")}, "Action": "sts:AssumeRole"}]});
    p.iam("a-admin", json!([["create_role", {"RoleName": p.target, "AssumeRolePolicyDocument": theirs.to_string()}]]));

    let r = p.run(&["--source-trust", "account"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""), "{}", r.stderr);
    assert!(
        r.stderr.contains("--adopt") && r.stderr.contains(&p.target),
        "{}",
        r.stderr
    );
    assert_eq!(
        p.role_b(),
        Value::Null,
        "refused before any change, role B included"
    );
    assert_eq!(p.role_a()["trust"], theirs);

    let r = p.run(&["--source-trust", "account", "--delete"]);
    assert_eq!(r.code, 2, "--delete refuses too: {}", r.stderr);
    assert!(r.stderr.contains("--adopt"), "{}", r.stderr);
    assert!(p.role_a().is_object());

    let r = p.ok(&["--source-trust", "account", "--adopt"]);
    assert!(r.stderr.contains("adopt role A"), "{}", r.stderr);
    let a = p.role_a();
    assert_eq!(a["tags"]["xacct:managed"], "true");
    assert_eq!(a["trust"]["Statement"][0]["Principal"]["AWS"], p.b_arn());
    p.ok(&["--source-trust", "account"]);
}

#[test]
fn delete_removes_everything_and_is_idempotent() {
    let p = Pair::new();
    let file = p.w.home().join("p.json");
    std::fs::write(
        &file,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
    )
    .unwrap();
    p.ok(&["--target-policy-file", file.to_str().unwrap()]);
    assert_eq!(
        p.iam("src", json!([["instance-profile", p.source]]))["ip"]["roles"],
        json!([p.source])
    );

    let dry = p.ok(&["--delete", "--dry-run"]);
    assert!(
        dry.stdout.contains("delete role A") && dry.stdout.contains("delete instance profile"),
        "{}",
        dry.stdout
    );
    assert!(p.role_a().is_object(), "--delete --dry-run deletes nothing");

    let r = p.ok(&["--delete"]);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("deleted the pair"), "{}", r.stderr);
    assert_eq!(p.role_a(), Value::Null);
    assert_eq!(p.role_b(), Value::Null);
    assert_eq!(
        p.iam("src", json!([["instance-profile", p.source]]))["ip"],
        Value::Null
    );

    let again = p.ok(&["--delete"]);
    assert!(
        again.stderr.contains("nothing to delete"),
        "{}",
        again.stderr
    );
}

#[test]
fn the_printed_snippet_gives_account_a_credentials_through_xacct() {
    let p = Pair::new();
    let name = unique("prof");
    let r = p.ok(&[
        "--source-trust",
        "account",
        "--external-id",
        "auto",
        "--profile-name",
        &name,
    ]);
    let external_id = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("external_id = "))
        .unwrap_or_else(|| panic!("no external_id: {}", r.stdout))
        .to_string();
    assert_eq!(external_id.len(), 32, "{external_id}");
    assert!(
        r.stdout
            .contains(&format!("source_profile = {name}-source")),
        "{}",
        r.stdout
    );
    let config = std::fs::read_to_string(p.w.home().join(".aws/config")).unwrap();
    p.w.write_config(&format!("{config}\n{}", r.stdout));

    let doc = p.w.ok(&["credential-process", "--profile", &name]).json();
    assert_eq!(doc["AccountId"], ACCOUNT_A);
    let recs = assume_records(&p.a_arn());
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["external_id"], external_id.as_str());
    assert_eq!(
        assume_records(&p.b_arn()).len(),
        1,
        "role A was assumed from role B"
    );

    let out = std::process::Command::new(venv_bin("aws"))
        .args([
            "sts",
            "get-caller-identity",
            "--output",
            "json",
            "--profile",
            &format!("{name}-cached"),
        ])
        .env_clear()
        .envs(&p.w.env)
        .output()
        .unwrap();
    let id = Run::from(out);
    assert_eq!(id.code, 0, "{}", id.stderr);
    let id = id.json();
    assert_eq!(id["Account"], ACCOUNT_A);
    let arn = id["Arn"].as_str().unwrap();
    assert!(
        arn.starts_with(&format!(
            "arn:aws:sts::{ACCOUNT_A}:assumed-role/{}/",
            p.target
        )),
        "{arn}"
    );

    // `auto` keeps the id role A already requires, so a re-run is still a no-op.
    let again = p.ok(&[
        "--source-trust",
        "account",
        "--external-id",
        "auto",
        "--profile-name",
        &name,
    ]);
    assert!(again.stderr.contains("no changes"), "{}", again.stderr);
    assert_eq!(again.stdout, r.stdout);
}

#[test]
fn write_config_adds_the_profiles_once() {
    let p = Pair::new();
    let name = unique("wc");
    let before = std::fs::read_to_string(p.w.home().join(".aws/config")).unwrap();
    let r = p.ok(&[
        "--source-trust",
        "lambda",
        "--profile-name",
        &name,
        "--write-config",
    ]);
    let after = std::fs::read_to_string(p.w.home().join(".aws/config")).unwrap();
    assert!(
        after.starts_with(&before),
        "the old profiles stay as they were:\n{after}"
    );
    assert_eq!(
        after.matches(&format!("[profile {name}]")).count(),
        1,
        "{after}"
    );
    assert!(after.contains("credential_source = Environment"), "{after}");
    assert!(
        after.contains(r.stdout.trim_end()),
        "the file holds the printed snippet:\n{after}"
    );
    p.ok(&[
        "--source-trust",
        "lambda",
        "--profile-name",
        &name,
        "--write-config",
    ]);
    assert_eq!(
        std::fs::read_to_string(p.w.home().join(".aws/config")).unwrap(),
        after
    );
}

#[test]
fn both_roles_being_the_same_role_is_refused_before_any_change() {
    let p = Pair::new();
    let same = unique("same");
    let r = p.w.run(&[
        "bootstrap",
        "--source-profile",
        "src",
        "--target-profile",
        "src",
        "--source-role",
        &same,
        "--target-role",
        &same,
    ]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""), "{}", r.stderr);
    assert!(
        r.stderr.contains("--source-role or --target-role"),
        "{}",
        r.stderr
    );
    assert_eq!(p.iam("src", json!([["role", same]]))[&same], Value::Null);
}

#[test]
fn bad_input_fails_locally_with_one_line() {
    let mut p = Pair::new();
    let trip = Tripwire::new();
    p.w.set("AWS_ENDPOINT_URL", &trip.url());
    let bad_json = p.w.home().join("bad.json");
    std::fs::write(&bad_json, "{\"Statement\": [").unwrap();
    let bad = bad_json.to_str().unwrap();
    let table: &[(&[&str], &str)] = &[
        (&["--source-trust", "arn:aws:iam::123:root"], "12 digits"),
        (&["--source-trust", "ec2-instances"], "--source-trust"),
        (
            &["--target-policy-arn", "arn:aws:s3:::bucket"],
            "managed policy ARN",
        ),
        (&["--target-policy-file", bad], "is not JSON"),
        (
            &["--target-policy-file", "/nonexistent/p.json"],
            "cannot read it",
        ),
        (&["--external-id", "a b"], "external id"),
        (&["--max-session-duration", "20h"], "out of range"),
        (&["--profile-name", "has space"], "--profile-name"),
    ];
    for (extra, text) in table {
        let r = p.run(extra);
        assert_eq!(
            (r.code, r.stdout.as_str()),
            (2, ""),
            "{extra:?}: {}",
            r.stderr
        );
        assert_eq!(r.stderr.lines().count(), 1, "{extra:?}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("xacct: error: ") && r.stderr.contains(text),
            "{extra:?}: {}",
            r.stderr
        );
    }
    let r = p.w.run(&[
        "bootstrap",
        "--source-profile",
        "nope",
        "--target-profile",
        "a-admin",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("\"nope\""), "{}", r.stderr);
    assert_eq!(trip.hits(), 0, "no bad input may reach the network");
}

#[test]
fn an_aws_managed_policy_is_attached() {
    let url = std::env::var("XACCT_TEST_MOTO_IAM_URL")
        .expect("XACCT_TEST_MOTO_IAM_URL is not set: run the tests through scripts/test");
    let mut p = Pair::new();
    p.w.set("AWS_ENDPOINT_URL", &url);
    let ro = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    p.ok(&["--source-trust", "account", "--target-policy-arn", ro]);
    assert_eq!(p.role_a()["attached"], json!([ro]));
    let r = p.ok(&["--source-trust", "account"]);
    assert!(r.stderr.contains(&format!("detach {ro}")), "{}", r.stderr);
    assert_eq!(p.role_a()["attached"], json!([]));
}
