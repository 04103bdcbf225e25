//! `xacct bootstrap --emit`: the pair as CloudFormation or Terraform, with no change to
//! IAM. The CloudFormation templates pass cfn-lint, deploy with CreateStack on moto in
//! both accounts, and the deployed pair is one bootstrap accepts as its own: the same
//! arguments without `--emit` exit 0 with no `--adopt` and make no mutating IAM call.
//! Terraform cannot run here: `main.tf` is parsed with python-hcl2 and checked.
//!
//! What moto's CloudFormation cannot model (moto 5.2.5): it ignores `ManagedPolicyArns`
//! on `AWS::IAM::Role`, so the test attaches the template's managed policies itself, as
//! CloudFormation does in AWS; and it does not check `CAPABILITY_NAMED_IAM`.

use crate::bootstrap_util::*;
use crate::util::*;
use serde_json::{Value, json};
use std::path::Path;

/// CreateStack as one profile, from a template file; prints the stack's status.
const CFN_PY: &str = r#"
import json, sys, boto3
profile, stack, path = sys.argv[1:4]
cf = boto3.Session(profile_name=profile, region_name="us-east-1").client("cloudformation")
cf.create_stack(StackName=stack, TemplateBody=open(path).read(), Capabilities=["CAPABILITY_NAMED_IAM"])
print(json.dumps(cf.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]))
"#;

/// Parses main.tf with python-hcl2, and each `jsonencode(...)` argument in it as HCL too,
/// so policy documents come back as data (references stay `${...}` strings).
const HCL_PY: &str = r#"
import json, sys, hcl2
opts = hcl2.SerializationOptions(strip_string_quotes=True, explicit_blocks=False)
def policies(v):
    if isinstance(v, dict):
        return {k: policies(x) for k, x in v.items()}
    if isinstance(v, list):
        return [policies(x) for x in v]
    if isinstance(v, str) and v.startswith("${jsonencode(") and v.endswith(")}"):
        return {"jsonencode": hcl2.loads("x = " + v[len("${jsonencode("):-2] + "\n", serialization_options=opts)["x"]}
    return v
print(json.dumps(policies(hcl2.load(open(sys.argv[1]), serialization_options=opts))))
"#;

fn python(w: &World, script: &str, args: &[&str]) -> Value {
    let out = std::process::Command::new(venv_bin("python"))
        .arg("-c")
        .arg(script)
        .args(args)
        .env_clear()
        .envs(&w.env)
        .output()
        .unwrap();
    let r = Run::from(out);
    assert_eq!(r.code, 0, "python: {}", r.stderr);
    r.json()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The value after `flag` in a printed command line.
fn arg_after<'a>(line: &'a str, flag: &str) -> &'a str {
    let mut words = line.split_whitespace();
    words.find(|w| *w == flag);
    words
        .next()
        .unwrap_or_else(|| panic!("{flag} missing in {line}"))
}

#[test]
fn cloudformation_templates_lint_deploy_and_are_accepted_as_is() {
    let p = Pair::new();
    start_recording();
    let policy_arn = p.managed_policy_in_a("cfn-read");
    let file = p.w.home().join("read-table.json");
    std::fs::write(
        &file,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"*"}]}"#,
    )
    .unwrap();
    let args = [
        "--source-trust",
        "ec2",
        "--target-policy-arn",
        &policy_arn,
        "--target-policy-file",
        file.to_str().unwrap(),
        "--external-id",
        "auto",
        "--allow-session-tags",
        "--max-session-duration",
        "2h",
    ];
    let out = p.w.home().join("cfn");
    let mut emit_args = args.to_vec();
    emit_args.extend(["--emit", "cloudformation", "--out", out.to_str().unwrap()]);

    let names = [p.source.as_str(), p.target.as_str()];
    let before = mutating_calls(&names);
    let r = p.ok(&emit_args);
    assert_eq!(mutating_calls(&names), before, "--emit changes nothing");
    assert_eq!(p.role_b(), Value::Null);
    assert_eq!(p.role_a(), Value::Null);
    assert!(r.stdout.contains("external_id = "), "{}", r.stdout);

    // The deploy order on stderr: account B's stack first, each with its profile.
    let deploys: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.contains("aws cloudformation deploy"))
        .collect();
    assert_eq!(deploys.len(), 2, "{}", r.stderr);
    assert!(deploys[0].contains("account B") && deploys[1].contains("account A"));
    let source_tpl = out.join("source.template.json");
    let target_tpl = out.join("target.template.json");
    for (line, profile, tpl) in [
        (deploys[0], "src", &source_tpl),
        (deploys[1], "a-admin", &target_tpl),
    ] {
        assert_eq!(arg_after(line, "--profile"), profile, "{line}");
        assert_eq!(arg_after(line, "--template-file"), tpl.to_str().unwrap());
        assert_eq!(
            arg_after(line, "--capabilities"),
            "CAPABILITY_NAMED_IAM",
            "{line}"
        );
    }

    let lint = std::process::Command::new(venv_bin("cfn-lint"))
        .args([&source_tpl, &target_tpl])
        .output()
        .unwrap();
    let lint = Run::from(lint);
    assert_eq!(lint.code, 0, "cfn-lint: {}{}", lint.stdout, lint.stderr);

    for (line, profile, tpl) in [
        (deploys[0], "src", &source_tpl),
        (deploys[1], "a-admin", &target_tpl),
    ] {
        let stack = arg_after(line, "--stack-name");
        let status = python(&p.w, CFN_PY, &[profile, stack, tpl.to_str().unwrap()]);
        assert_eq!(status, "CREATE_COMPLETE");
    }
    // The gap: moto does not attach ManagedPolicyArns; CloudFormation does, so do it here.
    let managed =
        read_json(&target_tpl)["Resources"]["TargetRole"]["Properties"]["ManagedPolicyArns"]
            .clone();
    assert_eq!(managed, json!([policy_arn]));
    p.iam(
        "a-admin",
        json!([["attach_role_policy", {"RoleName": p.target, "PolicyArn": policy_arn}]]),
    );
    let ip = &p.iam("src", json!([["instance-profile", p.source]]))["ip"];
    assert_eq!(ip["roles"], json!([p.source]));
    assert_eq!(ip["tags"], json!({}), "CloudFormation cannot tag it");

    let deployed = mutating_calls(&names);
    let again = p.ok(&args);
    assert!(again.stderr.contains("no changes"), "{}", again.stderr);
    assert_eq!(
        mutating_calls(&names),
        deployed,
        "the deployed pair needs no change"
    );
    assert_eq!(
        again.stdout, r.stdout,
        "the same config, external id included"
    );
    let trust = &p.role_a()["trust"]["Statement"][0];
    assert_eq!(trust["Principal"]["AWS"], p.b_arn());
    assert_eq!(trust["Action"], json!(["sts:AssumeRole", "sts:TagSession"]));
}

