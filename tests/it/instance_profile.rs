//! The EC2 instance profile as the source, against a loopback IMDSv2 stand-in with no
//! region configured anywhere: STS is called in the instance's region with a session of
//! one hour at most, a cache hit makes no IMDS call, and the AWS CLI v1 and boto3 get
//! account A through credential_process and through `exec --server`.

use crate::util::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where the stand-in says the instance is: not us-east-1, xacct's fallback.
const REGION: &str = "eu-central-1";
const ROLE_NAME: &str = "xacct-instance-role";
const TOKEN: &str = "imds-token-for-tests";

/// One request the stand-in answered: method, path, and whether it carried the token.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    with_token: bool,
    ttl: Option<String>,
}

/// An IMDSv2 stand-in on 127.0.0.1, as aws-config and botocore expect one (REFERENCE.md,
/// "IMDSv2"): a token PUT whose answer echoes the TTL header, then token-checked GETs of
/// the role name, its credentials, the region and the availability zone (botocore reads
/// the region from the zone). Serves at most 200 connections, one request each, and
/// stops when dropped.
struct Imds {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
}

impl Imds {
    fn start() -> Imds {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(vec![]));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, stopped) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming().take(200) {
                if stopped.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                let log = log.clone();
                std::thread::spawn(move || serve(conn, &log));
            }
        });
        Imds { url, seen, stop }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Imds {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
    }
}

fn serve(mut conn: TcpStream, log: &Mutex<Vec<Seen>>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let mut lines = head.lines();
    let mut first = lines.next().unwrap_or("").split(' ');
    let (method, path) = (
        first.next().unwrap_or("").to_string(),
        first.next().unwrap_or("").to_string(),
    );
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    let ttl = header("x-aws-ec2-metadata-token-ttl-seconds");
    let with_token = header("x-aws-ec2-metadata-token").as_deref() == Some(TOKEN);
    log.lock().unwrap().push(Seen {
        method: method.clone(),
        path: path.clone(),
        with_token,
        ttl: ttl.clone(),
    });
    let creds_path = format!("/latest/meta-data/iam/security-credentials/{ROLE_NAME}");
    let (status, extra, body) = match (method.as_str(), path.as_str()) {
        ("PUT", "/latest/api/token") => match &ttl {
            Some(t) => (
                "200 OK",
                format!("X-aws-ec2-metadata-token-ttl-seconds: {t}\r\n"),
                TOKEN.to_string(),
            ),
            None => ("400 Bad Request", String::new(), String::new()),
        },
        _ if !with_token => ("401 Unauthorized", String::new(), String::new()),
        ("GET", "/latest/meta-data/iam/security-credentials/") => {
            ("200 OK", String::new(), ROLE_NAME.to_string())
        }
        ("GET", p) if p == creds_path => ("200 OK", String::new(), instance_credentials()),
        ("GET", "/latest/meta-data/placement/region") => {
            ("200 OK", String::new(), REGION.to_string())
        }
        ("GET", "/latest/meta-data/placement/availability-zone") => {
            ("200 OK", String::new(), format!("{REGION}a"))
        }
        _ => ("404 Not Found", String::new(), String::new()),
    };
    let _ = write!(
        conn,
        "HTTP/1.1 {status}\r\n{extra}Content-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// The instance profile's credentials: static keys moto accepts (unknown keys act in
/// account 123456789012), valid for six more hours.
fn instance_credentials() -> String {
    let now = chrono::Utc::now();
    let at = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    serde_json::json!({
        "Code": "Success",
        "LastUpdated": at(now),
        "Type": "AWS-HMAC",
        "AccessKeyId": "ASIAINSTANCEPROFILE1",
        "SecretAccessKey": "instance-secret-not-real",
        "Token": "instance-session-token-not-real",
        "Expiration": at(now + chrono::TimeDelta::hours(6)),
    })
    .to_string()
}

/// A world on "EC2": IMDS at the stand-in (not disabled), no region anywhere, and
/// `[profile target]` with `source` lines asking for two hours.
fn world_on_ec2(imds: &Imds, source: &str) -> World {
    let mut w = World::new();
    w.env.remove("AWS_EC2_METADATA_DISABLED");
    w.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds.url);
    for k in ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"] {
        assert!(!w.env.contains_key(k), "{k} is set");
    }
    w.write_config(&format!(
        "[profile target]\nrole_arn = {}\n{source}duration_seconds = 7200\n\
         [profile app]\ncredential_process = {} credential-process --profile target\n",
        w.role_arn,
        xacct_bin()
    ));
    w
}

/// Checks moto's one AssumeRole of the world's role: signed for the instance's region,
/// and a session of one hour at most. moto's row holds no duration; the Expiration it
/// issued (which xacct prints as is) is now + DurationSeconds.
fn check_assumed_in_the_instance_region(w: &World, expiration: &str) {
    let rows = assume_records(&w.role_arn);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["region_name"], REGION, "{}", rows[0]);
    let exp = chrono::DateTime::parse_from_rfc3339(expiration).unwrap();
    let left = exp.signed_duration_since(chrono::Utc::now()).num_seconds();
    assert!((3000..=3600).contains(&left), "session of {left}s");
}

