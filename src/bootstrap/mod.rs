//! `xacct bootstrap`: the cross-account role pair, created and kept in line by one command.
//!
//! Role A (target, in account A) trusts role B (source, in account B) by ARN; role B may
//! assume role A and nothing else. Creating them is a chicken-and-egg problem (each policy
//! names the other role), solved by ordering (`plan`). This module turns the command line
//! into a validated `Request` (no network), and the request plus the two accounts into the
//! `Desired` state; `plan` diffs it against IAM, `apply` runs it, `snippet` prints the
//! config that uses the pair, and `emit` writes the same state as CloudFormation or
//! Terraform for teams that review IAM as code.

pub mod apply;
pub mod change;
pub mod emit;
pub mod external_id;
pub mod iam;
pub mod plan;
pub mod policy;
pub mod preflight;
pub mod snippet;

use crate::arn;
use crate::cli::{BootstrapArgs, EmitFormat};
use crate::error::Error;
pub use external_id::ExternalIdArg;
use plan::Desired;
use policy::{SessionActions, Trustee};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The validated command line.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub source_profile: String,
    pub target_profile: String,
    pub source_role: String,
    pub target_role: String,
    pub trustees: Vec<Trustee>,
    pub policy_arns: BTreeSet<String>,
    /// Inline policy name (the file's stem) -> document.
    pub inline: BTreeMap<String, Value>,
    pub external_id: ExternalIdArg,
    /// `--allow-session-tags`, `--allow-source-identity`.
    pub session: SessionActions,
    pub max_session: i32,
    pub profile_name: String,
    pub write_config: bool,
    pub dry_run: bool,
    pub delete: bool,
    pub adopt: bool,
    /// `--emit FORMAT --out DIR`: write the pair as code instead of applying it.
    pub emit: Option<(EmitFormat, PathBuf)>,
}

/// MaxSessionDuration's range (IAM API model).
const MAX_SESSION_RANGE: std::ops::RangeInclusive<u32> = 3600..=43200;

