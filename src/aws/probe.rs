//! The SDK adapter for `doctor::remote::Remote`. Thin: IMDS's token PUT through
//! aws-config's own IMDS client (one attempt, short timeouts), the source credentials
//! through the provider the settings name (`provider::assume::target`), one
//! GetCallerIdentity that records where it went and the answer's `Date` header (an SDK
//! interceptor), STS through the provider's own adapter, and a source role's inline
//! policies. No cache is read or written.

use super::config::{self, SourceCredentials, Target, Timeouts};
use super::failure::{AwsFailure, FailureKind, credentials_failure, one_line, sdk_failure};
use super::identity::CallerIdentity;
use super::sts::SdkSts;
use crate::creds::Credentials;
use crate::doctor::remote::{Imds, Loaded, Proxy, Remote, StsCall, Via};
use crate::settings::Settings;
use aws_credential_types::provider::ProvideCredentials;
use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Shorter than the credential helpers' own: an operator is waiting for the report.
const TIMEOUTS: Timeouts = Timeouts {
    attempt: Duration::from_secs(5),
    operation: Duration::from_secs(15),
};
/// A token PUT that a hop limit of 1 drops never comes back; the SDKs wait 1 s too.
const IMDS_TIMEOUT: Duration = Duration::from_secs(1);

pub struct SdkRemote<'a> {
    s: &'a Settings,
    loaded: Option<(aws_config::SdkConfig, aws_credential_types::Credentials)>,
}

impl<'a> SdkRemote<'a> {
    pub fn new(s: &'a Settings) -> SdkRemote<'a> {
        SdkRemote { s, loaded: None }
    }

    fn target<'b>(&'b self, mfa_session: Option<&'b Credentials>) -> Target<'b> {
        Target {
            timeouts: TIMEOUTS,
            ..crate::provider::assume::target(self.s, mfa_session)
        }
    }
}

impl Remote for SdkRemote<'_> {
    type Sts = SdkSts;

    async fn imds(&self) -> Imds {
        let disabled = std::env::var("AWS_EC2_METADATA_DISABLED")
            .is_ok_and(|v| v.trim().eq_ignore_ascii_case("true"));
        if disabled {
            return Imds::Disabled;
        }
        let client = aws_config::imds::Client::builder()
            .max_attempts(1)
            .connect_timeout(IMDS_TIMEOUT)
            .read_timeout(IMDS_TIMEOUT)
            .operation_attempt_timeout(IMDS_TIMEOUT * 2)
            .operation_timeout(IMDS_TIMEOUT * 2)
            .build();
        use aws_config::imds::client::error::ImdsError;
        match client
            .get("/latest/meta-data/iam/security-credentials/")
            .await
        {
            Ok(names) => Imds::Answered {
                role: names
                    .as_ref()
                    .lines()
                    .next()
                    .filter(|r| !r.trim().is_empty())
                    .map(str::to_string),
            },
            Err(ImdsError::ErrorResponse(r)) if r.response().status().as_u16() == 404 => {
                Imds::Answered { role: None }
            }
            Err(ImdsError::ErrorResponse(r)) => Imds::Status(r.response().status().as_u16()),
            Err(e @ ImdsError::FailedToLoadToken(_)) => token_failure(&e),
            Err(e) => Imds::Other(chain(&e)),
        }
    }

    async fn load_source(&mut self) -> Result<Loaded, AwsFailure> {
        let r = config::load_resolving(&self.target(None)).await?;
        let provider = r.config.credentials_provider().ok_or_else(|| AwsFailure {
            kind: FailureKind::NoSourceCredentials,
            code: "NoCredentials".into(),
            message: "no credentials provider".into(),
        })?;
        // A credential_process or SSO source may wait for a person; the SDK's own load
        // timeout belongs to its identity cache, which a direct call bypasses.
        let creds = tokio::time::timeout(TIMEOUTS.operation, provider.provide_credentials())
            .await
            .map_err(|_| AwsFailure {
                kind: FailureKind::NoSourceCredentials,
                code: "Timeout".into(),
                message: format!(
                    "loading them took over {} s (a credential_process or SSO login waiting for input?)",
                    TIMEOUTS.operation.as_secs()
                ),
            })?
            .map_err(|e| credentials_failure(&e))?;
        let loaded = Loaded {
            via: via(&creds),
            access_key_id: creds.access_key_id().to_string(),
            expires: creds.expiry().map(DateTime::<Utc>::from),
            region: r.region.clone(),
        };
        self.loaded = Some((r.config, creds));
        Ok(loaded)
    }

