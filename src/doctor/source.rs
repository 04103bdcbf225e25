//! The `source` check: where the source credentials come from (and, for the instance
//! profile, whether IMDSv2 gives a token), and who they act as. Pure: judges `Facts`.

use super::Finding;
use super::remote::{Facts, Imds, SourceFact, Via};
use crate::aws::failure::{AwsFailure, FailureKind};
use crate::settings::{Settings, Source};
use chrono::{DateTime, Utc};

const CHECK: &str = "source";

/// For a container on EC2 the token PUT needs two hops; the default hop limit is 1.
pub const HOP_LIMIT_FIX: &str = "in a container on EC2 the IMDSv2 token PUT needs a hop limit of 2: aws ec2 modify-instance-metadata-options --instance-id <id> --http-put-response-hop-limit 2 --http-endpoint enabled; otherwise check that this host is an EC2 instance with the metadata service enabled";

pub fn judge(s: &Settings, f: &Facts, now: DateTime<Utc>) -> Vec<Finding> {
    let mut out = vec![];
    let chain = matches!(s.source, Source::DefaultChain { .. });
    if let Some(imds) = &f.imds {
        // Off EC2 the default chain finds IMDS missing as a matter of course.
        let quiet = chain && matches!(imds, Imds::Unreachable(_) | Imds::Disabled);
        if !quiet {
            out.push(judge_imds(imds));
        }
    }
    let from = origin(s);
    match &f.source {
        SourceFact::NotLoaded => out.push(Finding::skip(
            CHECK,
            format!("credentials from {from} not loaded: IMDSv2 gave no token"),
        )),
        SourceFact::Failed(failure) => out.push(Finding::fail(
            CHECK,
            format!(
                "no source credentials from {from} ({})",
                crate::arn::truncate(&failure.message, 200)
            ),
            missing_fix(s),
        )),
        SourceFact::Loaded(l) => {
            // aws-config tags a role assumed through the profile chain as the profile's
            // own keys; the caller ARN tells them apart.
            let role_session =
                matches!(&f.call.result, Ok(id) if id.arn.contains(":assumed-role/"));
            let v = match l.via {
                Via::ProfileKeys if role_session => Via::ProfileRole,
                v => v,
            };
            let what = format!("{} ({from})", via(v));
            let expired = l.expires.filter(|e| *e <= now);
            match (&f.call.result, expired) {
                (_, Some(at)) => out.push(Finding::fail(
                    CHECK,
                    format!("the {what} expired at {}", crate::output::rfc3339(at)),
                    refresh_fix(s),
                )),
                (Ok(id), None) => {
                    let until = l
                        .expires
                        .map(|e| format!(", valid until {}", crate::output::rfc3339(e)))
                        .unwrap_or_default();
                    out.push(Finding::ok(
                        CHECK,
                        format!(
                            "{what}: acting as {} in account {}{until}",
                            id.arn, id.account
                        ),
                    ));
                }
                (Err(e), None) => out.push(rejected(s, &what, e)),
            }
        }
    }
    out
}

fn judge_imds(imds: &Imds) -> Finding {
    match imds {
        Imds::Answered { role: Some(r) } => Finding::ok(
            CHECK,
            format!("IMDSv2 gives a token; instance profile role {r:?}"),
        ),
        Imds::Answered { role: None } => Finding::fail(
            CHECK,
            "IMDSv2 gives a token but the instance has no instance profile role",
            "attach an instance profile to the instance (aws ec2 associate-iam-instance-profile)",
        ),
        Imds::Disabled => Finding::fail(
            CHECK,
            "AWS_EC2_METADATA_DISABLED=true: no SDK asks the instance metadata service",
            "unset AWS_EC2_METADATA_DISABLED, or use source_profile instead of credential_source",
        ),
        Imds::TokenTimedOut => Finding::fail(
            CHECK,
            "the IMDSv2 token PUT timed out (connected, no answer)",
            HOP_LIMIT_FIX,
        ),
        Imds::Unreachable(why) => Finding::fail(
            CHECK,
            format!("cannot reach the instance metadata service for an IMDSv2 token ({why})"),
            HOP_LIMIT_FIX,
        ),
        Imds::Status(code) => Finding::fail(
            CHECK,
            format!(
                "the instance metadata service answered HTTP {code} instead of an IMDSv2 token or role"
            ),
            "check the instance's metadata options (aws ec2 describe-instances --query 'Reservations[].Instances[].MetadataOptions'): HttpEndpoint enabled, and HttpTokens optional or required",
        ),
        Imds::Other(why) => Finding::fail(
            CHECK,
            format!("the instance metadata service did not give an IMDSv2 token ({why})"),
            HOP_LIMIT_FIX,
        ),
    }
}

