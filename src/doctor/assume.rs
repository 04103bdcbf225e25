//! The `assume` check: one AssumeRole, not cached, and each failure mapped to its likely
//! causes, in order, with the fix. Pure: judges `Facts`.

use super::Finding;
use super::policy::{self, Verdict};
use super::remote::{AssumeFact, Facts, PolicyFact, SourceFact};
use crate::aws::failure::{AwsFailure, FailureKind, one_line};
use crate::settings::Settings;

const CHECK: &str = "assume";

pub fn judge(s: &Settings, f: &Facts) -> Vec<Finding> {
    let role = s.role.as_str();
    match &f.assume {
        AssumeFact::NotTried => vec![Finding::skip(CHECK, not_tried(f))],
        AssumeFact::NeedsCode(serial) => vec![Finding::warn(
            CHECK,
            format!("not tried: {role} needs an MFA code from {serial}, and doctor never prompts"),
            "rerun with --token-code CODE to include the AssumeRole",
        )],
        AssumeFact::Done {
            result,
            notes,
            policies,
        } => {
            let mut out = vec![];
            match result {
                Ok(a) => out.push(Finding::ok(
                    CHECK,
                    format!(
                        "assumed {role} as {}, valid until {} (not cached)",
                        a.arn.as_deref().unwrap_or("-"),
                        crate::output::rfc3339(a.expiration)
                    ),
                )),
                Err(e) => out.push(Finding::fail(
                    CHECK,
                    format!(
                        "AssumeRole on {role} with credentials from {} failed: {}: {}",
                        super::source::origin(s),
                        e.code,
                        one_line(&e.message)
                    ),
                    causes(s, f, e),
                )),
            }
            for n in notes {
                out.push(Finding::warn(
                    CHECK,
                    n.clone(),
                    "set duration_seconds (or --duration) to 3600 or less",
                ));
            }
            if let Some(p) = policies {
                out.push(judge_policies(role, p));
            }
            out
        }
    }
}

fn not_tried(f: &Facts) -> String {
    match (&f.source, &f.call.result) {
        (SourceFact::Loaded(_), Err(e)) if e.kind == FailureKind::Unreachable => {
            "not tried: STS did not answer (see the sts check)".into()
        }
        _ => "not tried: there are no working source credentials (see the source check)".into(),
    }
}

/// The likely causes of a failure, in order, each with its fix.
fn causes(s: &Settings, f: &Facts, e: &AwsFailure) -> String {
    let role = s.role.as_str();
    let msg = one_line(&e.message);
    let caller = match &f.call.result {
        Ok(id) => principal(&id.arn),
        Err(_) => super::source::origin(s),
    };
    let list = |items: Vec<String>| {
        let n: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(i, c)| format!("({}) {c}", i + 1))
            .collect();
        format!("likely causes, in order: {}", n.join("; "))
    };
    match (e.kind, e.code.as_str()) {
        (FailureKind::Service, "AccessDenied") if msg.contains("MultiFactorAuthentication") => {
            "MFA failed: retry with the device's current code (each code works once)".into()
        }
        (FailureKind::Service, "AccessDenied") => {
            let mut c = vec![format!(
                "the trust policy of {role} does not name the source {caller}: add it as Principal (a role deleted and re-created must be written into the trust policy again; xacct bootstrap does it)"
            )];
            c.push(match &s.external_id {
                Some(_) => "the external id does not match the trust policy's sts:ExternalId condition: compare external_id in the profile with the condition (doctor never prints it)".into(),
                None => "the trust policy requires an external id (sts:ExternalId) and none is set: add external_id to the profile".into(),
            });
            c.push(match &s.mfa_serial {
                Some(serial) => format!("the trust policy's MFA condition is not met by the session from {serial}: check aws:MultiFactorAuthPresent/Age there"),
                None => "the trust policy requires MFA (aws:MultiFactorAuthPresent): set mfa_serial in the profile and pass --token-code".into(),
            });
            c.push(format!(
                "the source's own policies lack sts:AssumeRole on {role}: add it (see the next line)"
            ));
            if !s.tags.is_empty() {
                c.push("session tags need sts:TagSession in the trust policy and the source's permissions (xacct bootstrap --allow-session-tags)".into());
            }
            if s.source_identity.is_some() {
                c.push("a source identity needs sts:SetSourceIdentity in the trust policy and the source's permissions (xacct bootstrap --allow-source-identity)".into());
            }
            list(c)
        }
        (FailureKind::Service, "ValidationError") if msg.contains("MaxSessionDuration") => format!(
            "the session duration {}s is above the role's MaxSessionDuration: lower duration_seconds, or raise it: aws iam update-role --role-name {} --max-session-duration {}",
            s.duration,
            s.role.name(),
            s.duration
        ),
        (FailureKind::Service, "ValidationError") if msg.contains("chaining") => {
            "the source is a role session, and role chaining caps sessions at 1 hour: set duration_seconds = 3600".into()
        }
        (FailureKind::Service, "RegionDisabledException") => format!(
            "STS is not activated in {} for the source account: activate it (IAM console, Account settings, STS regions) or pass --region with an active region",
            s.region
        ),
        (FailureKind::Service, "ExpiredToken" | "ExpiredTokenException") => {
            "the source credentials have expired: refresh them (see the source check)".into()
        }
        (
            FailureKind::Service,
            "InvalidClientTokenId" | "SignatureDoesNotMatch" | "UnrecognizedClientException",
        ) => "STS refuses the source credentials: see the source and clock checks".into(),
        (FailureKind::Service, "PackedPolicyTooLarge") => {
            "the session tags are too large: pass fewer or shorter --tag values".into()
        }
        (FailureKind::Unreachable, _) => "STS stopped answering: see the sts check".into(),
        _ => {
            let text = crate::provider::assume::describe(e, s).to_string();
            text.split_once("; ")
                .map(|(_, fix)| fix.to_string())
                .unwrap_or(text)
        }
    }
}