#[test]
fn ec2_instance_metadata_source_calls_sts_in_the_instance_region_for_one_hour() {
    let imds = Imds::start();
    let w = world_on_ec2(&imds, "credential_source = Ec2InstanceMetadata\n");
    let r = w.ok(&["credential-process", "--profile", "target"]);
    let doc = r.json();
    assert_eq!(doc["AccountId"], ACCOUNT_A);
    check_assumed_in_the_instance_region(&w, doc["Expiration"].as_str().unwrap());
    // The only line on stderr: the two hours asked for were clamped to one.
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    assert!(lines[0].contains("clamped to 3600s"), "{}", r.stderr);
    // IMDSv2: a token PUT with a TTL first, then only GETs that carry the token.
    let seen = imds.seen();
    assert_eq!(seen[0].method, "PUT", "{seen:?}");
    assert!(seen[0].ttl.is_some(), "{seen:?}");
    assert!(
        seen[1..].iter().all(|s| s.method == "GET" && s.with_token),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|s| s.path == "/latest/meta-data/placement/region"),
        "{seen:?}"
    );
    // A hit asks neither IMDS nor STS.
    let again = w.ok(&["credential-process", "--profile", "target"]);
    assert_eq!(again.json()["AccessKeyId"], doc["AccessKeyId"]);
    assert_eq!(imds.seen().len(), seen.len(), "a cache hit called IMDS");
    assert_eq!(w.assume_count(), 1);
}

#[test]
fn default_chain_landing_on_the_instance_profile_uses_its_region_and_one_hour() {
    let imds = Imds::start();
    // No source at all: the default chain finds no keys, no default profile, and ends at
    // the instance profile.
    let w = world_on_ec2(&imds, "");
    let r = w.ok(&["credential-process", "--profile", "target"]);
    let doc = r.json();
    check_assumed_in_the_instance_region(&w, doc["Expiration"].as_str().unwrap());
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    assert!(lines[0].contains("instance profile"), "{}", r.stderr);
    assert!(imds.seen().iter().any(|s| s.path.ends_with(ROLE_NAME)));
}

#[test]
fn a_configured_region_wins_over_the_instance_region() {
    let imds = Imds::start();
    let mut w = world_on_ec2(&imds, "credential_source = Ec2InstanceMetadata\n");
    w.set("AWS_REGION", "ap-southeast-2");
    w.ok(&["credential-process", "--profile", "target"]);
    let rows = assume_records(&w.role_arn);
    assert_eq!(rows[0]["region_name"], "ap-southeast-2", "{}", rows[0]);
    assert!(
        !imds.seen().iter().any(|s| s.path.contains("placement")),
        "the region was looked up although one is configured"
    );
}

fn run_tool(w: &World, tool: &str, args: &[&str]) -> Run {
    let out = std::process::Command::new(venv_bin(tool))
        .args(args)
        .env_clear()
        .envs(&w.env)
        .output()
        .unwrap();
    Run::from(out)
}

/// boto3 with the profile in argv[1] ('' for none). The clients' own calls are given the
/// region as a flag, as the AWS CLI v1 and boto3 read no region from IMDS (botocore uses
/// it for its "smart defaults" only); a flag does not reach xacct's environment.
const BOTO: &str = "import boto3, sys; s = boto3.Session(profile_name=sys.argv[1] or None); \
                    print(s.client('sts', region_name=sys.argv[2]).get_caller_identity()['Account'])";

#[test]
fn aws_cli_and_boto3_get_account_a_through_credential_process_on_ec2() {
    let imds = Imds::start();
    let w = world_on_ec2(&imds, "credential_source = Ec2InstanceMetadata\n");
    let r = run_tool(
        &w,
        "aws",
        &[
            "sts",
            "get-caller-identity",
            "--profile",
            "app",
            "--region",
            REGION,
            "--query",
            "Account",
            "--output",
            "text",
        ],
    );
    assert_eq!((r.code, r.stdout.trim()), (0, ACCOUNT_A), "{}", r.stderr);
    let r = run_tool(&w, "python", &["-c", BOTO, "app", REGION]);
    assert_eq!((r.code, r.stdout.trim()), (0, ACCOUNT_A), "{}", r.stderr);
    // One session for both clients, made in the instance's region.
    let rows = assume_records(&w.role_arn);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["region_name"], REGION);
}

#[test]
fn aws_cli_and_boto3_get_account_a_through_exec_server_on_ec2() {
    let imds = Imds::start();
    let w = world_on_ec2(&imds, "credential_source = Ec2InstanceMetadata\n");
    let aws = venv_bin("aws");
    let python = venv_bin("python");
    let script = "\"$1\" sts get-caller-identity --region \"$4\" --query Account --output text \
                  && \"$2\" -c \"$3\" '' \"$4\"";
    let r = w.run(&[
        "exec",
        "--server",
        "--profile",
        "target",
        "--",
        "sh",
        "-c",
        script,
        "sh",
        aws.to_str().unwrap(),
        python.to_str().unwrap(),
        BOTO,
        REGION,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, format!("{ACCOUNT_A}\n{ACCOUNT_A}\n"));
    let rows = assume_records(&w.role_arn);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["region_name"], REGION);
}
