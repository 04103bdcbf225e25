//! `xacct credential-process` against moto: the document, profile and flag resolution,
//! and the cache.

use crate::util::*;
use chrono::{DateTime, Utc};

fn expiration(doc: &serde_json::Value) -> DateTime<Utc> {
    let s = doc["Expiration"].as_str().unwrap();
    assert!(s.ends_with('Z'), "Expiration must be UTC with Z: {s}");
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn prints_exactly_the_credential_process_document() {
    let w = World::new();
    w.target_profile("");
    let r = w.ok(&["credential-process", "--profile", "target"]);
    let doc = r.json();
    let keys: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = vec![
        "AccessKeyId",
        "AccountId",
        "Expiration",
        "SecretAccessKey",
        "SessionToken",
        "Version",
    ];
    want.sort();
    let mut got = keys.clone();
    got.sort();
    assert_eq!(got, want);
    assert_eq!(doc["Version"], 1);
    assert_eq!(doc["AccountId"], ACCOUNT_A);
    let left = (expiration(&doc) - Utc::now()).num_seconds();
    assert!(
        (3500..=3600).contains(&left),
        "default duration is 1h, got {left}s"
    );
    assert_eq!(r.stderr, "", "a clean run prints nothing on stderr");
    assert_eq!(w.assume_count(), 1);
}

#[test]
fn profile_values_reach_sts() {
    let w = World::new();
    w.target_profile("external_id = ext-from-profile\nrole_session_name = nightly-backup\nduration_seconds = 7200");
    let doc = w.ok(&["credential-process", "--profile", "target"]).json();
    let left = (expiration(&doc) - Utc::now()).num_seconds();
    assert!(
        (7100..=7200).contains(&left),
        "duration_seconds from the profile: {left}s"
    );
    let recs = assume_records(&w.role_arn);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["external_id"], "ext-from-profile");
    assert_eq!(recs[0]["session_name"], "nightly-backup");
}

#[test]
fn flags_override_profile_values() {
    let w = World::new();
    w.target_profile("external_id = ext-from-profile\nrole_session_name = nightly-backup");
    let doc = w
        .ok(&[
            "credential-process",
            "--profile",
            "target",
            "--external-id",
            "ext-flag",
            "--session-name",
            "flag-session",
            "--duration",
            "30m",
        ])
        .json();
    let left = (expiration(&doc) - Utc::now()).num_seconds();
    assert!((1700..=1800).contains(&left), "--duration 30m: {left}s");
    let recs = assume_records(&w.role_arn);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["external_id"], "ext-flag");
    assert_eq!(recs[0]["session_name"], "flag-session");
}

#[test]
fn role_arn_flag_without_a_profile_uses_the_default_session_name() {
    let mut w = World::new();
    w.set("AWS_ACCESS_KEY_ID", "AKIAENVSOURCE0001")
        .set("AWS_SECRET_ACCESS_KEY", "env-secret");
    let doc = w
        .ok(&["credential-process", "--role-arn", &w.role_arn.clone()])
        .json();
    assert_eq!(doc["AccountId"], ACCOUNT_A);
    let recs = assume_records(&w.role_arn);
    let session = recs[0]["session_name"].as_str().unwrap();
    assert!(session.starts_with("xacct-tester@"), "{session}");
}

#[test]
fn chained_source_is_clamped_to_one_hour_with_one_warning() {
    let w = World::new();
    let middle = format!("arn:aws:iam::222222222222:role/{}", unique("mid"));
    w.write_config(&format!(
        "[profile mid]\nrole_arn = {middle}\nsource_profile = src\n\
         [profile target]\nrole_arn = {}\nsource_profile = mid\nduration_seconds = 14400\n",
        w.role_arn
    ));
    let r = w.ok(&["credential-process", "--profile", "target"]);
    let left = (expiration(&r.json()) - Utc::now()).num_seconds();
    assert!((3500..=3600).contains(&left), "clamped to 1h: {left}s");
    let warnings: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(warnings.len(), 1, "{}", r.stderr);
    assert!(warnings[0].contains("clamped to 3600s"), "{}", r.stderr);
    assert_eq!(
        assume_records(&middle).len(),
        1,
        "the source profile's own role was assumed"
    );
}

#[test]
fn ec2_credential_source_without_metadata_fails_clearly() {
    let w = World::new();
    w.write_config(&format!(
        "[profile target]\nrole_arn = {}\ncredential_source = Ec2InstanceMetadata\n",
        w.role_arn
    ));
    let r = w.run(&["credential-process", "--profile", "target"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    let last = r.stderr.lines().last().unwrap();
    assert!(last.starts_with("xacct: error: "), "{}", r.stderr);
    assert!(last.contains("Ec2InstanceMetadata"), "{}", r.stderr);
    assert_eq!(w.assume_count(), 0);
}

#[test]
fn unreachable_sts_fails_with_one_line() {
    let mut w = World::new();
    w.target_profile("");
    // Bind and drop: nothing listens there any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    w.set("AWS_ENDPOINT_URL", &format!("http://127.0.0.1:{port}"));
    let r = w.run(&["credential-process", "--profile", "target"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("cannot reach STS"), "{}", r.stderr);
}

#[test]
fn session_name_without_user_or_logname_names_the_uid_owner() {
    let mut w = World::new();
    w.env.remove("USER");
    w.env.remove("LOGNAME");
    w.target_profile("");
    w.ok(&["credential-process", "--profile", "target"]);
    let me = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let me = String::from_utf8(me.stdout).unwrap().trim().to_string();
    let session = assume_records(&w.role_arn)[0]["session_name"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(session.starts_with(&format!("xacct-{me}@")), "{session}");
}
