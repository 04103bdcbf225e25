//! `xacct doctor` against stand-ins for what moto cannot show: an STS whose `Date` is 10
//! minutes off, STS's real AccessDenied for AssumeRole (moto enforces no trust policy),
//! and an IMDS that accepts the token PUT and never answers (a hop limit of 1 in a
//! container on EC2).

use crate::doctor::{doctor, expect, report};
use crate::util::*;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

#[derive(Clone, Copy)]
enum Mode {
    /// Pass everything to moto; rewrite the answer's `Date` to this many seconds ago.
    DateBehind(i64),
    /// Answer AssumeRole with STS's real AccessDenied; pass the rest to moto.
    DenyAssume,
    /// The same, only for sessions named `doctor-denied` (a role chain's first link
    /// still works).
    DenySession,
}

/// STS's answer to an AssumeRole the trust policy does not allow. STS says the same when
/// the external id does not match.
const ACCESS_DENIED: &str = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
    <Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:sts::123456789012:assumed-role/B/sess \
    is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/A</Message></Error>\
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>";

/// A loopback STS in front of moto, one request per connection, living until the test
/// binary exits.
fn sts_stand_in(mode: Mode) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let moto = moto_url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let moto = moto.clone();
            std::thread::spawn(move || serve(conn, &moto, mode));
        }
    });
    url
}

fn serve(mut conn: TcpStream, moto: &str, mode: Mode) {
    let Some(req) = crate::http::read_request(&mut conn) else {
        return;
    };
    let text = String::from_utf8_lossy(&req.body);
    let deny = match mode {
        Mode::DenyAssume => text.contains("Action=AssumeRole"),
        Mode::DenySession => text.contains("RoleSessionName=doctor-denied"),
        Mode::DateBehind(_) => false,
    };
    if deny {
        let _ = write!(
            conn,
            "HTTP/1.1 403 Forbidden\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{ACCESS_DENIED}",
            ACCESS_DENIED.len()
        );
        return;
    }
    let Some(answer) = crate::http::forward(&req, moto) else {
        return;
    };
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(answer.len());
    let (resp_head, rest) = answer.split_at(split);
    let mut lines: Vec<String> = String::from_utf8_lossy(resp_head)
        .split("\r\n")
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            !l.starts_with("connection:") && !l.starts_with("date:")
        })
        .map(str::to_string)
        .collect();
    let behind = match mode {
        Mode::DateBehind(s) => s,
        _ => 0,
    };
    let date = chrono::Utc::now() - chrono::TimeDelta::seconds(behind);
    lines.push(format!(
        "Date: {}",
        date.format("%a, %d %b %Y %H:%M:%S GMT")
    ));
    lines.push("Connection: close".into());
    let _ = conn.write_all(lines.join("\r\n").as_bytes());
    let _ = conn.write_all(rest);
}