/// The IAM principal a caller ARN stands for: an assumed role's session is its role.
fn principal(caller_arn: &str) -> String {
    match super::remote::source_role(caller_arn) {
        Some(role) => {
            let parts: Vec<&str> = caller_arn.splitn(6, ':').collect();
            format!("arn:{}:iam::{}:role/{role}", parts[1], parts[4])
        }
        None => caller_arn.to_string(),
    }
}

fn judge_policies(role: &str, p: &PolicyFact) -> Finding {
    match p {
        PolicyFact::Read { role: b, docs } => {
            let mut verdicts = vec![];
            for (name, raw) in docs {
                let v = crate::bootstrap::policy::decode_document(raw)
                    .map(|d| policy::assume_verdict(&d, role))
                    .unwrap_or(Verdict::NotAllowed);
                verdicts.push((name, v));
            }
            if let Some((name, _)) = verdicts.iter().find(|(_, v)| *v == Verdict::Denied) {
                return Finding::fail(
                    CHECK,
                    format!("role {b}'s inline policy {name:?} denies sts:AssumeRole on {role}"),
                    format!("remove that Deny from {name:?}"),
                );
            }
            match verdicts.iter().find(|(_, v)| *v == Verdict::Allowed) {
                Some((name, _)) => Finding::ok(
                    CHECK,
                    format!(
                        "role {b}'s inline policy {name:?} allows sts:AssumeRole on {role}, so cause 4 is unlikely (conditions not evaluated)"
                    ),
                ),
                None => Finding::warn(
                    CHECK,
                    format!(
                        "none of role {b}'s {} inline policies allows sts:AssumeRole on {role} (managed policies not read)",
                        docs.len()
                    ),
                    format!(
                        "allow sts:AssumeRole on {role} in role {b}'s policy, or check its managed policies: aws iam list-attached-role-policies --role-name {b}"
                    ),
                ),
            }
        }
        PolicyFact::Failed { role: b, failure } => Finding::warn(
            CHECK,
            format!(
                "cannot read role {b}'s inline policies to check cause 4 ({}: {})",
                failure.code,
                one_line(&failure.message)
            ),
            format!(
                "in the source account, check that role {b}'s policies (aws iam list-role-policies / list-attached-role-policies --role-name {b}) allow sts:AssumeRole on {role}"
            ),
        ),
    }
}

#[cfg(test)]
mod tests;
