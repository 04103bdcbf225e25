//! The bootstrap tests' harness. `xacct bootstrap` runs against moto with two accounts: `src` (static keys) acts in account B
//! (123456789012), `a-admin` (a role in 111111111111 assumed from `src`) in account A.
//! moto validates no policy, so every document is read back with boto3 and checked here;
//! mutating calls are counted with moto's request recorder.

use crate::util::*;
use serde_json::{Value, json};

pub const ACCOUNT_B: &str = "123456789012";

/// Reads roles and instance profiles, or makes setup calls, with boto3 as one profile.
pub const IAM_PY: &str = r#"
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
pub struct Pair {
    pub w: World,
    pub source: String,
    pub target: String,
}

impl Pair {
    pub fn new() -> Pair {
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

    pub fn b_arn(&self) -> String {
        format!("arn:aws:iam::{ACCOUNT_B}:role/{}", self.source)
    }
    pub fn a_arn(&self) -> String {
        format!("arn:aws:iam::{ACCOUNT_A}:role/{}", self.target)
    }

    pub fn run(&self, extra: &[&str]) -> Run {
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

    pub fn ok(&self, extra: &[&str]) -> Run {
        let r = self.run(extra);
        assert_eq!(r.code, 0, "bootstrap {extra:?} failed: {}", r.stderr);
        r
    }

    /// Creates a customer managed policy (s3:ListBucket) in account A named after `prefix`;
    /// its ARN.
    pub fn managed_policy_in_a(&self, prefix: &str) -> String {
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#;
        let created = self.iam(
            "a-admin",
            json!([["create_policy", {"PolicyName": unique(prefix), "PolicyDocument": doc}]]),
        );
        created["create_policy"]["Policy"]["Arn"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Runs IAM_PY as `profile` with `ops`.
    pub fn iam(&self, profile: &str, ops: Value) -> Value {
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

    pub fn role_b(&self) -> Value {
        self.iam("src", json!([["role", self.source]]))[&self.source].clone()
    }
    pub fn role_a(&self) -> Value {
        self.iam("a-admin", json!([["role", self.target]]))[&self.target].clone()
    }
}

/// Mutating IAM calls (not Get*/List*) moto recorded that name one of `names`.
pub fn mutating_calls(names: &[&str]) -> Vec<String> {
    let got = ureq::get(&format!(
        "{}/moto-api/recorder/download-recording",
        moto_url()
    ))
    .call();
    let text = match got {
        Ok(r) => r.into_string().unwrap(),
        // moto answers 500 until its recording holds a first request (its file does not
        // exist yet): nothing recorded is no mutating call.
        Err(ureq::Error::Status(500, _)) => String::new(),
        Err(e) => panic!("download moto's recording: {e}"),
    };
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

pub fn start_recording() {
    ureq::post(&format!("{}/moto-api/recorder/start-recording", moto_url()))
        .call()
        .unwrap();
}