    async fn caller_identity(&self) -> StsCall {
        let (conf, creds) = match &self.loaded {
            Some((conf, creds)) => (conf.clone(), creds.clone()),
            None => {
                // No source credentials: placeholder keys still get an answer (an error)
                // from STS, which says whether it is reachable and what time it is.
                let t = Target {
                    credentials: SourceCredentials::DefaultChain,
                    instance_region: false,
                    ..self.target(None)
                };
                let placeholder = aws_credential_types::Credentials::new(
                    "AKIAXACCTDOCTORPROBE",
                    "placeholder-not-a-key",
                    None,
                    None,
                    "xacct-doctor",
                );
                (config::load(&t).await, placeholder)
            }
        };
        let capture = Capture::default();
        let sts = aws_sdk_sts::config::Builder::from(&conf)
            .credentials_provider(creds)
            .interceptor(capture.clone())
            .build();
        let result = aws_sdk_sts::Client::from_conf(sts)
            .get_caller_identity()
            .send()
            .await
            .map(|out| CallerIdentity {
                account: out.account().unwrap_or_default().to_string(),
                arn: out.arn().unwrap_or_default().to_string(),
                user_id: out.user_id().unwrap_or_default().to_string(),
            })
            .map_err(sdk_failure);
        let seen = capture.0.lock().map(|s| s.clone()).unwrap_or_default();
        let proxy = seen.url.as_deref().map(proxy_for).unwrap_or_default();
        StsCall {
            with_source: self.loaded.is_some(),
            url: seen.url,
            status: seen.status,
            date: seen.date,
            received: seen.received,
            result,
            proxy,
        }
    }

    async fn sts(&self, mfa_session: Option<&Credentials>) -> Result<SdkSts, AwsFailure> {
        SdkSts::new(&self.target(mfa_session)).await
    }

    async fn role_policies(&self, name: &str) -> Result<Vec<(String, String)>, AwsFailure> {
        let Some((conf, creds)) = &self.loaded else {
            return Err(AwsFailure::other("NoCredentials", "no source credentials"));
        };
        let iam = aws_sdk_iam::Client::from_conf(
            aws_sdk_iam::config::Builder::from(conf)
                .credentials_provider(creds.clone())
                .build(),
        );
        let names = iam
            .list_role_policies()
            .role_name(name)
            .send()
            .await
            .map_err(sdk_failure)?;
        let mut docs = vec![];
        // A role has at most a few inline policies; the cap bounds the calls anyway.
        for policy in names.policy_names().iter().take(20) {
            let got = iam
                .get_role_policy()
                .role_name(name)
                .policy_name(policy)
                .send()
                .await
                .map_err(sdk_failure)?;
            docs.push((policy.clone(), got.policy_document().to_string()));
        }
        Ok(docs)
    }
}

/// Which provider answered, from the features aws-config tags its credentials with.
fn via(c: &aws_credential_types::Credentials) -> Via {
    use aws_credential_types::credential_feature::AwsCredentialFeature as F;
    let features = c.get_property::<Vec<F>>().cloned().unwrap_or_default();
    let has = |f: &[F]| f.iter().any(|x| features.contains(x));
    if has(&[F::CredentialsImds]) {
        Via::InstanceProfile
    } else if has(&[F::CredentialsHttp]) {
        Via::Container
    } else if has(&[
        F::CredentialsStsAssumeRoleWebId,
        F::CredentialsEnvVarsStsWebIdToken,
        F::CredentialsProfileStsWebIdToken,
    ]) {
        Via::WebIdentity
    } else if has(&[F::CredentialsSso, F::CredentialsProfileSso]) {
        Via::Sso
    } else if has(&[F::CredentialsProcess, F::CredentialsProfileProcess]) {
        Via::Process
    } else if has(&[
        F::CredentialsStsAssumeRole,
        F::CredentialsProfileSourceProfile,
    ]) {
        Via::ProfileRole
    } else if has(&[F::CredentialsProfile]) {
        Via::ProfileKeys
    } else if has(&[F::CredentialsEnvVars]) {
        Via::Environment
    } else {
        Via::Unknown
    }
}

