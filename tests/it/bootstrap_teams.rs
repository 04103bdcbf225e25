//! `xacct bootstrap` for teams (issue 12): session tags and source identity when asked
//! (and least privilege otherwise), an external id that is never dropped silently, roles
//! at a path, a `--write-config` that keeps a symlinked config and its mode, and
//! `--delete` of roles that carry policies xacct did not put there.

use crate::bootstrap_util::*;
use crate::recorder;
use crate::util::*;
use serde_json::{Value, json};

fn trust_action(role: &Value) -> Value {
    role["trust"]["Statement"][0]["Action"].clone()
}

fn permission_action(role_b: &Value) -> Value {
    role_b["inline"]["xacct-assume-target"]["Statement"][0]["Action"].clone()
}

#[test]
fn session_tags_and_source_identity_are_allowed_only_when_asked() {
    let p = Pair::new();
    let name = unique("tags");
    let with = [
        "--source-trust",
        "account",
        "--allow-session-tags",
        "--allow-source-identity",
        "--profile-name",
        &name,
    ];
    let r = p.ok(&with);
    let both = json!(["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"]);
    assert_eq!(trust_action(&p.role_a()), both);
    assert_eq!(permission_action(&p.role_b()), both);

    // A credential process through the printed profiles sends both to STS.
    let config = std::fs::read_to_string(p.w.home().join(".aws/config")).unwrap();
    p.w.write_config(&format!("{config}\n{}", r.stdout));
    recorder::start();
    p.w.ok(&[
        "credential-process",
        "--profile",
        &name,
        "--tag",
        "team=blue",
        "--source-identity",
        "alice",
    ]);
    let reqs = recorder::sts_requests(&p.a_arn());
    assert_eq!(reqs.len(), 1, "{reqs:?}");
    assert_eq!(reqs[0]["Tags.member.1.Key"], "team");
    assert_eq!(reqs[0]["Tags.member.1.Value"], "blue");
    assert_eq!(reqs[0]["SourceIdentity"], "alice");

    // Without the flags the pair is least-privilege again.
    p.ok(&["--source-trust", "account", "--profile-name", &name]);
    assert_eq!(trust_action(&p.role_a()), "sts:AssumeRole");
    assert_eq!(permission_action(&p.role_b()), "sts:AssumeRole");
}

#[test]
fn the_external_id_survives_a_rerun_without_the_flag_and_none_removes_it() {
    let p = Pair::new();
    let condition = |role: &Value| role["trust"]["Statement"][0]["Condition"].clone();
    p.ok(&["--source-trust", "account", "--external-id", "ext-keep-1"]);
    let want = json!({"StringEquals": {"sts:ExternalId": "ext-keep-1"}});
    assert_eq!(condition(&p.role_a()), want);

    start_recording();
    let names = [p.source.as_str(), p.target.as_str()];
    let before = mutating_calls(&names);
    let r = p.ok(&["--source-trust", "account"]);
    assert!(r.stderr.contains("external id: keeping"), "{}", r.stderr);
    assert!(
        r.stdout.contains("external_id = ext-keep-1"),
        "{}",
        r.stdout
    );
    assert_eq!(condition(&p.role_a()), want);
    assert_eq!(
        mutating_calls(&names),
        before,
        "a forgotten flag changes nothing"
    );

    let dry = p.ok(&[
        "--source-trust",
        "account",
        "--external-id",
        "none",
        "--dry-run",
    ]);
    assert!(
        dry.stdout
            .contains("external id: removing the sts:ExternalId condition"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stderr.contains("xacct: warning: external id: removing"),
        "{}",
        dry.stderr
    );
    assert_eq!(condition(&p.role_a()), want, "--dry-run changes nothing");
    let dry_keep = p.ok(&["--source-trust", "account", "--dry-run"]);
    assert!(
        dry_keep.stdout.contains("external id: keeping"),
        "{}",
        dry_keep.stdout
    );

    let gone = p.ok(&["--source-trust", "account", "--external-id", "none"]);
    assert!(
        gone.stderr
            .contains("xacct: warning: external id: removing"),
        "{}",
        gone.stderr
    );
    assert_eq!(condition(&p.role_a()), Value::Null);
    assert!(!gone.stdout.contains("external_id"), "{}", gone.stdout);
}

#[test]
fn roles_at_a_path_are_adopted_and_rerun_cleanly() {
    let p = Pair::new();
    let theirs = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT_B}:root")}, "Action": "sts:AssumeRole"}]});
    let made_b = p.iam("src", json!([["create_role", {"RoleName": p.source, "Path": "/service/", "AssumeRolePolicyDocument": theirs.to_string()}]]));
    let made_a = p.iam("a-admin", json!([["create_role", {"RoleName": p.target, "Path": "/team/app/", "AssumeRolePolicyDocument": theirs.to_string()}]]));
    let b_arn = made_b["create_role"]["Role"]["Arn"]
        .as_str()
        .unwrap()
        .to_string();
    let a_arn = made_a["create_role"]["Role"]["Arn"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        b_arn.ends_with(&format!(":role/service/{}", p.source)),
        "{b_arn}"
    );
    assert!(
        a_arn.ends_with(&format!(":role/team/app/{}", p.target)),
        "{a_arn}"
    );

    let r = p.ok(&["--source-trust", "account", "--adopt"]);
    assert_eq!(
        p.role_a()["trust"]["Statement"][0]["Principal"]["AWS"],
        b_arn,
        "role A trusts role B by the ARN IAM returns"
    );
    assert_eq!(
        p.role_b()["inline"]["xacct-assume-target"]["Statement"][0]["Resource"],
        a_arn
    );
    assert!(
        r.stdout.contains(&format!("role_arn = {a_arn}")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!("role_arn = {b_arn}")),
        "{}",
        r.stdout
    );

    start_recording();
    let names = [p.source.as_str(), p.target.as_str()];
    let before = mutating_calls(&names);
    let again = p.ok(&["--source-trust", "account"]);
    assert!(again.stderr.contains("no changes"), "{}", again.stderr);
    // The re-run's reads were recorded, so the comparison below is not of two empty logs.
    assert!(!crate::recorder::all_requests().is_empty());
    assert_eq!(mutating_calls(&names), before);
    assert_eq!(again.stdout, r.stdout);
}

