//! AssumeRole for the provider: the request built from the settings, the one retry STS
//! forces on us (role chaining the config did not reveal), and every error we expect
//! mapped to one line that names the fix. Written against the `Sts` trait, so all of it
//! is tested with a fake.

use crate::aws::config::{SourceCredentials, Target, Timeouts};
use crate::aws::failure::{AwsFailure, FailureKind, one_line};
use crate::aws::sts::{AssumeRoleRequest, SdkSts, Sts};
use crate::creds::Credentials;
use crate::error::Error;
use crate::expiry::CHAINED_MAX_DURATION;
use crate::settings::{Settings, Source};

/// What AssumeRole is asked for, from the settings.
pub fn request(s: &Settings) -> AssumeRoleRequest {
    AssumeRoleRequest {
        role_arn: s.role.as_str().to_string(),
        session_name: s.session_name.clone(),
        duration: s.duration,
        external_id: s.external_id.clone(),
        source_identity: s.source_identity.clone(),
        tags: s.tags.clone(),
    }
}

/// Where the SDK should call STS, and with which source credentials: the settings'
/// source, or the MFA session (`mfa_session`) when the role needs MFA.
pub fn target<'a>(s: &'a Settings, mfa_session: Option<&'a Credentials>) -> Target<'a> {
    let credentials = match (mfa_session, &s.source) {
        (Some(session), _) => SourceCredentials::Fixed(session),
        (None, Source::Profile(p)) => SourceCredentials::Profile(p),
        (None, Source::Environment) => SourceCredentials::Environment,
        (None, Source::Ec2InstanceMetadata) => SourceCredentials::InstanceMetadata,
        (None, Source::EcsContainer) => SourceCredentials::Container,
        (None, Source::DefaultChain { .. }) => SourceCredentials::DefaultChain,
    };
    // The default chain may land on the instance profile: it decides once it has.
    let chain_without_region =
        s.configured_region.is_none() && matches!(s.source, Source::DefaultChain { .. });
    Target {
        region: &s.region,
        instance_region: s.instance_region || chain_without_region,
        endpoint: s.endpoint.as_deref(),
        credentials,
        timeouts: Timeouts::CREDENTIALS,
    }
}

/// Runs AssumeRole through the SDK on a runtime started only now (cache misses only).
pub fn assume_blocking(
    s: &Settings,
    mfa_session: Option<&Credentials>,
) -> Result<Credentials, Error> {
    crate::rt::block_on(async {
        let sts = SdkSts::new(&target(s, mfa_session))
            .await
            .map_err(|f| describe(&f, s))?;
        let at = sts.resolved();
        if at.region_missing {
            crate::ui::warn(&format!(
                "the instance metadata service did not give the instance's region; calling STS in {} (set region in the profile or AWS_REGION)",
                at.region
            ));
        }
        // Messages name the region STS was really called in.
        let s = Settings {
            region: at.region.clone(),
            ..s.clone()
        };
        assume(&sts, &s, &mut |m| crate::ui::warn(m)).await
    })?
}

/// Assumes the role, retrying once at one hour when STS says the source is a role session
/// (role chaining) that xacct could not detect from the config, e.g. the default chain on
/// EC2. Warnings go to `warn`.
pub async fn assume(
    sts: &impl Sts,
    s: &Settings,
    warn: &mut dyn FnMut(&str),
) -> Result<Credentials, Error> {
    let mut req = request(s);
    if sts.source_is_role_session() && req.duration > CHAINED_MAX_DURATION {
        warn(&format!(
            "duration {}s clamped to 3600s: the source credentials ({}) are the EC2 instance profile's, a role session, and STS caps chained role sessions at 1 hour",
            req.duration,
            s.source.describe()
        ));
        req.duration = CHAINED_MAX_DURATION;
    }
    match sts.assume_role(&req).await {
        Ok(c) => Ok(c),
        Err(f) if is_chaining_limit(&f) && req.duration > CHAINED_MAX_DURATION => {
            warn(&format!(
                "duration {}s clamped to 3600s: STS says the source credentials ({}) are a role session, and chained role sessions last at most 1 hour",
                req.duration,
                s.source.describe()
            ));
            req.duration = CHAINED_MAX_DURATION;
            sts.assume_role(&req).await.map_err(|f| describe(&f, s))
        }
        Err(f) => Err(describe(&f, s)),
    }
}

fn is_chaining_limit(f: &AwsFailure) -> bool {
    f.kind == FailureKind::Service && f.code == "ValidationError" && f.message.contains("chaining")
}

fn source_hint(s: &Settings) -> String {
    match &s.source {
        Source::Profile(p) => format!("profile {p:?}"),
        Source::DefaultChain { .. } => "the default credential chain".into(),
        other => other.describe(),
    }
}

