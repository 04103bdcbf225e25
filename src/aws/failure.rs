//! Why an AWS call failed, without a secret: the failure type every SDK adapter returns,
//! and the one function that classifies an SDK error into it (STS and IAM share smithy's
//! error types).

/// Why AWS did not do what was asked. Holds no secret: only error metadata (code and
/// message) and the Display text of the SDK's error chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsFailure {
    pub kind: FailureKind,
    /// The AWS error code (`AccessDenied`, `ExpiredToken`, ...) or a short description.
    pub code: String,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// AWS answered with an error.
    Service,
    /// The endpoint could not be reached (connection refused, timeout, DNS).
    Unreachable,
    /// No source credentials could be found.
    NoSourceCredentials,
    Other,
}

impl AwsFailure {
    pub fn other(code: &str, message: impl Into<String>) -> AwsFailure {
        AwsFailure {
            kind: FailureKind::Other,
            code: code.into(),
            message: message.into(),
        }
    }
}

/// The text on one line (AWS messages may hold newlines).
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Classifies an SDK error. Only error metadata and the error chain's text are kept.
pub fn sdk_failure<E>(
    e: aws_sdk_sts::error::SdkError<E, aws_sdk_sts::config::http::HttpResponse>,
) -> AwsFailure
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    use aws_sdk_sts::error::SdkError;
    let text = one_line(&error_chain(&e));
    match &e {
        // A 5xx (or a proxy's error page) has no AWS error code: name the HTTP status.
        SdkError::ServiceError(se) => AwsFailure {
            kind: FailureKind::Service,
            code: se
                .err()
                .code()
                .map(str::to_string)
                .unwrap_or_else(|| format!("HTTP {}", se.raw().status().as_u16())),
            message: se.err().message().unwrap_or("").to_string(),
        },
        _ if is_credentials_error(&e) => AwsFailure {
            kind: FailureKind::NoSourceCredentials,
            code: "NoCredentials".into(),
            message: shorten(&text),
        },
        SdkError::TimeoutError(_) => AwsFailure {
            kind: FailureKind::Unreachable,
            code: "Timeout".into(),
            message: "timed out".into(),
        },
        SdkError::DispatchFailure(d) if d.is_io() || d.is_timeout() => AwsFailure {
            kind: FailureKind::Unreachable,
            code: "Dispatch".into(),
            message: shorten(&text),
        },
        _ => AwsFailure {
            kind: FailureKind::Other,
            code: "Sdk".into(),
            message: shorten(&text),
        },
    }
}

/// Classifies a failure to load the source credentials outside an SDK call.
pub fn credentials_failure(
    e: &aws_credential_types::provider::error::CredentialsError,
) -> AwsFailure {
    AwsFailure {
        kind: FailureKind::NoSourceCredentials,
        code: "NoCredentials".into(),
        message: shorten(&one_line(&error_chain(e))),
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
pub(super) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
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