#[test]
fn terraform_main_tf_parses_and_names_everything() {
    let p = Pair::new();
    let file = p.w.home().join("read-table.json");
    std::fs::write(
        &file,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"*"}]}"#,
    )
    .unwrap();
    let out = p.w.home().join("tf");
    start_recording();
    // A first recorded call: moto cannot download an empty recording.
    assert_eq!(p.role_a(), Value::Null);
    let names = [p.source.as_str(), p.target.as_str()];
    let before = mutating_calls(&names);
    let r = p.ok(&[
        "--target-policy-file",
        file.to_str().unwrap(),
        "--external-id",
        "ext-tf-1",
        "--emit",
        "terraform",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(mutating_calls(&names), before, "--emit changes nothing");
    assert_eq!(p.role_a(), Value::Null);
    assert!(r.stderr.contains("terraform -chdir="), "{}", r.stderr);

    let tf = python(&p.w, HCL_PY, &[out.join("main.tf").to_str().unwrap()]);
    let providers: Vec<(&str, &str)> = tf["provider"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let aws = &b["aws"];
            (
                aws["alias"].as_str().unwrap(),
                aws["profile"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(providers, [("source", "src"), ("target", "a-admin")]);

    let mut by_type: std::collections::BTreeMap<String, Vec<(String, Value)>> = Default::default();
    for block in tf["resource"].as_array().unwrap() {
        for (ty, named) in block.as_object().unwrap() {
            for (name, body) in named.as_object().unwrap() {
                by_type
                    .entry(ty.clone())
                    .or_default()
                    .push((name.clone(), body.clone()));
            }
        }
    }
    let roles = &by_type["aws_iam_role"];
    assert_eq!(roles.len(), 2, "{roles:?}");
    let tags = json!({"xacct:managed": "true"});
    let (_, b) = roles.iter().find(|(n, _)| n == "source").unwrap();
    let (_, a) = roles.iter().find(|(n, _)| n == "target").unwrap();
    assert_eq!(
        (&b["name"], &b["provider"]),
        (&json!(p.source), &json!("${aws.source}"))
    );
    assert_eq!(
        (&a["name"], &a["provider"]),
        (&json!(p.target), &json!("${aws.target}"))
    );
    assert_eq!((&b["tags"], &a["tags"]), (&tags, &tags));
    let trust = &a["assume_role_policy"]["jsonencode"]["Statement"][0];
    assert_eq!(trust["Principal"]["AWS"], "${aws_iam_role.source.arn}");
    assert_eq!(
        trust["Condition"],
        json!({"StringEquals": {"sts:ExternalId": "ext-tf-1"}})
    );
    assert_eq!(trust["Action"], "sts:AssumeRole", "least privilege");

    let ip = &by_type["aws_iam_instance_profile"][0].1;
    assert_eq!(
        (&ip["role"], &ip["tags"]),
        (&json!("${aws_iam_role.source.name}"), &tags)
    );
    let policies = &by_type["aws_iam_role_policy"];
    assert_eq!(policies.len(), 2, "{policies:?}");
    let assume = policies
        .iter()
        .find(|(_, body)| body["name"] == "xacct-assume-target")
        .unwrap();
    assert_eq!(assume.1["provider"], "${aws.source}");
    assert_eq!(
        assume.1["policy"]["jsonencode"]["Statement"][0]["Resource"],
        "${aws_iam_role.target.arn}"
    );
    let read = policies
        .iter()
        .find(|(_, body)| body["name"] == "read-table")
        .unwrap();
    assert_eq!(read.1["role"], "${aws_iam_role.target.name}");
    assert_eq!(
        read.1["policy"]["jsonencode"]["Statement"][0]["Action"],
        "dynamodb:GetItem"
    );
}
