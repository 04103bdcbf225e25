//! STS AssumeRole and GetSessionToken behind a narrow trait, and its SDK adapter. Thin:
//! the request in, the credentials or an `AwsFailure` out. The logic around the call (the role-chaining retry,
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
    pub source_identity: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// What GetSessionToken is asked for: an MFA session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionTokenRequest {
    pub duration: u32,
    pub serial_number: String,
    /// The MFA code; boxed so a `{:?}` of the request never shows it.
    pub token_code: Secret,
}

/// The STS calls the provider needs.
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

    fn get_session_token(
        &self,
        req: &SessionTokenRequest,
    ) -> impl Future<Output = Result<Credentials, AwsFailure>>;
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
            .set_source_identity(req.source_identity.clone())
            .set_tags((!tags.is_empty()).then_some(tags))
            .send()
            .await
            .map_err(sdk_failure)?;
        let account_id = crate::arn::RoleArn::parse(&req.role_arn)
            .map(|a| a.account().to_string())
            .unwrap_or_default();
        let mut c = convert(out.credentials(), account_id)?;
        c.assumed_role_arn = out.assumed_role_user().map(|u| u.arn().to_string());
        Ok(c)
    }

    async fn get_session_token(
        &self,
        req: &SessionTokenRequest,
    ) -> Result<Credentials, AwsFailure> {
        let out = self
            .client
            .get_session_token()
            .duration_seconds(req.duration as i32)
            .serial_number(&req.serial_number)
            .token_code(req.token_code.expose())
            .send()
            .await
            .map_err(sdk_failure)?;
        // The session acts as the source's own account, which only STS knows; it is never
        // served, so none is recorded.
        convert(out.credentials(), String::new())
    }
}

fn convert(
    c: Option<&aws_sdk_sts::types::Credentials>,
    account_id: String,
) -> Result<Credentials, AwsFailure> {
    let bad = |what: &str| AwsFailure::other("BadResponse", format!("STS answered without {what}"));
    let c = c.ok_or_else(|| bad("credentials"))?;
    let exp = c.expiration();
    let expiration = DateTime::from_timestamp(exp.secs(), exp.subsec_nanos())
        .ok_or_else(|| bad("a valid expiration"))?;
    Ok(Credentials {
        access_key_id: c.access_key_id().to_string(),
        secret_access_key: Secret::new(c.secret_access_key()),
        session_token: Secret::new(c.session_token()),
        expiration,
        account_id,
        assumed_role_arn: None,
    })
}
