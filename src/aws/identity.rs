//! GetCallerIdentity with the assumed credentials (for `whoami`).
//!
//! The client is built from the temporary credentials alone (no profile files, no default
//! chain): the point is to show what *those* credentials act as.

use super::sts::{FailureKind, StsFailure, sdk_failure};
use crate::creds::Credentials;
use crate::error::Error;
use crate::settings::Settings;
use std::future::Future;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

/// The one call whoami needs.
pub trait Identity {
    fn caller_identity(&self) -> impl Future<Output = Result<CallerIdentity, StsFailure>>;
}

pub struct SdkIdentity {
    client: aws_sdk_sts::Client,
}

impl SdkIdentity {
    pub fn new(c: &Credentials, s: &Settings) -> SdkIdentity {
        use aws_sdk_sts::config::{BehaviorVersion, Region, timeout::TimeoutConfig};
        use std::time::Duration;
        let creds = aws_credential_types::Credentials::new(
            c.access_key_id.clone(),
            c.secret_access_key.expose().to_string(),
            Some(c.session_token.expose().to_string()),
            Some(c.expiration.into()),
            "xacct",
        );
        let mut conf = aws_sdk_sts::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(s.region.clone()))
            .credentials_provider(creds)
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_millis(3100))
                    .operation_timeout(Duration::from_secs(30))
                    .build(),
            );
        if let Some(ep) = &s.endpoint {
            conf = conf.endpoint_url(ep);
        }
        SdkIdentity {
            client: aws_sdk_sts::Client::from_conf(conf.build()),
        }
    }
}

impl Identity for SdkIdentity {
    async fn caller_identity(&self) -> Result<CallerIdentity, StsFailure> {
        let out = self
            .client
            .get_caller_identity()
            .send()
            .await
            .map_err(sdk_failure)?;
        Ok(CallerIdentity {
            account: out.account().unwrap_or_default().to_string(),
            arn: out.arn().unwrap_or_default().to_string(),
            user_id: out.user_id().unwrap_or_default().to_string(),
        })
    }
}

/// Turns a failure into one line naming the fix.
pub fn describe(f: &StsFailure, s: &Settings) -> Error {
    let role = s.role.as_str();
    match (f.kind, f.code.as_str()) {
        (
            FailureKind::Service,
            "ExpiredToken" | "ExpiredTokenException" | "InvalidClientTokenId",
        ) => Error::Aws(format!(
            "the credentials for {role} were rejected by STS ({}: {}); they may have been revoked: run `xacct cache clear` with the same role options and retry",
            f.code, f.message
        )),
        (FailureKind::Unreachable, _) => Error::Aws(format!(
            "cannot reach STS at {} ({}); check the network, the region or AWS_ENDPOINT_URL",
            s.endpoint
                .clone()
                .unwrap_or_else(|| format!("region {}", s.region)),
            f.message
        )),
        _ => Error::Aws(format!(
            "STS GetCallerIdentity with the credentials for {role} failed: {}: {}",
            f.code, f.message
        )),
    }
}

/// Calls GetCallerIdentity on a runtime started only now.
pub fn caller_identity_blocking(c: &Credentials, s: &Settings) -> Result<CallerIdentity, Error> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Runtime(format!("cannot start runtime: {e}")))?;
    rt.block_on(async {
        SdkIdentity::new(c, s)
            .caller_identity()
            .await
            .map_err(|f| describe(&f, s))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::RoleArgs;
    use crate::settings::{EnvSnapshot, Profiles, resolve};

    #[test]
    fn failures_name_the_fix() {
        let s = resolve(
            &RoleArgs {
                role_arn: Some("arn:aws:iam::111111111111:role/r".into()),
                ..RoleArgs::default()
            },
            &Profiles::default(),
            &EnvSnapshot::default(),
        )
        .unwrap();
        let f = |kind, code: &str| StsFailure {
            kind,
            code: code.into(),
            message: "m".into(),
        };
        let table = [
            (f(FailureKind::Service, "ExpiredToken"), "xacct cache clear"),
            (f(FailureKind::Unreachable, "Dispatch"), "cannot reach STS"),
            (f(FailureKind::Service, "Throttling"), "GetCallerIdentity"),
        ];
        for (failure, want) in table {
            let e = describe(&failure, &s);
            assert_eq!(e.exit_code(), 1);
            assert!(e.to_string().contains(want), "{e}");
        }
    }
}
