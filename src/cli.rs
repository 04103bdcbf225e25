//! Command-line definitions (clap derive types only). Values stay raw strings here;
//! `settings` validates them, so every check lives in one pure, tested place.

use clap::{Args, Parser, Subcommand};

/// `--version` also names the keyring stores compiled in.
#[cfg(target_os = "linux")]
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (keyring stores: secret-service, keyutils)"
);
#[cfg(target_os = "macos")]
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (keyring stores: keychain)");
#[cfg(windows)]
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (keyring stores: credential-manager)"
);
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (keyring stores: none)");

#[derive(Parser, Debug)]
#[command(
    name = "xacct",
    version = VERSION,
    about = "AWS cross-account access: assume a role in another account, cache the credentials in the OS keyring",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Credential cache store: auto, secret-service, keyutils or none.
    #[arg(long, global = true, env = "XACCT_KEYRING", value_name = "STORE")]
    pub keyring: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print credentials for the role in the AWS credential_process format (stdout: JSON only).
    CredentialProcess(CredentialProcessArgs),
    /// Create, check, update or delete the cross-account role pair: role B in the source
    /// account, role A in the target account trusting it (stdout: the config snippet).
    Bootstrap(BootstrapArgs),
}

#[derive(Args, Debug)]
pub struct CredentialProcessArgs {
    #[command(flatten)]
    pub role: RoleArgs,
}

/// The options that say which role to assume and how; shared by every command that
/// needs credentials. Flags override the profile's values.
#[derive(Args, Debug, Default, Clone)]
pub struct RoleArgs {
    /// Profile of the AWS config file to read role_arn, source_profile, credential_source,
    /// external_id, role_session_name, duration_seconds and region from.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Role to assume (arn:aws:iam::<account>:role/<name>).
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,

    /// Profile whose credentials assume the role (default: the profile's source_profile or
    /// credential_source, else the SDK's default chain).
    #[arg(long, value_name = "NAME")]
    pub source_profile: Option<String>,

    /// External id the role's trust policy requires.
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,

    /// Role session name (default: xacct-<user>@<host>).
    #[arg(long, value_name = "NAME")]
    pub session_name: Option<String>,

    /// Session duration: seconds, or 15m, 1h, 12h (900s..12h; default 1h).
    #[arg(long, value_name = "D")]
    pub duration: Option<String>,

    /// Region of the STS endpoint (default: AWS_REGION, the profile's region, AWS_DEFAULT_REGION, us-east-1).
    #[arg(long, value_name = "R")]
    pub region: Option<String>,

    /// Refresh cached credentials when less than this is left (default 15m).
    #[arg(long, value_name = "D")]
    pub refresh_margin: Option<String>,

    /// Neither read nor write the credential cache.
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Args, Debug)]
pub struct BootstrapArgs {
    /// Profile with admin credentials for account B (where the source role lives).
    #[arg(long, value_name = "NAME")]
    pub source_profile: String,

    /// Profile with admin credentials for account A (where the target role lives).
    #[arg(long, value_name = "NAME")]
    pub target_profile: String,

    /// Name of the source role (role B) in account B.
    #[arg(long, value_name = "NAME", default_value = "xacct-source")]
    pub source_role: String,

    /// Name of the target role (role A) in account A.
    #[arg(long, value_name = "NAME", default_value = "xacct-target")]
    pub target_role: String,

    /// Who may assume the source role: ec2 (also creates an instance profile), lambda,
    /// account (account B's root) or an IAM principal ARN; repeatable (default ec2).
    #[arg(long, value_name = "WHO")]
    pub source_trust: Vec<String>,

    /// Managed policy to attach to the target role; repeatable.
    #[arg(long, value_name = "ARN")]
    pub target_policy_arn: Vec<String>,

    /// Inline permission policy (JSON) for the target role, named after the file; repeatable.
    #[arg(long, value_name = "FILE")]
    pub target_policy_file: Vec<std::path::PathBuf>,

    /// External id role A's trust requires; `auto` keeps the current one or generates one.
    #[arg(long, value_name = "ID|auto")]
    pub external_id: Option<String>,

    /// The target role's MaxSessionDuration (1h..12h; default 1h).
    #[arg(long, value_name = "D")]
    pub max_session_duration: Option<String>,

    /// Profile name used in the printed config (default: the target role name).
    #[arg(long, value_name = "NAME")]
    pub profile_name: Option<String>,

    /// Also add or update those profiles in the AWS config file.
    #[arg(long)]
    pub write_config: bool,

    /// Print the plan and the policy documents; change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Remove the pair (policies, instance profile, both roles); only what xacct manages.
    #[arg(long)]
    pub delete: bool,

    /// Take over existing roles that lack the xacct:managed tag (and tag them).
    #[arg(long)]
    pub adopt: bool,
}
