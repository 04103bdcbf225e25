//! STS AssumeRole behind a narrow trait, and its SDK adapter. Thin: the request in, the
//! credentials or an `AwsFailure` out. The logic around the call (the role-chaining retry,
//! the error wording) is the provider's (`provider::assume`).

use super::config::{self, Target};
use super::failure::{AwsFailure, sdk_failure};
use crate::creds::{Credentials, Secret};
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

/// The one STS call the provider needs.
pub trait Sts {
    fn assume_role(
        &self,
        req: &AssumeRoleRequest,
    ) -> impl Future<Output = Result<Credentials, AwsFailure>>;

    /// True when the source credentials are known to be a role session (the instance
    /// profile's), so STS caps the new session at one hour.
    fn source_is_role_session(&self) -> bool {
        false
    }
}

/// The SDK adapter. Thin: builds the request, converts the answer.
pub struct SdkSts {
    client: aws_sdk_sts::Client,
    resolved: Where,
}

/// Where the adapter calls, as resolved when it was made.
pub struct Where {
    pub region: String,
    pub from_instance: bool,
    /// The instance's region was wanted but IMDS did not give it.
    pub region_missing: bool,
}

impl SdkSts {
    /// A client for `t` (region, endpoint, source credentials). Fails only when the
    /// source credentials had to be loaded up front (see `config::load_resolving`).
    pub async fn new(t: &Target<'_>) -> Result<SdkSts, AwsFailure> {
        let r = config::load_resolving(t).await?;
        Ok(SdkSts {
            client: aws_sdk_sts::Client::new(&r.config),
            resolved: Where {
                region: r.region,
                from_instance: r.from_instance,
                region_missing: r.region_missing,
            },
        })
    }

    pub fn resolved(&self) -> &Where {
        &self.resolved
    }
}

impl Sts for SdkSts {
    fn source_is_role_session(&self) -> bool {
        self.resolved.from_instance
    }

    async fn assume_role(&self, req: &AssumeRoleRequest) -> Result<Credentials, AwsFailure> {
        let tags = req
            .tags
            .iter()
            .map(|(k, v)| aws_sdk_sts::types::Tag::builder().key(k).value(v).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| AwsFailure::other("BadTag", e.to_string()))?;
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
        let bad =
            |what: &str| AwsFailure::other("BadResponse", format!("STS answered without {what}"));
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
