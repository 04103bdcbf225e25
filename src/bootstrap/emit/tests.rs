use super::*;
use crate::bootstrap::policy::{self, SessionActions, Trustee};
use serde_json::{Value, json};

const B_ARN: &str = "arn:aws:iam::123456789012:role/src-role";
const A_ARN: &str = "arn:aws:iam::111111111111:role/tgt-role";
const RO: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

fn desired(ec2: bool) -> Desired {
    let trustees = if ec2 {
        vec![Trustee::Ec2]
    } else {
        vec![Trustee::Account]
    };
    let session = SessionActions {
        tags: true,
        source_identity: false,
    };
    Desired {
        source_name: "src-role".into(),
        source_arn: B_ARN.into(),
        source_trust: policy::source_trust(&trustees, "aws", "123456789012"),
        source_permissions: policy::source_permissions(A_ARN, session),
        instance_profile: ec2,
        target_name: "tgt-role".into(),
        target_arn: A_ARN.into(),
        target_trust: policy::target_trust(B_ARN, Some("ext-1"), session),
        target_max_session: 7200,
        target_attached: [RO.to_string()].into(),
        target_inline: [
            ("read-table".to_string(), json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]})),
            ("write ${x}".to_string(), json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/%{y}"}]})),
        ]
        .into(),
    }
}

fn ctx() -> Context<'static> {
    Context {
        source_profile: "b admin",
        target_profile: "a-admin",
        source_region: "eu-west-1",
        target_region: "us-east-1",
        out_dir: "infra/",
    }
}

fn resources_of_type<'a>(t: &'a Value, ty: &str) -> Vec<&'a Value> {
    t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == ty)
        .collect()
}

#[test]
fn the_source_template_holds_role_b_its_permission_and_the_instance_profile() {
    let d = desired(true);
    let t = cloudformation::source_template(&d);
    let roles = resources_of_type(&t, "AWS::IAM::Role");
    assert_eq!(roles.len(), 1);
    let p = &roles[0]["Properties"];
    assert_eq!(p["RoleName"], "src-role");
    assert_eq!(p["AssumeRolePolicyDocument"], d.source_trust);
    assert_eq!(
        p["Tags"],
        json!([{"Key": "xacct:managed", "Value": "true"}])
    );
    let policies = resources_of_type(&t, "AWS::IAM::Policy");
    assert_eq!(policies.len(), 1);
    assert_eq!(
        policies[0]["Properties"]["PolicyName"],
        crate::bootstrap::plan::ASSUME_POLICY_NAME
    );
    assert_eq!(
        policies[0]["Properties"]["PolicyDocument"],
        d.source_permissions
    );
    assert_eq!(
        policies[0]["Properties"]["Roles"],
        json!([{"Ref": "SourceRole"}])
    );
    let ip = resources_of_type(&t, "AWS::IAM::InstanceProfile");
    assert_eq!(ip.len(), 1);
    assert_eq!(ip[0]["Properties"]["InstanceProfileName"], "src-role");
    assert!(
        ip[0]["Properties"].get("Tags").is_none(),
        "the type has no Tags"
    );

    let no_ec2 = cloudformation::source_template(&desired(false));
    assert!(resources_of_type(&no_ec2, "AWS::IAM::InstanceProfile").is_empty());
}

