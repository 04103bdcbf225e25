//! STS GetCallerIdentity with given credentials (for `whoami`), behind a narrow trait.
//!
//! The client signs with the temporary credentials alone (`SourceCredentials::Fixed`):
//! the point is to show what *those* credentials act as.

use super::config::{self, SourceCredentials, Target, Timeouts};
use super::failure::{AwsFailure, sdk_failure};
use crate::creds::Credentials;
use std::future::Future;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

/// The one call whoami needs.
pub trait Identity {
    fn caller_identity(&self) -> impl Future<Output = Result<CallerIdentity, AwsFailure>>;
}

pub struct SdkIdentity {
    client: aws_sdk_sts::Client,
}

impl SdkIdentity {
    /// A client for STS in `region` (at `endpoint` when set) signing with `c`.
    pub async fn new(c: &Credentials, region: &str, endpoint: Option<&str>) -> SdkIdentity {
        let t = Target {
            region,
            instance_region: false,
            endpoint,
            credentials: SourceCredentials::Fixed(c),
            timeouts: Timeouts::CREDENTIALS,
        };
        SdkIdentity {
            client: aws_sdk_sts::Client::new(&config::load(&t).await),
        }
    }
}

impl Identity for SdkIdentity {
    async fn caller_identity(&self) -> Result<CallerIdentity, AwsFailure> {
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
