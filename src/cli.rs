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
    /// Run a command with the role's credentials (static env vars, or a local endpoint with --server).
    Exec(ExecArgs),
}

#[derive(Args, Debug)]
pub struct CredentialProcessArgs {
    #[command(flatten)]
    pub role: RoleArgs,
}

#[derive(Args, Debug)]
pub struct ExecArgs {
    #[command(flatten)]
    pub role: RoleArgs,

    /// Serve refreshing credentials to the command from a local endpoint (ECS container
    /// protocol on 127.0.0.1) instead of fixed environment variables; for jobs that may
    /// outlive one session.
    #[arg(long)]
    pub server: bool,

    /// Run even inside another `xacct exec` (XACCT_ROLE_ARN set), which is refused by
    /// default.
    #[arg(long)]
    pub allow_nested: bool,

    /// The command and its arguments, after `--` (default: $SHELL, when stdin is a terminal).
    #[arg(value_name = "CMD", trailing_var_arg = true, value_parser = clap::value_parser!(std::ffi::OsString))]
    pub command: Vec<std::ffi::OsString>,
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
