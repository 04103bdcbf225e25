//! One Terraform file, `main.tf`: an aliased `aws` provider per account (its `profile`
//! from the flags) and the resources in dependency order. Role A's trust refers to
//! `aws_iam_role.source.arn` and role B's permission to `aws_iam_role.target.arn`, so
//! Terraform itself creates role B before role A's trust, and retries IAM's "Invalid
//! principal" while role B propagates.
//!
//! Policy documents are `jsonencode(...)` of the very documents the plan compares, so
//! `terraform plan` shows them as HCL and IAM holds exactly them after `apply`.

use super::hcl::{attr, block, string, value};
use super::{Context, Emitted, File, ROLE_DESCRIPTION};
use crate::bootstrap::change::{MANAGED_TAG_KEY, MANAGED_TAG_VALUE};
use crate::bootstrap::plan::{ASSUME_POLICY_NAME, Desired};
use serde_json::Value;

pub const FILE: &str = "main.tf";

const SOURCE_ROLE: &str = "aws_iam_role.source";
const TARGET_ROLE: &str = "aws_iam_role.target";

fn tags() -> String {
    format!(
        "{{\n    {} = {}\n  }}",
        string(MANAGED_TAG_KEY),
        string(MANAGED_TAG_VALUE)
    )
}

fn jsonencode(doc: &Value, refs: &[(&str, &str)]) -> String {
    format!("jsonencode({})", value(doc, refs, 2))
}

fn provider(alias: &str, profile: &str, region: &str) -> String {
    block(
        "provider \"aws\"",
        &[
            attr("alias", string(alias)),
            attr("profile", string(profile)),
            attr("region", string(region)),
        ],
    )
}

/// `main.tf`'s text.
pub fn main_tf(d: &Desired, ctx: &Context) -> String {
    let source_arn = format!("{SOURCE_ROLE}.arn");
    let target_arn = format!("{TARGET_ROLE}.arn");
    let mut blocks = vec![
        "terraform {\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \">= 5.0\"\n    }\n  }\n}\n".to_string(),
        provider("source", ctx.source_profile, ctx.source_region),
        provider("target", ctx.target_profile, ctx.target_region),
        block(
            "resource \"aws_iam_role\" \"source\"",
            &[
                attr("provider", "aws.source"),
                attr("name", string(&d.source_name)),
                attr("description", string(ROLE_DESCRIPTION)),
                attr("assume_role_policy", jsonencode(&d.source_trust, &[])),
                attr("tags", tags()),
            ],
        ),
    ];
    if d.instance_profile {
        blocks.push(block(
            "resource \"aws_iam_instance_profile\" \"source\"",
            &[
                attr("provider", "aws.source"),
                attr("name", string(&d.source_name)),
                attr("role", format!("{SOURCE_ROLE}.name")),
                attr("tags", tags()),
            ],
        ));
    }
    blocks.push(block(
        "resource \"aws_iam_role\" \"target\"",
        &[
            attr("provider", "aws.target"),
            attr("name", string(&d.target_name)),
            attr("description", string(ROLE_DESCRIPTION)),
            attr("max_session_duration", d.target_max_session.to_string()),
            attr(
                "assume_role_policy",
                jsonencode(&d.target_trust, &[(&d.source_arn, &source_arn)]),
            ),
            attr("tags", tags()),
        ],
    ));
    for (i, arn) in d.target_attached.iter().enumerate() {
        blocks.push(block(
            &format!(
                "resource \"aws_iam_role_policy_attachment\" \"target_{}\"",
                i + 1
            ),
            &[
                attr("provider", "aws.target"),
                attr("role", format!("{TARGET_ROLE}.name")),
                attr("policy_arn", string(arn)),
            ],
        ));
    }
    for (i, (name, doc)) in d.target_inline.iter().enumerate() {
        blocks.push(block(
            &format!("resource \"aws_iam_role_policy\" \"target_{}\"", i + 1),
            &[
                attr("provider", "aws.target"),
                attr("name", string(name)),
                attr("role", format!("{TARGET_ROLE}.name")),
                attr("policy", jsonencode(doc, &[])),
            ],
        ));
    }
    blocks.push(block(
        "resource \"aws_iam_role_policy\" \"source_assume_target\"",
        &[
            attr("provider", "aws.source"),
            attr("name", string(ASSUME_POLICY_NAME)),
            attr("role", format!("{SOURCE_ROLE}.name")),
            attr(
                "policy",
                jsonencode(&d.source_permissions, &[(&d.target_arn, &target_arn)]),
            ),
        ],
    ));
    blocks.push(block(
        "output \"role_a_arn\"",
        &[attr("value", target_arn.clone())],
    ));
    format!(
        "# Written by `xacct bootstrap --emit terraform`: the cross-account role pair.\n# Role B ({}) in account B may assume role A ({}) in account A and nothing else;\n# role A trusts role B's ARN only. Both carry the tag {MANAGED_TAG_KEY}={MANAGED_TAG_VALUE}.\n\n{}",
        d.source_name,
        d.target_name,
        blocks.join("\n")
    )
}

pub fn emit(d: &Desired, ctx: &Context) -> Emitted {
    let dir = crate::bootstrap::snippet::shell_quote(ctx.out_dir);
    Emitted {
        files: vec![File {
            name: FILE,
            text: main_tf(d, ctx),
        }],
        steps: vec![
            format!(
                "deploy with: terraform -chdir={dir} init && terraform -chdir={dir} apply (Terraform creates role B before role A itself: role A's trust refers to it)"
            ),
            "then the same bootstrap command without --emit and --out, with --dry-run, should say: no changes".into(),
        ],
    }
}
