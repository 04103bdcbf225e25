//! `xacct bootstrap` against moto's two accounts: create, re-run, dry run, drift, ownership,
//! delete. Every document is read back (moto validates none); mutating calls are counted
//! with moto's recorder.

use crate::bootstrap_util::*;
use crate::util::*;
use serde_json::{Value, json};

#[test]
fn creates_the_pair_and_every_document_reads_back() {
    let p = Pair::new();
    let policy_arn = p.managed_policy_in_a("team-read");
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
