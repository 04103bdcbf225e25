//! Flags + the profile file + an environment snapshot -> validated `Settings`.
//!
//! Pure: the profile file is passed in as `Profiles` (loaded by aws-config's own parser in
//! `aws::profile`), the environment as `EnvSnapshot`. Nothing here reads the disk, the
//! clock or the network, so every rule is covered by table tests and a bad input is
//! rejected before any network call.

pub mod session;
mod source;

pub use source::Source;

use crate::arn::{self, RoleArn};
use crate::cli::RoleArgs;
use crate::error::Error;
use crate::expiry;
use std::collections::BTreeMap;

/// Default session length (STS's own default).
pub const DEFAULT_DURATION: u32 = 3600;
/// botocore refreshes at 15 minutes left (advisory) and re-runs a helper on every call
/// below that, so cached credentials are served only with more than this left.
pub const DEFAULT_MARGIN: u32 = 900;
/// STS's global endpoint region, used when no region is configured anywhere and the
/// source is not the instance profile.
pub const DEFAULT_STS_REGION: &str = "us-east-1";

/// The profiles of the AWS config and credentials files: name -> key -> value.
#[derive(Clone, Debug, Default)]
pub struct Profiles {
    pub profiles: BTreeMap<String, BTreeMap<String, String>>,
    /// Where the config file is, for error messages.
    pub config_file: String,
}

impl Profiles {
    fn get(&self, name: &str) -> Option<&BTreeMap<String, String>> {
        self.profiles.get(name)
    }
}

/// The environment variables that change what xacct does.
#[derive(Clone, Debug, Default)]
pub struct EnvSnapshot {
    pub user: Option<String>,
    pub host: Option<String>,
    pub aws_region: Option<String>,
    pub aws_default_region: Option<String>,
    pub endpoint_url: Option<String>,
    pub endpoint_url_sts: Option<String>,
    pub aws_profile: Option<String>,
    /// Only the key id (never the secret): it tells default-chain sources apart.
    pub aws_access_key_id: Option<String>,
    /// AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE as given: other files can hold
    /// other source credentials under the same profile name.
    pub aws_config_file: Option<String>,
    pub aws_shared_credentials_file: Option<String>,
}

/// Everything needed to get credentials for one role, validated.
#[derive(Clone, Debug)]
pub struct Settings {
    pub role: RoleArn,
    pub source: Source,
    pub external_id: Option<String>,
    pub session_name: String,
    /// DurationSeconds sent to STS (after clamping for role chaining).
    pub duration: u32,
    /// STS region: the configured one, else `DEFAULT_STS_REGION`, which the instance's
    /// region replaces on a cache miss when `instance_region` says so.
    pub region: String,
    /// No region is configured and the source is the instance profile: like every SDK on
    /// EC2, call STS in the instance's region (read from IMDS, on a cache miss only).
    pub instance_region: bool,
    /// The region when one was configured (exec sets AWS_REGION only then).
    pub configured_region: Option<String>,
    /// STS endpoint override (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, profile endpoint_url).
    pub endpoint: Option<String>,
    pub margin: u32,
    /// Below the margin a failed refresh still serves the cached credentials while more
    /// than this (seconds) is left; always below `margin`.
    pub min_validity: u32,
    pub no_cache: bool,
    /// The profile named by --profile, if any.
    pub profile: Option<String>,
    /// Warnings to print once on stderr (e.g. a clamped duration).
    pub warnings: Vec<String>,
    /// MFA device the role requires (part of the cache key). With one, the role is
    /// assumed from an MFA session (GetSessionToken), which the code is needed for.
    pub mfa_serial: Option<String>,
    /// How long that MFA session lasts (DurationSeconds of GetSessionToken).
    pub mfa_session_duration: u32,
    /// Whether a missing MFA code may be asked for on /dev/tty. `exec --server` clears it
    /// once the command owns the terminal.
    pub mfa_prompt: bool,
    /// The MFA code from --token-code. Not part of the cache key (it changes every 30 s);
    /// without it the code is asked for on /dev/tty, only on a cache miss.
    pub token_code: Option<crate::creds::Secret>,
    pub source_identity: Option<String>,
    /// Session tags, sorted by key.
    pub tags: Vec<(String, String)>,
    /// The access key id of the source credentials when `credential_source = Environment`
    /// reads them from AWS_ACCESS_KEY_ID (not a secret): two jobs with different keys
    /// must not share a cached session.
    pub environment_key_id: Option<String>,
    /// AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, when set.
    pub config_file: Option<String>,
    pub credentials_file: Option<String>,
}

