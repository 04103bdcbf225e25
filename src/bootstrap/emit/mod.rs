//! The role pair as code, for teams that review IAM changes instead of letting a tool
//! make them: the same `Desired` state `plan` applies, written as CloudFormation templates
//! or a Terraform file. Pure: `Desired` and the profile names in, file texts and the
//! deploy steps out; the command writes the files and prints the steps.
//!
//! Deployed, the code must give a pair that `xacct bootstrap` with the same arguments
//! accepts as its own, with nothing to change:
//! - both roles carry the `xacct:managed=true` tag;
//! - the documents are the very `Value`s the plan compares against;
//! - inline policies are `AWS::IAM::Policy` / `aws_iam_role_policy` resources, so each is
//!   one inline policy under the name xacct reads back;
//! - CloudFormation cannot tag an instance profile; `plan::profile_owned` counts an
//!   untagged one that holds only the tagged role B as xacct's. Terraform tags it anyway.

pub mod cloudformation;
pub mod hcl;
pub mod terraform;

use super::plan::Desired;
use crate::cli::EmitFormat;

/// The description both roles get, as `xacct bootstrap` gives them.
pub const ROLE_DESCRIPTION: &str = "Managed by xacct bootstrap";

/// What the generated code names besides the desired state.
pub struct Context<'a> {
    pub source_profile: &'a str,
    pub target_profile: &'a str,
    /// The region each profile's tools use (IAM is global; the CLI and Terraform want one).
    pub source_region: &'a str,
    pub target_region: &'a str,
    /// The output directory as the user gave it, for the printed commands.
    pub out_dir: &'a str,
}

/// One file to write into the output directory.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub name: &'static str,
    pub text: String,
}

/// The files, and the lines that tell the operator how to deploy them, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Emitted {
    pub files: Vec<File>,
    pub steps: Vec<String>,
}

pub fn emit(format: EmitFormat, d: &Desired, ctx: &Context) -> Emitted {
    match format {
        EmitFormat::Cloudformation => cloudformation::emit(d, ctx),
        EmitFormat::Terraform => terraform::emit(d, ctx),
    }
}

/// A path inside the output directory, as a shell word.
fn shown_path(ctx: &Context, name: &str) -> String {
    let dir = ctx.out_dir.trim_end_matches('/');
    let path = if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    };
    super::snippet::shell_quote(&path)
}

#[cfg(test)]
mod tests;
