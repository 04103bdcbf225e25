//! STS behind a narrow trait, the SDK adapter, and the assume-role logic that maps every
//! error we expect to one line that names the fix.

use crate::creds::{Credentials, Secret};
use crate::error::Error;
use crate::expiry::CHAINED_MAX_DURATION;
use crate::settings::{Settings, Source};
use chrono::DateTime;
use std::future::Future;

/// What AssumeRole is asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumeRoleRequest {
    pub role_arn: String,
    pub session_name: String,
    pub duration: u32,
    pub external_id: Option<String>,
    pub serial_number: Option<String>,
    /// The MFA code; boxed so a `{:?}` of the request never shows it.
    pub token_code: Option<Secret>,
    pub source_identity: Option<String>,
    pub tags: Vec<(String, String)>,
}

impl AssumeRoleRequest {
    pub fn from_settings(s: &Settings) -> AssumeRoleRequest {
        AssumeRoleRequest {
            role_arn: s.role.as_str().to_string(),
            session_name: s.session_name.clone(),
            duration: s.duration,
            external_id: s.external_id.clone(),
            serial_number: s.mfa_serial.clone(),
            token_code: s.token_code.clone(),
            source_identity: s.source_identity.clone(),
            tags: s.tags.clone(),
        }
    }
}

/// Why STS did not hand out credentials. Holds no secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StsFailure {
    pub kind: FailureKind,
    /// The AWS error code (`AccessDenied`, `ExpiredToken`, ...) or a short description.
    pub code: String,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// STS answered with an error.
    Service,
    /// STS could not be reached (connection refused, timeout, DNS).
    Unreachable,
    /// No source credentials could be found.
    NoSourceCredentials,
    Other,
}

/// The one STS call xacct needs.
pub trait Sts {
    fn assume_role(
        &self,
        req: &AssumeRoleRequest,
    ) -> impl Future<Output = Result<Credentials, StsFailure>>;
}

