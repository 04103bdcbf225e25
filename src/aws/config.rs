//! The one SDK-config builder: region, endpoint override, timeouts and source credentials
//! for every SDK client xacct makes (STS for AssumeRole and whoami, IAM for bootstrap).

use super::failure::{AwsFailure, credentials_failure};
use aws_config::BehaviorVersion;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::provider::ProvideCredentials;
use std::time::Duration;

/// Where the credentials that sign the calls come from.
pub enum SourceCredentials<'a> {
    /// One profile's credentials (its whole chain, resolved by aws-config).
    Profile(&'a str),
    /// Everything of one profile, credentials and settings alike (bootstrap's admin
    /// profiles, which may use any kind of credentials the SDK supports).
    WholeProfile(&'a str),
    Environment,
    InstanceMetadata,
    Container,
    DefaultChain,
    /// Fixed temporary credentials (whoami: what *those* credentials act as).
    Fixed(&'a crate::creds::Credentials),
}

/// How long a call may take.
#[derive(Clone, Copy)]
pub struct Timeouts {
    pub attempt: Duration,
    pub operation: Duration,
}

impl Timeouts {
    /// For getting credentials: well under the Go SDK's one-minute limit for a
    /// credential_process helper.
    pub const CREDENTIALS: Timeouts = Timeouts {
        attempt: Duration::from_secs(10),
        operation: Duration::from_secs(30),
    };
    /// For bootstrap's IAM calls, which an operator waits for.
    pub const ADMIN: Timeouts = Timeouts {
        attempt: Duration::from_secs(20),
        operation: Duration::from_secs(60),
    };
}

/// What a client is for.
pub struct Target<'a> {
    pub region: &'a str,
    /// No region is configured: when the source credentials are the EC2 instance
    /// profile's, call in the instance's region (from IMDS), as every SDK does on EC2,
    /// instead of `region`. Used by `load_resolving` only.
    pub instance_region: bool,
    /// An explicit endpoint; `None` leaves `AWS_ENDPOINT_URL*` to the SDK.
    pub endpoint: Option<&'a str>,
    pub credentials: SourceCredentials<'a>,
    pub timeouts: Timeouts,
}

/// Loads the SDK config for `t`.
pub async fn load(t: &Target<'_>) -> aws_config::SdkConfig {
    loader(t, t.region).load().await
}

/// An SDK config, and what loading it found out about the source credentials.
pub struct Resolved {
    pub config: aws_config::SdkConfig,
    /// Where the calls go: the instance's region when it was wanted and found.
    pub region: String,
    /// The source credentials are the instance profile's: a role session, so a role
    /// assumed with them lasts at most one hour.
    pub from_instance: bool,
    /// The instance's region was wanted but IMDS did not give it; `region` is `t.region`.
    pub region_missing: bool,
}

/// Loads the SDK config for `t`, reading the instance's region from IMDS when
/// `t.instance_region` asks for it and the source credentials are the instance profile's.
/// Slow (IMDS, the credential chain): for cache misses only.
pub async fn load_resolving(t: &Target<'_>) -> Result<Resolved, AwsFailure> {
    let instance_source = matches!(t.credentials, SourceCredentials::InstanceMetadata);
    let resolved = |config, region: Option<String>, from_instance| Resolved {
        config,
        region_missing: region.is_none(),
        region: region.unwrap_or_else(|| t.region.to_string()),
        from_instance,
    };
    if !t.instance_region {
        return Ok(resolved(
            load(t).await,
            Some(t.region.to_string()),
            instance_source,
        ));
    }
    match t.credentials {
        SourceCredentials::InstanceMetadata => {
            // One client, so the region and the credentials share one IMDSv2 token.
            let imds = aws_config::imds::Client::builder().build();
            let region = instance_region(&imds).await;
            let provider = aws_config::imds::credentials::ImdsCredentialsProvider::builder()
                .imds_client(imds)
                .build();
            let r = region.as_deref().unwrap_or(t.region);
            let config = loader(t, r).credentials_provider(provider).load().await;
            Ok(resolved(config, region, true))
        }
        SourceCredentials::DefaultChain => {
            // Which link of the chain answers is known only once it has: resolve the
            // credentials first, then ask IMDS for the region only if they came from it
            // (off EC2, probing IMDS would cost seconds).
            let chain =
                aws_config::default_provider::credentials::DefaultCredentialsChain::builder()
                    .region(aws_config::Region::new(t.region.to_string()))
                    .build()
                    .await;
            let creds = chain
                .provide_credentials()
                .await
                .map_err(|e| credentials_failure(&e))?;
            let from_instance = came_from_imds(&creds);
            let region = if from_instance {
                instance_region(&aws_config::imds::Client::builder().build()).await
            } else {
                Some(t.region.to_string())
            };
            let r = region.as_deref().unwrap_or(t.region);
            let config = loader(t, r).credentials_provider(creds).load().await;
            Ok(resolved(config, region, from_instance))
        }
        _ => Ok(resolved(
            load(t).await,
            Some(t.region.to_string()),
            instance_source,
        )),
    }
}

/// The instance's region from IMDS (`/latest/meta-data/placement/region`), honouring
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT` and `AWS_EC2_METADATA_DISABLED`.
async fn instance_region(imds: &aws_config::imds::Client) -> Option<String> {
    aws_config::imds::region::ImdsRegionProvider::builder()
        .imds_client(imds.clone())
        .build()
        .region()
        .await
        .map(|r| r.as_ref().to_string())
}

/// aws-config's IMDS provider tags its credentials with the `CredentialsImds` feature (for
/// its user-agent metrics); the chain gives no other sign of which link answered.
fn came_from_imds(c: &aws_credential_types::Credentials) -> bool {
    use aws_credential_types::credential_feature::AwsCredentialFeature;
    c.get_property::<Vec<AwsCredentialFeature>>()
        .is_some_and(|f| f.contains(&AwsCredentialFeature::CredentialsImds))
}

/// The loader for `t`, calling in `region`.
fn loader(t: &Target<'_>, region: &str) -> aws_config::ConfigLoader {
    let region = aws_config::Region::new(region.to_string());
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(region.clone())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_millis(3100))
                .operation_attempt_timeout(t.timeouts.attempt)
                .operation_timeout(t.timeouts.operation)
                .build(),
        );
    if let Some(ep) = t.endpoint {
        loader = loader.endpoint_url(ep);
    }
    loader = match &t.credentials {
        // A chained source profile calls STS itself and needs the region too.
        SourceCredentials::Profile(p) => loader.credentials_provider(
            aws_config::profile::ProfileFileCredentialsProvider::builder()
                .configure(
                    &aws_config::provider_config::ProviderConfig::default()
                        .with_region(Some(region)),
                )
                .profile_name(*p)
                .build(),
        ),
        SourceCredentials::WholeProfile(p) => loader.profile_name(*p),
        SourceCredentials::Environment => loader.credentials_provider(
            aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
        ),
        SourceCredentials::InstanceMetadata => loader.credentials_provider(
            aws_config::imds::credentials::ImdsCredentialsProvider::builder().build(),
        ),
        SourceCredentials::Container => {
            loader.credentials_provider(aws_config::ecs::EcsCredentialsProvider::builder().build())
        }
        SourceCredentials::DefaultChain => loader,
        SourceCredentials::Fixed(c) => {
            loader.credentials_provider(aws_credential_types::Credentials::new(
                c.access_key_id.clone(),
                c.secret_access_key.expose().to_string(),
                Some(c.session_token.expose().to_string()),
                Some(c.expiration.into()),
                "xacct",
            ))
        }
    };
    loader
}
