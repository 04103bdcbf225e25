//! The one SDK-config builder: region, endpoint override, timeouts and source credentials
//! for every SDK client xacct makes (STS for AssumeRole and whoami, IAM for bootstrap).

use aws_config::BehaviorVersion;
use aws_config::timeout::TimeoutConfig;
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
    /// An explicit endpoint; `None` leaves `AWS_ENDPOINT_URL*` to the SDK.
    pub endpoint: Option<&'a str>,
    pub credentials: SourceCredentials<'a>,
    pub timeouts: Timeouts,
}

/// Loads the SDK config for `t`.
pub async fn load(t: &Target<'_>) -> aws_config::SdkConfig {
    let region = aws_config::Region::new(t.region.to_string());
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
    loader.load().await
}