/// Assumes the role, retrying once at one hour when STS says the source is a role session
/// (role chaining) that xacct could not detect from the config, e.g. the default chain on
/// EC2. Warnings go to `warn`.
pub async fn assume(
    sts: &impl Sts,
    s: &Settings,
    warn: &mut dyn FnMut(&str),
) -> Result<Credentials, Error> {
    let mut req = AssumeRoleRequest::from_settings(s);
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

fn is_chaining_limit(f: &StsFailure) -> bool {
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
pub fn describe(f: &StsFailure, s: &Settings) -> Error {
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
            // Tags and a source identity need their own actions in the trust policy.
            let extra = match (s.tags.is_empty(), s.source_identity.is_some()) {
                (true, false) => "",
                (false, false) => "; session tags also need sts:TagSession in the trust policy",
                (true, true) => {
                    "; a source identity also needs sts:SetSourceIdentity in the trust policy"
                }
                (false, true) => {
                    "; session tags and a source identity also need sts:TagSession and sts:SetSourceIdentity in the trust policy"
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

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The SDK adapter. Thin: builds the request, converts the answer.
pub struct SdkSts {
    client: aws_sdk_sts::Client,
}

impl SdkSts {
    /// Loads the SDK config for `s`: region, endpoint override, and the source credentials.
    pub async fn new(s: &Settings) -> SdkSts {
        use aws_config::BehaviorVersion;
        use aws_config::timeout::TimeoutConfig;
        use std::time::Duration;
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(aws_config::Region::new(s.region.clone()))
            // Bounded well under the Go SDK's one-minute limit for a credential_process.
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_millis(3100))
                    .operation_attempt_timeout(Duration::from_secs(10))
                    .operation_timeout(Duration::from_secs(30))
                    .build(),
            );
        if let Some(ep) = &s.endpoint {
            loader = loader.endpoint_url(ep);
        }
        loader = match &s.source {
            // A chained source profile calls STS itself and needs the region too.
            Source::Profile(p) => loader.credentials_provider(
                aws_config::profile::ProfileFileCredentialsProvider::builder()
                    .configure(
                        &aws_config::provider_config::ProviderConfig::default()
                            .with_region(Some(aws_config::Region::new(s.region.clone()))),
                    )
                    .profile_name(p)
                    .build(),
            ),
            Source::Environment => loader.credentials_provider(
                aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
            ),
            Source::Ec2InstanceMetadata => loader.credentials_provider(
                aws_config::imds::credentials::ImdsCredentialsProvider::builder().build(),
            ),
            Source::EcsContainer => loader
                .credentials_provider(aws_config::ecs::EcsCredentialsProvider::builder().build()),
            Source::DefaultChain { .. } => loader,
        };
        let conf = loader.load().await;
        SdkSts {
            client: aws_sdk_sts::Client::new(&conf),
        }
    }
}

impl Sts for SdkSts {
    async fn assume_role(&self, req: &AssumeRoleRequest) -> Result<Credentials, StsFailure> {
        let tags = req
            .tags
            .iter()
            .map(|(k, v)| aws_sdk_sts::types::Tag::builder().key(k).value(v).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StsFailure {
                kind: FailureKind::Other,
                code: "BadTag".into(),
                message: e.to_string(),
            })?;
        let out = self
            .client
            .assume_role()
            .role_arn(&req.role_arn)
            .role_session_name(&req.session_name)
            .duration_seconds(req.duration as i32)
            .set_external_id(req.external_id.clone())
            .set_serial_number(req.serial_number.clone())
            .set_token_code(req.token_code.as_ref().map(|c| c.expose().to_string()))
            .set_source_identity(req.source_identity.clone())
            .set_tags((!tags.is_empty()).then_some(tags))
            .send()
            .await
            .map_err(sdk_failure)?;
        let bad = |what: &str| StsFailure {
            kind: FailureKind::Other,
            code: "BadResponse".into(),
            message: format!("STS answered without {what}"),
        };
        let c = out.credentials().ok_or_else(|| bad("credentials"))?;
        let exp = c.expiration();
        let expiration = DateTime::from_timestamp(exp.secs(), exp.subsec_nanos())
            .ok_or_else(|| bad("a valid expiration"))?;
        let account_id = crate::arn::RoleArn::parse(&req.role_arn)
            .map(|a| a.account().to_string())
            .unwrap_or_default();
        Ok(Credentials {
            access_key_id: c.access_key_id().to_string(),
            secret_access_key: Secret::new(c.secret_access_key()),
            session_token: Secret::new(c.session_token()),
            expiration,
            account_id,
            assumed_role_arn: out.assumed_role_user().map(|u| u.arn().to_string()),
        })
    }
}

/// Classifies an SDK error. Only error metadata and the error chain's text are kept.
pub fn sdk_failure<E>(
    e: aws_sdk_sts::error::SdkError<E, aws_sdk_sts::config::http::HttpResponse>,
) -> StsFailure
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    use aws_sdk_sts::error::SdkError;
    let text = one_line(&error_chain(&e));
    match &e {
        // A 5xx (or a proxy's error page) has no AWS error code: name the HTTP status.
        SdkError::ServiceError(se) => StsFailure {
            kind: FailureKind::Service,
            code: se
                .err()
                .code()
                .map(str::to_string)
                .unwrap_or_else(|| format!("HTTP {}", se.raw().status().as_u16())),
            message: se.err().message().unwrap_or("").to_string(),
        },
        _ if is_credentials_error(&e) => StsFailure {
            kind: FailureKind::NoSourceCredentials,
            code: "NoCredentials".into(),
            message: shorten(&text),
        },
        SdkError::TimeoutError(_) => StsFailure {
            kind: FailureKind::Unreachable,
            code: "Timeout".into(),
            message: "timed out".into(),
        },
        SdkError::DispatchFailure(d) if d.is_io() || d.is_timeout() => StsFailure {
            kind: FailureKind::Unreachable,
            code: "Dispatch".into(),
            message: shorten(&text),
        },
        _ => StsFailure {
            kind: FailureKind::Other,
            code: "Sdk".into(),
            message: shorten(&text),
        },
    }
}

/// True when the SDK failed while loading the source credentials (the error chain holds
/// an `aws_credential_types` `CredentialsError`), not while talking to STS.
fn is_credentials_error(e: &(dyn std::error::Error + 'static)) -> bool {
    use aws_credential_types::provider::error::CredentialsError;
    let mut cur = Some(e);
    while let Some(err) = cur {
        if err.downcast_ref::<CredentialsError>().is_some() {
            return true;
        }
        cur = err.source();
    }
    false
}

/// The Display texts of an error and its sources, without repeats. Debug output is never
/// used: it is long, and nothing guarantees it holds no request details.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = Some(e);
    while let Some(err) = cur {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = err.source();
    }
    parts.join(": ")
}

fn shorten(s: &str) -> String {
    crate::arn::truncate(s, 300)
}

#[cfg(test)]
#[path = "sts_tests.rs"]
mod tests;