/// Where the settings say the source credentials come from.
pub fn origin(s: &Settings) -> String {
    match &s.source {
        Source::Profile(p) => format!("profile {p:?}"),
        Source::Environment => "the environment".into(),
        Source::Ec2InstanceMetadata => "the EC2 instance profile".into(),
        Source::EcsContainer => "the container endpoint".into(),
        Source::DefaultChain { .. } => "the SDK's default chain".into(),
    }
}

fn via(v: Via) -> &'static str {
    match v {
        Via::Environment => "keys in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
        Via::ProfileKeys => "static keys",
        Via::ProfileRole => "role session the profile chain assumed",
        Via::Process => "credentials from credential_process",
        Via::Sso => "SSO credentials",
        Via::WebIdentity => "web identity credentials",
        Via::Container => "container credentials",
        Via::InstanceProfile => "instance profile credentials",
        Via::Unknown => "credentials",
    }
}

fn missing_fix(s: &Settings) -> String {
    match &s.source {
        Source::Profile(p) => format!(
            "give profile {p:?} credentials: aws_access_key_id and aws_secret_access_key in {} (or credential_process / sso_session), or point source_profile at a profile that has them",
            s.credentials_file
                .as_deref()
                .unwrap_or("~/.aws/credentials")
        ),
        Source::Environment => {
            "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (credential_source = Environment)".into()
        }
        Source::Ec2InstanceMetadata => {
            "attach an instance profile to this instance, or use source_profile".into()
        }
        Source::EcsContainer => {
            "run in an ECS task with a task role (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI), or use source_profile".into()
        }
        Source::DefaultChain { .. } => {
            "set source_profile or credential_source in the profile, or pass --source-profile".into()
        }
    }
}

fn refresh_fix(s: &Settings) -> String {
    match &s.source {
        Source::Profile(p) => format!(
            "refresh the credentials of profile {p:?} (new keys, `aws sso login`, or a new session in that profile)"
        ),
        _ => format!("refresh the credentials in {}", origin(s)),
    }
}

/// GetCallerIdentity refused the loaded credentials, or could not be made.
fn rejected(s: &Settings, what: &str, e: &AwsFailure) -> Finding {
    let msg = crate::aws::failure::one_line(&e.message);
    match (e.kind, e.code.as_str()) {
        (FailureKind::Unreachable, _) => Finding::skip(
            CHECK,
            format!("{what} loaded but not verified: STS did not answer (see the sts check)"),
        ),
        (FailureKind::Service, "ExpiredToken" | "ExpiredTokenException") => Finding::fail(
            CHECK,
            format!("the {what} have expired (STS: {msg})"),
            refresh_fix(s),
        ),
        (
            FailureKind::Service,
            "InvalidClientTokenId" | "SignatureDoesNotMatch" | "UnrecognizedClientException",
        ) => Finding::fail(
            CHECK,
            format!("STS rejects the {what} ({}: {msg})", e.code),
            match &s.source {
                Source::Profile(p) => format!(
                    "check the keys of profile {p:?}: deleted, deactivated or mistyped (and see the clock check)"
                ),
                _ => format!(
                    "check the credentials in {} (and see the clock check)",
                    origin(s)
                ),
            },
        ),
        (FailureKind::NoSourceCredentials, _) => Finding::fail(
            CHECK,
            format!("no source credentials from {} ({msg})", origin(s)),
            missing_fix(s),
        ),
        _ => Finding::warn(
            CHECK,
            format!(
                "{what} loaded; GetCallerIdentity failed ({}: {msg})",
                e.code
            ),
            "see the sts check; retry later",
        ),
    }
}

#[cfg(test)]
mod tests;