#[test]
fn the_target_template_holds_role_a_with_everything_the_plan_compares() {
    let d = desired(true);
    let t = cloudformation::target_template(&d);
    let roles = resources_of_type(&t, "AWS::IAM::Role");
    let p = &roles[0]["Properties"];
    assert_eq!(p["RoleName"], "tgt-role");
    assert_eq!(p["AssumeRolePolicyDocument"], d.target_trust);
    assert_eq!(
        p["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"],
        "ext-1"
    );
    assert_eq!(p["MaxSessionDuration"], 7200);
    assert_eq!(p["ManagedPolicyArns"], json!([RO]));
    assert_eq!(
        p["Tags"],
        json!([{"Key": "xacct:managed", "Value": "true"}])
    );
    let mut inline: Vec<(Value, Value)> = resources_of_type(&t, "AWS::IAM::Policy")
        .iter()
        .map(|r| {
            assert_eq!(r["Properties"]["Roles"], json!([{"Ref": "TargetRole"}]));
            (
                r["Properties"]["PolicyName"].clone(),
                r["Properties"]["PolicyDocument"].clone(),
            )
        })
        .collect();
    inline.sort_by_key(|(n, _)| n.to_string());
    let want: Vec<(Value, Value)> = d
        .target_inline
        .iter()
        .map(|(n, doc)| (json!(n), doc.clone()))
        .collect();
    assert_eq!(inline, want);
}

#[test]
fn cloudformation_deploys_source_first_with_the_profiles() {
    let e = emit(EmitFormat::Cloudformation, &desired(true), &ctx());
    let names: Vec<&str> = e.files.iter().map(|f| f.name).collect();
    assert_eq!(names, ["source.template.json", "target.template.json"]);
    let source = e
        .steps
        .iter()
        .position(|s| s.contains("source.template.json"));
    let target = e
        .steps
        .iter()
        .position(|s| s.contains("target.template.json"));
    assert!(source < target && source.is_some(), "{:?}", e.steps);
    let b = &e.steps[source.unwrap()];
    for want in [
        "aws cloudformation deploy",
        "--profile 'b admin'",
        "--region eu-west-1",
        "--stack-name xacct-src-role",
        "--template-file infra/source.template.json",
        "--capabilities CAPABILITY_NAMED_IAM",
    ] {
        assert!(b.contains(want), "{b} lacks {want}");
    }
    assert!(e.steps[target.unwrap()].contains("--profile a-admin"));
    assert_eq!(
        cloudformation::stack_name("a.b@c_d"),
        "xacct-a-b-c-d".to_string()
    );
}

#[test]
fn terraform_has_two_aliased_providers_and_refers_to_the_roles() {
    let e = emit(EmitFormat::Terraform, &desired(true), &ctx());
    assert_eq!(e.files.len(), 1);
    let tf = &e.files[0].text;
    for want in [
        "alias   = \"source\"\n  profile = \"b admin\"",
        "alias   = \"target\"\n  profile = \"a-admin\"",
        "resource \"aws_iam_role\" \"source\"",
        "resource \"aws_iam_instance_profile\" \"source\"",
        "resource \"aws_iam_role\" \"target\"",
        "\"AWS\" = aws_iam_role.source.arn",
        "\"Resource\" = aws_iam_role.target.arn",
        "\"sts:ExternalId\" = \"ext-1\"",
        "max_session_duration = 7200",
        "\"xacct:managed\" = \"true\"",
        "policy_arn = \"arn:aws:iam::aws:policy/ReadOnlyAccess\"",
        // Template sequences in names and documents stay literal.
        "name     = \"write $${x}\"",
        "arn:aws:s3:::b/%%{y}",
    ] {
        assert!(tf.contains(want), "main.tf lacks {want:?}:\n{tf}");
    }
    assert!(!tf.contains(B_ARN) && !tf.contains(A_ARN), "{tf}");
    // Dependency order in the file too: role B, its profile, role A, A's policies, B's.
    let at = |s: &str| tf.find(s).unwrap_or_else(|| panic!("{s}"));
    assert!(at("\"aws_iam_role\" \"source\"") < at("\"aws_iam_instance_profile\""));
    assert!(at("\"aws_iam_instance_profile\"") < at("\"aws_iam_role\" \"target\""));
    assert!(at("\"aws_iam_role\" \"target\"") < at("\"source_assume_target\""));
    assert!(
        e.steps[0].contains("terraform -chdir=infra/ init"),
        "{:?}",
        e.steps
    );
    let plain = emit(EmitFormat::Terraform, &desired(false), &ctx());
    assert!(!plain.files[0].text.contains("aws_iam_instance_profile"));
}