/// Checks every argument and reads the policy files; no network. `read` is the file reader
/// (injected so tests need no files).
pub fn validate(
    args: &BootstrapArgs,
    read: &dyn Fn(&Path) -> std::io::Result<String>,
) -> Result<Request, Error> {
    let usage = |m: String| Error::Usage(m);
    for (flag, name) in [
        ("--source-role", &args.source_role),
        ("--target-role", &args.target_role),
    ] {
        arn::check_role_name(name)
            .map_err(|e| usage(format!("{flag} {:?}: {e}", arn::truncate(name, 80))))?;
    }
    for (flag, name) in [
        ("--source-profile", &args.source_profile),
        ("--target-profile", &args.target_profile),
    ] {
        if name.trim().is_empty() {
            return Err(usage(format!(
                "{flag} is empty; pass the name of a profile in the AWS config file"
            )));
        }
    }
    let mut trustees = Vec::new();
    for who in &args.source_trust {
        let t = Trustee::parse(who).map_err(usage)?;
        if !trustees.contains(&t) {
            trustees.push(t);
        }
    }
    if trustees.is_empty() {
        trustees.push(Trustee::Ec2);
    }
    let mut policy_arns = BTreeSet::new();
    for a in &args.target_policy_arn {
        policy::check_policy_arn(a).map_err(usage)?;
        policy_arns.insert(a.clone());
    }
    let mut inline = BTreeMap::new();
    for file in &args.target_policy_file {
        let shown = file.display();
        let text = read(file).map_err(|e| {
            usage(format!(
                "--target-policy-file {shown}: cannot read it ({e}); check the path"
            ))
        })?;
        let doc = policy::parse_permission_policy(&text)
            .map_err(|e| usage(format!("--target-policy-file {shown} {e}; fix the file")))?;
        let name = inline_policy_name(file);
        if inline.insert(name.clone(), doc).is_some() {
            return Err(usage(format!(
                "--target-policy-file {shown}: another file also gives inline policy name {name:?} (from the file name); rename one"
            )));
        }
    }
    let external_id =
        ExternalIdArg::parse(args.external_id.as_deref(), arn::check_external_id).map_err(usage)?;
    let max_session = match args.max_session_duration.as_deref() {
        None => plan::DEFAULT_MAX_SESSION as u32,
        Some(d) => {
            let s = crate::expiry::parse_duration(d).map_err(usage)?;
            if !MAX_SESSION_RANGE.contains(&s) {
                return Err(usage(format!(
                    "--max-session-duration {s}s is out of range (IAM accepts 1h to 12h)"
                )));
            }
            s
        }
    };
    let profile_name = args
        .profile_name
        .clone()
        .unwrap_or_else(|| args.target_role.clone());
    snippet::check_profile_name(&profile_name).map_err(usage)?;
    if args.delete
        && (args.write_config
            || !args.target_policy_arn.is_empty()
            || !args.target_policy_file.is_empty()
            || args.allow_session_tags
            || args.allow_source_identity
            || args.emit.is_some())
    {
        return Err(usage(
            "--delete takes only the profiles, role names, --adopt and --dry-run; drop the other options".into(),
        ));
    }
    let emit = match (args.emit, &args.out) {
        (Some(format), Some(dir)) => {
            if args.dry_run || args.adopt {
                return Err(usage(
                    "--emit writes code and changes nothing in AWS, so --dry-run and --adopt do not apply; drop them".into(),
                ));
            }
            Some((format, dir.clone()))
        }
        (None, None) => None,
        // clap's `requires` makes the flags come in pairs; this keeps validate total.
        _ => {
            return Err(usage(
                "--emit and --out go together: --emit cloudformation|terraform --out DIR".into(),
            ));
        }
    };
    Ok(Request {
        source_profile: args.source_profile.clone(),
        target_profile: args.target_profile.clone(),
        source_role: args.source_role.clone(),
        target_role: args.target_role.clone(),
        trustees,
        policy_arns,
        inline,
        external_id,
        max_session: max_session as i32,
        profile_name,
        write_config: args.write_config,
        dry_run: args.dry_run,
        delete: args.delete,
        adopt: args.adopt,
        emit,
        session: SessionActions {
            tags: args.allow_session_tags,
            source_identity: args.allow_source_identity,
        },
    })
}

/// The inline policy name for a file: its stem, mapped to IAM's charset.
fn inline_policy_name(file: &Path) -> String {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(128)
        .collect();
    if name.is_empty() {
        name.push_str("policy");
    }
    name
}

/// A random external id (128 bits from the OS RNG, hex).
pub fn random_external_id() -> Result<String, Error> {
    let mut buf = [0u8; 16];
    getrandom::fill(&mut buf)
        .map_err(|e| Error::Runtime(format!("cannot read the OS random number generator: {e}")))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// The role ARNs of the pair at path `/`, where bootstrap creates roles. A role that
/// exists already is named by the ARN IAM returns for it (it may have a path).
pub fn role_arns(
    req: &Request,
    partition: &str,
    account_b: &str,
    account_a: &str,
) -> (String, String) {
    (
        format!("arn:{partition}:iam::{account_b}:role/{}", req.source_role),
        format!("arn:{partition}:iam::{account_a}:role/{}", req.target_role),
    )
}

/// What the request asks both accounts to hold, with role B at `b_arn` and role A at
/// `a_arn`.
pub fn desired(
    req: &Request,
    partition: &str,
    account_b: &str,
    (b_arn, a_arn): (&str, &str),
    external_id: Option<&str>,
) -> Desired {
    Desired {
        source_name: req.source_role.clone(),
        source_arn: b_arn.to_string(),
        source_trust: policy::source_trust(&req.trustees, partition, account_b),
        source_permissions: policy::source_permissions(a_arn, req.session),
        instance_profile: req.trustees.contains(&Trustee::Ec2),
        target_name: req.target_role.clone(),
        target_arn: a_arn.to_string(),
        target_trust: policy::target_trust(b_arn, external_id, req.session),
        target_max_session: req.max_session,
        target_attached: req.policy_arns.clone(),
        target_inline: req.inline.clone(),
    }
}

#[cfg(test)]
mod tests;