/// Resolves the role options. Precedence: flags, then the profile, then the environment.
pub fn resolve(args: &RoleArgs, profiles: &Profiles, env: &EnvSnapshot) -> Result<Settings, Error> {
    let empty = BTreeMap::new();
    let profile = match &args.profile {
        Some(name) => profiles.get(name).ok_or_else(|| {
            Error::config(format!(
                "profile {:?} not found in {}; check the name or set AWS_CONFIG_FILE",
                arn::truncate(name, 64),
                profiles.config_file
            ))
        })?,
        None => &empty,
    };
    let from_profile = |key: &str| {
        profile
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let pname = args.profile.as_deref().unwrap_or("");
    // A bad value names the profile it came from; a bad flag is a usage error.
    let blame = |in_profile: bool| {
        move |msg: String| {
            if in_profile {
                Error::in_profile(pname, msg)
            } else {
                Error::Usage(msg)
            }
        }
    };

    let (role_str, role_in_profile) = match (&args.role_arn, from_profile("role_arn")) {
        (Some(flag), _) => (flag.as_str(), false),
        (None, Some(v)) => (v, true),
        (None, None) if args.profile.is_some() => {
            return Err(Error::in_profile(
                pname,
                "it has no role_arn; add role_arn = arn:aws:iam::<account>:role/<name> to it or pass --role-arn",
            ));
        }
        (None, None) => {
            return Err(Error::Usage(
                "no role to assume; pass --profile NAME (a profile with role_arn) or --role-arn ARN".into(),
            ));
        }
    };
    let role = RoleArn::parse(role_str).map_err(blame(role_in_profile))?;

    let (source, chained) = source::resolve(args, profile, pname, profiles, env)?;

    let external_id = args
        .external_id
        .as_deref()
        .or(from_profile("external_id"))
        .map(|id| arn::check_external_id(id).map(|()| id.to_string()))
        .transpose()
        .map_err(blame(args.external_id.is_none()))?;

    let session_name = match args
        .session_name
        .as_deref()
        .or(from_profile("role_session_name"))
    {
        Some(name) => {
            arn::check_session_name(name).map_err(blame(args.session_name.is_none()))?;
            name.to_string()
        }
        None => default_session_name(env.user.as_deref(), env.host.as_deref()),
    };

    let mut duration = match (&args.duration, from_profile("duration_seconds")) {
        (Some(d), _) => expiry::parse_duration(d).map_err(Error::Usage)?,
        (None, Some(d)) => d.parse::<u32>().map_err(|_| {
            Error::in_profile(
                pname,
                format!(
                    "duration_seconds = {:?}; use a whole number of seconds (900-43200)",
                    arn::truncate(d, 40)
                ),
            )
        })?,
        (None, None) => DEFAULT_DURATION,
    };
    expiry::check_duration(duration).map_err(blame(args.duration.is_none()))?;

    let margin = match &args.refresh_margin {
        Some(m) => expiry::parse_duration(m).map_err(Error::Usage)?,
        None => DEFAULT_MARGIN,
    };

    // An empty XACCT_MIN_VALIDITY means the default, as an unset one does.
    let min_validity = match args.min_validity.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => {
            let m = expiry::parse_duration(m)
                .map_err(|e| Error::Usage(format!("--min-validity (XACCT_MIN_VALIDITY): {e}")))?;
            if m >= margin {
                return Err(Error::Usage(format!(
                    "minimum validity {m}s must be shorter than the refresh margin {margin}s; lower --min-validity (XACCT_MIN_VALIDITY) or raise --refresh-margin"
                )));
            }
            m
        }
        // A margin at or below the default minimum leaves no grace window.
        None => expiry::DEFAULT_MIN_VALIDITY.min(margin),
    };

    let session = session::resolve(args, &from_profile, pname)?;

    let mut warnings = Vec::new();
    if chained && duration > expiry::CHAINED_MAX_DURATION {
        warnings.push(format!(
            "duration {duration}s clamped to 3600s: the source credentials ({}) are a role session, and STS caps chained role sessions at 1 hour",
            source.describe()
        ));
        duration = expiry::CHAINED_MAX_DURATION;
    } else if session.mfa_serial.is_some() && duration > expiry::CHAINED_MAX_DURATION {
        // The role is assumed from the MFA session's temporary credentials: chained.
        warnings.push(format!(
            "duration {duration}s clamped to 3600s: with mfa_serial the role is assumed from an MFA session, and STS caps such chained sessions at 1 hour"
        ));
        duration = expiry::CHAINED_MAX_DURATION;
    }
    if margin >= duration {
        return Err(Error::Usage(format!(
            "refresh margin {margin}s must be shorter than the session duration {duration}s; lower --refresh-margin or raise --duration"
        )));
    }
    if session.mfa_serial.is_some() && margin >= session.mfa_session_duration {
        return Err(Error::Usage(format!(
            "refresh margin {margin}s must be shorter than the MFA session duration {}s; lower --refresh-margin or raise --mfa-session-duration",
            session.mfa_session_duration
        )));
    }

    let configured_region = args
        .region
        .clone()
        .or_else(|| env.aws_region.clone())
        .or_else(|| from_profile("region").map(str::to_string))
        .or_else(|| env.aws_default_region.clone())
        .filter(|r| !r.is_empty());
    if let Some(r) = &configured_region {
        let from_profile_only = args.region.is_none() && env.aws_region.is_none();
        check_region(r).map_err(blame(from_profile_only && from_profile("region").is_some()))?;
    }
    let region = configured_region
        .clone()
        .unwrap_or_else(|| DEFAULT_STS_REGION.into());
    let instance_region = configured_region.is_none() && source == Source::Ec2InstanceMetadata;

    let endpoint = env
        .endpoint_url_sts
        .clone()
        .or_else(|| env.endpoint_url.clone())
        .or_else(|| from_profile("endpoint_url").map(str::to_string))
        .filter(|e| !e.is_empty());

    let environment_key_id = match source {
        Source::Environment => env.aws_access_key_id.clone(),
        _ => None,
    };

    Ok(Settings {
        role,
        source,
        external_id,
        session_name,
        duration,
        region,
        instance_region,
        configured_region,
        endpoint,
        margin,
        min_validity,
        no_cache: args.no_cache,
        profile: args.profile.clone(),
        warnings,
        mfa_serial: session.mfa_serial,
        mfa_session_duration: session.mfa_session_duration,
        mfa_prompt: true,
        token_code: session.token_code,
        source_identity: session.source_identity,
        tags: session.tags,
        environment_key_id,
        config_file: env.aws_config_file.clone(),
        credentials_file: env.aws_shared_credentials_file.clone(),
    })
}

/// Regions are lowercase letters, digits and dashes (`us-east-1`, `cn-north-1`).
fn check_region(r: &str) -> Result<(), String> {
    let ok = r.len() <= 32
        && r.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && r.contains('-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "region {:?} is not an AWS region (expected something like us-east-1)",
            arn::truncate(r, 40)
        ))
    }
}

/// `xacct-<user>@<host>`, mapped to STS's charset and cut to 64 characters, so a session
/// is traceable in CloudTrail to the host and account that made it.
pub fn default_session_name(user: Option<&str>, host: Option<&str>) -> String {
    let user = user.filter(|u| !u.is_empty()).unwrap_or("unknown");
    let host = host.filter(|h| !h.is_empty()).unwrap_or("unknown");
    arn::sanitize_session_name(&format!("xacct-{user}@{host}"))
}

#[cfg(test)]
mod tests;