/// Turns a failure into one line naming the role, the source and the fix.
pub fn describe(f: &AwsFailure, s: &Settings) -> Error {
    let role = s.role.as_str();
    let source = source_hint(s);
    let msg = one_line(&f.message);
    match (f.kind, f.code.as_str()) {
        (FailureKind::Service, "AccessDenied") if msg.contains("MultiFactorAuthentication") => {
            Error::Aws(format!(
                "MFA failed for {role} with device {} (STS: {msg}); retry with the device's current code (each code works once)",
                s.mfa_serial.as_deref().unwrap_or("-")
            ))
        }
        (FailureKind::Service, "AccessDenied") => {
            // Tags and a source identity need their own actions in the trust policy (and
            // in the source's permissions); bootstrap adds them when asked.
            let extra = match (s.tags.is_empty(), s.source_identity.is_some()) {
                (true, false) => "",
                (false, false) => {
                    "; session tags also need sts:TagSession in the trust policy and the source's permissions (xacct bootstrap --allow-session-tags adds it)"
                }
                (true, true) => {
                    "; a source identity also needs sts:SetSourceIdentity in the trust policy and the source's permissions (xacct bootstrap --allow-source-identity adds it)"
                }
                (false, true) => {
                    "; session tags and a source identity also need sts:TagSession and sts:SetSourceIdentity in the trust policy and the source's permissions (xacct bootstrap --allow-session-tags --allow-source-identity adds them)"
                }
            };
            let fix = match &s.external_id {
                Some(_) => {
                    "check that its trust policy names the source identity and that external_id matches its sts:ExternalId condition"
                }
                None => {
                    "check that its trust policy names the source identity, and set external_id if it requires one"
                }
            };
            Error::Aws(format!(
                "not allowed to assume {role} with credentials from {source} (STS: {msg}); {fix}{extra}"
            ))
        }
        (FailureKind::Service, "ExpiredToken" | "ExpiredTokenException") => Error::Aws(format!(
            "the source credentials from {source} have expired; refresh them (new keys, `aws sso login`, or a new session) and retry"
        )),
        (
            FailureKind::Service,
            "InvalidClientTokenId" | "SignatureDoesNotMatch" | "UnrecognizedClientException",
        ) => Error::Aws(format!(
            "the source credentials from {source} are not valid (STS: {}: {msg}); check that profile's keys",
            f.code
        )),
        (FailureKind::Service, "RegionDisabledException") => Error::Aws(format!(
            "STS is not activated in region {} for the source account; pass --region with an active region",
            s.region
        )),
        (FailureKind::Service, "ValidationError") if msg.contains("MaxSessionDuration") => {
            Error::Aws(format!(
                "{role} allows shorter sessions than {}s (STS: {msg}); lower --duration or raise the role's MaxSessionDuration",
                s.duration
            ))
        }
        (FailureKind::Service, "PackedPolicyTooLarge") => Error::Aws(format!(
            "the session tags for {role} are too large for STS (STS: {msg}); pass fewer or shorter --tag values"
        )),
        (FailureKind::Service, code) if is_transient(code) => Error::Aws(format!(
            "STS kept failing AssumeRole on {role} ({code}{}{msg}) through the SDK's retries with backoff; retry later, or check the region and AWS_ENDPOINT_URL",
            if msg.is_empty() { "" } else { ": " }
        )),
        (FailureKind::Service, code) => {
            Error::Aws(format!("STS AssumeRole on {role} failed: {code}: {msg}"))
        }
        (FailureKind::Unreachable, _) => Error::Aws(format!(
            "cannot reach STS at {} ({msg}); check the network, the region or AWS_ENDPOINT_URL",
            s.endpoint
                .clone()
                .unwrap_or_else(|| format!("region {}", s.region))
        )),
        (FailureKind::NoSourceCredentials, _) => Error::Aws(format!(
            "could not load source credentials from {source} ({msg}); set source_profile or credential_source in the profile, or pass --source-profile"
        )),
        (FailureKind::Other, _) => Error::Aws(format!("STS AssumeRole on {role} failed: {msg}")),
    }
}

/// Throttling and server-side errors: the SDK retries these itself (standard mode, 3
/// attempts with jittered exponential backoff), so when they reach us they persisted.
fn is_transient(code: &str) -> bool {
    code.starts_with("HTTP 5")
        || matches!(
            code,
            "Throttling"
                | "ThrottlingException"
                | "RequestLimitExceeded"
                | "TooManyRequestsException"
                | "ServiceUnavailable"
                | "InternalFailure"
                | "InternalError"
        )
}

#[cfg(test)]
pub(crate) mod tests;