#[test]
fn an_sts_date_ten_minutes_off_fails_the_clock_check_with_the_skew() {
    let mut w = World::new();
    w.target_profile("");
    w.set("AWS_ENDPOINT_URL", &sts_stand_in(Mode::DateBehind(600)));
    let r = doctor(&w, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let lines = report(&r);
    let clock = expect(&r, &lines, "clock", "fail");
    // The Date header has whole seconds, and the answer takes a moment to arrive.
    assert!(
        ["600 s ahead", "601 s ahead"]
            .iter()
            .any(|s| clock.2.contains(s)),
        "{}",
        clock.2
    );
    assert!(
        clock.2.contains("fix: synchronise the clock"),
        "{}",
        clock.2
    );
    expect(&r, &lines, "sts", "ok");
    expect(&r, &lines, "source", "ok");
}

#[test]
fn access_denied_without_an_external_id_names_the_trust_policy_first() {
    let mut w = World::new();
    w.target_profile("");
    w.set("AWS_ENDPOINT_URL", &sts_stand_in(Mode::DenyAssume));
    let r = doctor(&w, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let lines = report(&r);
    let assume = expect(&r, &lines, "assume", "fail");
    assert!(assume.2.contains("AccessDenied"), "{}", assume.2);
    let trust = assume.2.find("(1) the trust policy of").expect(&assume.2);
    let ext = assume
        .2
        .find("(2) the trust policy requires an external id")
        .expect(&assume.2);
    assert!(trust < ext, "{}", assume.2);
    expect(&r, &lines, "source", "ok");
}

#[test]
fn access_denied_with_an_external_id_names_the_trust_policy_then_the_external_id() {
    let mut w = World::new();
    let external_id = format!("ext-{}", unique("wrong"));
    w.target_profile(&format!("external_id = {external_id}"));
    w.set("AWS_ENDPOINT_URL", &sts_stand_in(Mode::DenyAssume));
    let r = doctor(&w, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let lines = report(&r);
    let assume = expect(&r, &lines, "assume", "fail");
    let trust = assume.2.find("(1) the trust policy of").expect(&assume.2);
    let ext = assume
        .2
        .find("(2) the external id does not match")
        .expect(&assume.2);
    assert!(trust < ext, "{}", assume.2);
    assert!(!r.stdout.contains(&external_id) && !r.stderr.contains(&external_id));
}

/// Role B in the source account (moto's default 123456789012) with inline policy
/// `document`, and a config where `target` is assumed from B (`mid`), B from `src`.
fn world_with_role_source(document: &str) -> (World, String) {
    let mut w = World::new();
    let b = unique("b");
    let aws = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--profile", "src", "--region", "us-east-1"]);
        let r = w.tool("aws", &all);
        assert_eq!(r.code, 0, "aws {args:?}: {}", r.stderr);
    };
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;
    aws(&[
        "iam",
        "create-role",
        "--role-name",
        &b,
        "--assume-role-policy-document",
        trust,
    ]);
    aws(&[
        "iam",
        "put-role-policy",
        "--role-name",
        &b,
        "--policy-name",
        "to-a",
        "--policy-document",
        document,
    ]);
    w.write_config(&format!(
        "[profile target]\nrole_arn = {}\nsource_profile = mid\nrole_session_name = doctor-denied\nregion = us-east-1\n\
         [profile mid]\nrole_arn = arn:aws:iam::123456789012:role/{b}\nsource_profile = src\nregion = us-east-1\n",
        w.role_arn
    ));
    w.set("AWS_ENDPOINT_URL", &sts_stand_in(Mode::DenySession));
    (w, b)
}

#[test]
fn access_denied_for_a_role_source_reads_its_inline_policies() {
    // B's policy allows every role in account A: cause 4 is unlikely.
    let allow = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111111111111:role/*"}]}"#;
    let (w, b) = world_with_role_source(allow);
    let r = doctor(&w, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let lines = report(&r);
    let source = expect(&r, &lines, "source", "ok");
    assert!(
        source.2.contains(&format!("assumed-role/{b}/")),
        "{}",
        source.2
    );
    let denied = expect(&r, &lines, "assume", "fail");
    let principal = format!("does not name the source arn:aws:iam::123456789012:role/{b}");
    assert!(denied.2.contains(&principal), "{}", denied.2);
    let read = expect(&r, &lines, "assume", "ok");
    let allows = format!("role {b}'s inline policy \"to-a\" allows sts:AssumeRole");
    assert!(read.2.contains(&allows), "{}", read.2);
    // B's policy names another role only: the hint says so.
    let other = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111111111111:role/other"}]}"#;
    let (w, b) = world_with_role_source(other);
    let r = doctor(&w, &[]);
    let lines = report(&r);
    let hint = expect(&r, &lines, "assume", "warn");
    let none = format!("none of role {b}'s 1 inline policies allows");
    assert!(hint.2.contains(&none), "{}", hint.2);
}

/// An IMDS that accepts every connection and never answers (a token PUT dropped by a
/// hop limit of 1 looks like this from inside a container).
fn silent_imds() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _conn = conn;
                std::thread::sleep(Duration::from_secs(30));
            });
        }
    });
    url
}

#[test]
fn an_imds_that_never_answers_the_token_put_gets_the_hop_limit_hint() {
    let mut w = World::new();
    w.write_config(&format!(
        "[profile target]\nrole_arn = {}\ncredential_source = Ec2InstanceMetadata\nregion = us-east-1\n",
        w.role_arn
    ));
    w.env.remove("AWS_EC2_METADATA_DISABLED");
    w.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", &silent_imds());
    let started = std::time::Instant::now();
    let r = doctor(&w, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    let lines = report(&r);
    let source = expect(&r, &lines, "source", "fail");
    assert!(
        source.2.contains("IMDSv2 token PUT timed out"),
        "{}",
        source.2
    );
    assert!(
        source
            .2
            .contains("aws ec2 modify-instance-metadata-options")
            && source.2.contains("--http-put-response-hop-limit 2"),
        "{}",
        source.2
    );
    expect(&r, &lines, "sts", "ok");
    expect(&r, &lines, "assume", "skip");
}
