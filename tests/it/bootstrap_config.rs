//! `xacct bootstrap` output and input: the printed snippet gives working credentials,
//! `--write-config` is idempotent, and bad input fails before any change.

use crate::bootstrap_util::*;
use crate::util::*;
use serde_json::{Value, json};

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
