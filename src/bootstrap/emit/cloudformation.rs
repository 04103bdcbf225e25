//! Two CloudFormation templates, one per account, deployed source first: role A's trust
//! names role B's ARN, and IAM accepts a principal only once it exists. Role B's
//! permission may name role A before role A exists (a permission policy's `Resource` is
//! not checked), so each template holds everything of its own account and nothing waits
//! on an output of the other stack.
//!
//! Inline policies are `AWS::IAM::Policy` resources, not the role's `Policies` property:
//! both make an inline policy in real CloudFormation, but moto stores `Policies` as a
//! Python dict repr (not JSON) and ignores `AWS::IAM::RolePolicy`, and the tests deploy
//! these templates on moto.

use super::{Context, Emitted, File, ROLE_DESCRIPTION, shown_path};
use crate::bootstrap::change::{MANAGED_TAG_KEY, MANAGED_TAG_VALUE};
use crate::bootstrap::plan::{ASSUME_POLICY_NAME, Desired};
use serde_json::{Map, Value, json};

pub const SOURCE_FILE: &str = "source.template.json";
pub const TARGET_FILE: &str = "target.template.json";

const FORMAT_VERSION: &str = "2010-09-09";

fn tags() -> Value {
    json!([{"Key": MANAGED_TAG_KEY, "Value": MANAGED_TAG_VALUE}])
}

/// An inline policy on the role with logical id `role`.
fn inline_policy(name: &str, doc: &Value, role: &str) -> Value {
    json!({
        "Type": "AWS::IAM::Policy",
        "Properties": {"PolicyName": name, "PolicyDocument": doc, "Roles": [{"Ref": role}]}
    })
}

/// Account B's template: role B, its permission to assume role A and, with `ec2` trust,
/// the instance profile.
pub fn source_template(d: &Desired) -> Value {
    let mut resources = Map::new();
    resources.insert(
        "SourceRole".into(),
        json!({
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": d.source_name,
                "Description": ROLE_DESCRIPTION,
                "AssumeRolePolicyDocument": d.source_trust,
                "Tags": tags(),
            }
        }),
    );
    resources.insert(
        "AssumeTarget".into(),
        inline_policy(ASSUME_POLICY_NAME, &d.source_permissions, "SourceRole"),
    );
    let mut outputs = Map::new();
    outputs.insert(
        "SourceRoleArn".into(),
        json!({"Description": "Role B's ARN (role A's trust names it)", "Value": {"Fn::GetAtt": ["SourceRole", "Arn"]}}),
    );
    if d.instance_profile {
        // No Tags: AWS::IAM::InstanceProfile has none. xacct recognises the profile as
        // its own because it holds only the tagged role B (plan::profile_owned).
        resources.insert(
            "InstanceProfile".into(),
            json!({
                "Type": "AWS::IAM::InstanceProfile",
                "Properties": {"InstanceProfileName": d.source_name, "Roles": [{"Ref": "SourceRole"}]}
            }),
        );
        outputs.insert(
            "InstanceProfileName".into(),
            json!({"Description": "Launch instances with this instance profile", "Value": {"Ref": "InstanceProfile"}}),
        );
    }
    json!({
        "AWSTemplateFormatVersion": FORMAT_VERSION,
        "Description": format!(
            "xacct role pair, account B (deploy first): role B {} may assume role A {} and nothing else",
            d.source_name, d.target_arn
        ),
        "Resources": resources,
        "Outputs": outputs,
    })
}

/// Account A's template: role A with its trust, session length, managed policies and the
/// inline policies from `--target-policy-file`.
pub fn target_template(d: &Desired) -> Value {
    let mut props = Map::new();
    props.insert("RoleName".into(), json!(d.target_name));
    props.insert("Description".into(), json!(ROLE_DESCRIPTION));
    props.insert("AssumeRolePolicyDocument".into(), d.target_trust.clone());
    props.insert("MaxSessionDuration".into(), json!(d.target_max_session));
    if !d.target_attached.is_empty() {
        props.insert("ManagedPolicyArns".into(), json!(d.target_attached));
    }
    props.insert("Tags".into(), tags());
    let mut resources = Map::new();
    resources.insert(
        "TargetRole".into(),
        json!({"Type": "AWS::IAM::Role", "Properties": props}),
    );
    for (i, (name, doc)) in d.target_inline.iter().enumerate() {
        resources.insert(
            format!("TargetPolicy{}", i + 1),
            inline_policy(name, doc, "TargetRole"),
        );
    }
    json!({
        "AWSTemplateFormatVersion": FORMAT_VERSION,
        "Description": format!(
            "xacct role pair, account A (deploy after the source stack): role A {} trusts role B {} only",
            d.target_name, d.source_arn
        ),
        "Resources": resources,
        "Outputs": {
            "TargetRoleArn": {"Description": "Role A's ARN (the profile's role_arn)", "Value": {"Fn::GetAtt": ["TargetRole", "Arn"]}}
        },
    })
}

/// A stack name from a role name: letters, digits and hyphens, starting with a letter.
pub fn stack_name(role: &str) -> String {
    let name: String = role
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("xacct-{name}").chars().take(128).collect()
}

fn deploy(profile: &str, region: &str, stack: &str, template: &str) -> String {
    let q = crate::bootstrap::snippet::shell_quote;
    format!(
        "aws cloudformation deploy --profile {} --region {} --stack-name {stack} --template-file {template} --capabilities CAPABILITY_NAMED_IAM",
        q(profile),
        q(region)
    )
}

pub fn emit(d: &Desired, ctx: &Context) -> Emitted {
    let text = |v: Value| format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default());
    Emitted {
        files: vec![
            File {
                name: SOURCE_FILE,
                text: text(source_template(d)),
            },
            File {
                name: TARGET_FILE,
                text: text(target_template(d)),
            },
        ],
        steps: vec![
            "deploy in this order: role A's trust names role B, which must exist first".into(),
            format!(
                "1. account B: {}",
                deploy(
                    ctx.source_profile,
                    ctx.source_region,
                    &stack_name(&d.source_name),
                    &shown_path(ctx, SOURCE_FILE)
                )
            ),
            format!(
                "2. account A: {}",
                deploy(
                    ctx.target_profile,
                    ctx.target_region,
                    &stack_name(&d.target_name),
                    &shown_path(ctx, TARGET_FILE)
                )
            ),
            "then the same bootstrap command without --emit and --out, with --dry-run, should say: no changes".into(),
        ],
    }
}