/// A failed token PUT: connected but no answer (the hop limit), no connection, or an
/// HTTP error.
fn token_failure(e: &aws_config::imds::client::error::ImdsError) -> Imds {
    use aws_config::imds::client::error::TokenError;
    use aws_sdk_sts::config::http::HttpResponse;
    use aws_sdk_sts::error::SdkError;
    let text = chain(e);
    let source = std::error::Error::source(e)
        .and_then(|s| s.downcast_ref::<SdkError<TokenError, HttpResponse>>());
    match source {
        Some(SdkError::ServiceError(se)) => Imds::Status(se.raw().status().as_u16()),
        // The smithy client says which timeout fired: no connection is not a hop limit.
        _ if text.contains("HTTP connect timeout") => {
            Imds::Unreachable("connection timed out".into())
        }
        Some(SdkError::TimeoutError(_)) => Imds::TokenTimedOut,
        Some(SdkError::DispatchFailure(d)) if d.is_timeout() => Imds::TokenTimedOut,
        Some(SdkError::DispatchFailure(d)) if d.is_io() => Imds::Unreachable(text),
        _ => Imds::Other(text),
    }
}

fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    crate::arn::truncate(&one_line(&super::failure::error_chain(e)), 300)
}

/// The proxy the SDK's HTTP client would use for `url`, decided by the same matcher
/// (hyper-util's `Matcher::from_env`: HTTP(S)_PROXY, ALL_PROXY and NO_PROXY in either
/// case, the first one set winning even when empty, HTTP_PROXY ignored under CGI). The
/// variables are read here only to name them.
fn proxy_for(url: &str) -> Proxy {
    use hyper_util::client::proxy::matcher::Matcher;
    let var = |names: [&'static str; 2]| {
        names
            .into_iter()
            .find_map(|n| std::env::var(n).ok().map(|v| (n, v)))
            .filter(|(_, v)| !v.is_empty())
    };
    let cgi = std::env::var_os("REQUEST_METHOD").is_some();
    let (all, http, https, no) = (
        var(["ALL_PROXY", "all_proxy"]),
        var(["HTTP_PROXY", "http_proxy"]).filter(|_| !cgi),
        var(["HTTPS_PROXY", "https_proxy"]),
        var(["NO_PROXY", "no_proxy"]),
    );
    let set: Vec<String> = [&all, &http, &https, &no]
        .into_iter()
        .flatten()
        .map(|(n, _)| n.to_string())
        .collect();
    let Ok(uri) = url.parse::<hyper::Uri>() else {
        return Proxy {
            set,
            ..Proxy::default()
        };
    };
    let scheme_var = match uri.scheme_str() {
        Some("https") => https.or(all),
        _ => http.or(all),
    };
    let used = Matcher::from_env().intercept(&uri).map(|i| {
        let p = i.uri();
        let host = match p.port_u16() {
            Some(port) => format!("{}:{port}", p.host().unwrap_or("?")),
            None => p.host().unwrap_or("?").to_string(),
        };
        let name = scheme_var.as_ref().map(|(n, _)| *n).unwrap_or("ALL_PROXY");
        (name.to_string(), host)
    });
    Proxy {
        bypassed: used.is_none() && scheme_var.is_some(),
        used,
        set,
    }
}

#[derive(Clone, Debug, Default)]
struct Seen {
    url: Option<String>,
    status: Option<u16>,
    date: Option<DateTime<Utc>>,
    received: Option<DateTime<Utc>>,
}

/// Records the request's endpoint and the answer's status and `Date` header (the last
/// attempt's, when the SDK retried).
#[derive(Clone, Debug, Default)]
struct Capture(Arc<Mutex<Seen>>);

impl aws_sdk_sts::config::Intercept for Capture {
    fn name(&self) -> &'static str {
        "xacct-doctor-capture"
    }

    fn read_before_transmit(
        &self,
        ctx: &aws_sdk_sts::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _rc: &aws_sdk_sts::config::RuntimeComponents,
        _cfg: &mut aws_sdk_sts::config::ConfigBag,
    ) -> Result<(), aws_sdk_sts::error::BoxError> {
        let uri = ctx.request().uri();
        let url = uri.split_once('?').map_or(uri, |(u, _)| u).to_string();
        if let Ok(mut s) = self.0.lock() {
            s.url = Some(url);
        }
        Ok(())
    }

    fn read_before_deserialization(
        &self,
        ctx: &aws_sdk_sts::config::interceptors::BeforeDeserializationInterceptorContextRef<'_>,
        _rc: &aws_sdk_sts::config::RuntimeComponents,
        _cfg: &mut aws_sdk_sts::config::ConfigBag,
    ) -> Result<(), aws_sdk_sts::error::BoxError> {
        let r = ctx.response();
        let date = r
            .headers()
            .get("date")
            .and_then(|d| DateTime::parse_from_rfc2822(d).ok())
            .map(|d| d.with_timezone(&Utc));
        if let Ok(mut s) = self.0.lock() {
            s.status = Some(r.status().as_u16());
            s.date = date;
            s.received = Some(Utc::now());
        }
        Ok(())
    }
}