#[cfg(unix)]
#[test]
fn write_config_through_a_symlink_keeps_the_link_and_the_mode() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let p = Pair::new();
    let link = p.w.home().join(".aws/config");
    let dotfiles = p.w.home().join("dotfiles");
    std::fs::create_dir(&dotfiles).unwrap();
    let real = dotfiles.join("aws-config");
    std::fs::rename(&link, &real).unwrap();
    symlink(&real, &link).unwrap();
    let set_mode = |m: u32| {
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(m)).unwrap();
    };
    let mode = || std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    set_mode(0o600);

    let name = unique("wcl");
    p.ok(&[
        "--source-trust",
        "lambda",
        "--profile-name",
        &name,
        "--write-config",
    ]);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link stays a link"
    );
    let text = std::fs::read_to_string(&real).unwrap();
    assert!(text.contains(&format!("[profile {name}]")), "{text}");
    assert!(text.contains("[profile a-admin]"), "{text}");
    assert_eq!(mode(), 0o600);

    // Whatever the mode is, it is kept.
    set_mode(0o640);
    let other = unique("wcl");
    p.ok(&[
        "--source-trust",
        "lambda",
        "--profile-name",
        &other,
        "--write-config",
    ]);
    assert!(std::fs::read_to_string(&real).unwrap().contains(&other));
    assert_eq!(mode(), 0o640);
    for dir in [&dotfiles, &p.w.home().join(".aws")] {
        let names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names
                .iter()
                .all(|n| n == "aws-config" || n == "config" || n == "credentials"),
            "no temporary file is left: {names:?}"
        );
    }
}

#[test]
fn delete_removes_roles_that_carry_extra_policies() {
    let p = Pair::new();
    p.ok(&[]);
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#;
    let policy_arn = p.managed_policy_in_a("extra");
    p.iam(
        "a-admin",
        json!([
            ["attach_role_policy", {"RoleName": p.target, "PolicyArn": policy_arn}],
            ["put_role_policy", {"RoleName": p.target, "PolicyName": "someone-elses", "PolicyDocument": doc}],
        ]),
    );
    p.iam(
        "src",
        json!([["put_role_policy", {"RoleName": p.source, "PolicyName": "workload", "PolicyDocument": doc}]]),
    );
    assert_eq!(p.role_a()["attached"], json!([policy_arn]));
    assert_eq!(p.role_b()["inline"].as_object().unwrap().len(), 2);

    let dry = p.ok(&["--delete", "--dry-run"]);
    for want in [
        format!("detach {policy_arn}"),
        "delete inline policy someone-elses".into(),
        "delete inline policy workload".into(),
    ] {
        assert!(dry.stdout.contains(&want), "{want}: {}", dry.stdout);
    }
    let r = p.ok(&["--delete"]);
    assert!(r.stderr.contains("deleted the pair"), "{}", r.stderr);
    assert_eq!(p.role_a(), Value::Null);
    assert_eq!(p.role_b(), Value::Null);
    assert_eq!(
        p.iam("src", json!([["instance-profile", p.source]]))["ip"],
        Value::Null
    );
}
