//! Command-line definitions (clap derive types only). Values stay raw strings here;
//! `settings` validates them, so every check lives in one pure, tested place.

use clap::{Args, Parser, Subcommand};

/// `--version` also names the keyring stores compiled in and the git commit it was built
/// from (set by build.rs, empty outside a checkout).
macro_rules! version {
    ($stores:literal) => {
        concat!(
            env!("CARGO_PKG_VERSION"),
            " (keyring stores: ",
            $stores,
            env!("XACCT_VERSION_COMMIT"),
            ")"
        )
    };
}
#[cfg(target_os = "linux")]
const VERSION: &str = version!("secret-service, keyutils");
#[cfg(target_os = "macos")]
const VERSION: &str = version!("keychain");
#[cfg(windows)]
const VERSION: &str = version!("credential-manager");
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
const VERSION: &str = version!("none");

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

    /// More detail on stderr: -v says what happens, -vv also why the cache missed (RUST_LOG overrides).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Print no warnings, only errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print credentials for the role in the AWS credential_process format (stdout: JSON only).
    CredentialProcess(CredentialProcessArgs),
    /// Run a command with the role's credentials (static env vars, or a local endpoint with --server).
    Exec(ExecArgs),
    /// Create, check, update or delete the cross-account role pair: role B in the source
    /// account, role A in the target account trusting it (stdout: the config snippet).
    Bootstrap(BootstrapArgs),
    /// Print credentials for the role as JSON, env lines, sh exports, an ini block or PowerShell.
    Export(ExportArgs),
    /// Show who the role's credentials act as (GetCallerIdentity) and when they expire.
    Whoami(WhoamiArgs),
    /// List or clear cached credentials (never shows a secret).
    Cache(CacheArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) on stdout.
    Completions(CompletionsArgs),
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub role: RoleArgs,

    /// Output format: json (the credential_process document), env (KEY=value), export-env
    /// (sh `export KEY='value'`), ini (a credentials-file profile), powershell ($Env:KEY = '...').
    #[arg(long, value_enum, default_value = "json")]
    pub format: ExportFormat,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Env,
    ExportEnv,
    Ini,
    Powershell,
}

#[derive(Args, Debug)]
pub struct WhoamiArgs {
    #[command(flatten)]
    pub role: RoleArgs,

    /// Print one JSON object (Account, Arn, UserId, Expiration, FromCache, Store).
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct CacheArgs {
    #[command(subcommand)]
    pub command: CacheCommand,
}

// Parsed once per run: the size difference of the variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum CacheCommand {
    /// One row per cached entry: role ARN, session name, source, expiry, store.
    List(CacheListArgs),
    /// Delete the entry of the given role options, or every indexed entry with --all.
    Clear(CacheClearArgs),
}

#[derive(Args, Debug)]
pub struct CacheListArgs {
    /// Print a JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct CacheClearArgs {
    /// Delete every entry the index knows of, from every store.
    #[arg(long)]
    pub all: bool,

    #[command(flatten)]
    pub role: RoleArgs,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
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
    /// external_id, role_session_name, duration_seconds, region, mfa_serial,
    /// source_identity and session_tags from.
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

    /// MFA device ARN or serial the role requires (profile key mfa_serial).
    #[arg(long, value_name = "ARN")]
    pub mfa_serial: Option<String>,

    /// The MFA device's current 6-digit code; without it xacct asks on /dev/tty, and only
    /// when the cache cannot answer. Never read from stdin.
    #[arg(long, value_name = "CODE", value_parser = secret_arg)]
    pub token_code: Option<crate::creds::Secret>,

    /// SourceIdentity to set on the session (profile key source_identity).
    #[arg(long, value_name = "ID")]
    pub source_identity: Option<String>,

    /// Session tag KEY=VALUE, repeatable (profile key session_tags = K1=V1,K2=V2; a flag
    /// replaces the profile's tag of the same key).
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
}

/// Keeps the token code boxed from the moment clap parses it.
fn secret_arg(s: &str) -> Result<crate::creds::Secret, String> {
    Ok(crate::creds::Secret::new(s))
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
