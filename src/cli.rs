//! Command-line definitions (clap derive types only). Values stay raw strings here;
//! `settings` validates them, so every check lives in one pure, tested place.

use clap::{Args, Parser, Subcommand};

mod bootstrap;
pub mod fast;
mod help;

pub use bootstrap::{BootstrapArgs, EmitFormat};

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
    long_about = help::XACCT,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Credential cache store (auto tries the Secret Service, then the kernel keyring).
    #[arg(
        long,
        global = true,
        env = "XACCT_KEYRING",
        value_name = "STORE",
        value_parser = KeyringParser,
        default_value = "auto"
    )]
    pub keyring: StoreKind,

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
    #[command(long_about = help::CREDENTIAL_PROCESS)]
    CredentialProcess(CredentialProcessArgs),
    /// Run a command with the role's credentials (static env vars, or a local endpoint with --server).
    #[command(long_about = help::EXEC)]
    Exec(ExecArgs),
    /// Create, check, update or delete the cross-account role pair: role B in the source
    /// account, role A in the target account trusting it (stdout: the config snippet).
    #[command(long_about = help::BOOTSTRAP)]
    Bootstrap(BootstrapArgs),
    /// Print credentials for the role as JSON, env lines, sh exports, an ini block or PowerShell.
    #[command(long_about = help::EXPORT)]
    Export(ExportArgs),
    /// Show who the role's credentials act as (GetCallerIdentity) and when they expire.
    #[command(long_about = help::WHOAMI)]
    Whoami(WhoamiArgs),
    /// List or clear cached credentials (never shows a secret).
    #[command(long_about = help::CACHE)]
    Cache(CacheArgs),
    /// Check every link from this host to the role, in order, and name the fix for each
    /// one that fails (stdout: the report).
    #[command(long_about = help::DOCTOR)]
    Doctor(DoctorArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) on stdout.
    #[command(long_about = help::COMPLETIONS)]
    Completions(CompletionsArgs),
}

/// The `--keyring` / `XACCT_KEYRING` choice. Only this platform's stores parse.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StoreKind {
    #[default]
    Auto,
    #[cfg_attr(not(target_os = "linux"), value(skip))]
    SecretService,
    #[cfg_attr(not(target_os = "linux"), value(skip))]
    Keyutils,
    #[cfg_attr(not(target_os = "macos"), value(skip))]
    Keychain,
    #[cfg_attr(not(windows), value(skip))]
    CredentialManager,
    None,
}

/// Parses `--keyring` as the `StoreKind` value enum, except that an empty
/// `XACCT_KEYRING=` means the default (`auto`), as an unset one does.
#[derive(Clone)]
struct KeyringParser;

impl clap::builder::TypedValueParser for KeyringParser {
    type Value = StoreKind;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<StoreKind, clap::Error> {
        if value.is_empty() {
            return Ok(StoreKind::Auto);
        }
        clap::builder::EnumValueParser::<StoreKind>::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        use clap::ValueEnum;
        Some(Box::new(
            StoreKind::value_variants()
                .iter()
                .filter_map(StoreKind::to_possible_value),
        ))
    }
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
pub struct DoctorArgs {
    #[command(flatten)]
    pub role: RoleArgs,

    /// Print one JSON array of {check, status, detail, fix} instead of text.
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

    /// Internal: run as the child of `exec --server` process PID (set the parent-death
    /// signal, then replace this process with the command). Not for people.
    #[arg(long, value_name = "PID", hide = true)]
    pub child_of: Option<u32>,

    /// Internal, with --child-of: make this process group the terminal's foreground
    /// group before starting the command.
    #[arg(long, hide = true, requires = "child_of")]
    pub take_terminal: bool,

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
    ///
    /// Flags override the profile's values. The files are ~/.aws/config and
    /// ~/.aws/credentials, or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Role to assume (arn:aws:iam::<account>:role/<name>).
    ///
    /// Required, from this flag or the profile key role_arn: arn:aws:iam::<12
    /// digits>:role/[path/]<name>, in the aws, aws-cn or aws-us-gov partition.
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,

    /// Profile whose credentials assume the role (default: the profile's source_profile or
    /// credential_source, else the SDK's default chain).
    ///
    /// The SDK's default chain tries the environment, the profile, web identity, ECS and
    /// EC2. On EC2, credential_source = Ec2InstanceMetadata names the instance profile.
    #[arg(long, value_name = "NAME")]
    pub source_profile: Option<String>,

    /// External id the role's trust policy requires (profile key external_id).
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,

    /// Role session name (profile key role_session_name; default: xacct-<user>@<host>).
    #[arg(long, value_name = "NAME")]
    pub session_name: Option<String>,

    /// Session duration: seconds, or 15m, 1h, 12h (900s..12h; default 1h).
    ///
    /// Profile key duration_seconds; e.g. 3600, 15m, 1h30m. The role's MaxSessionDuration
    /// must allow it. When the source credentials are a role session (on EC2, the instance
    /// profile), STS caps the session at one hour: a longer duration is clamped to 3600
    /// seconds, with a warning.
    #[arg(long, value_name = "D")]
    pub duration: Option<String>,

    /// Region of the STS endpoint (default: AWS_REGION, the profile's region, AWS_DEFAULT_REGION;
    /// else the instance's region for an EC2 instance-profile source; else us-east-1).
    ///
    /// A region that is configured (flag, environment or profile; not the instance's region
    /// or the us-east-1 fallback) also goes to exec's command and into export's output.
    /// With no region configured and the instance profile as the source
    /// (credential_source = Ec2InstanceMetadata, or the default chain on EC2), STS is called
    /// in the instance's region, read from the instance metadata service (IMDSv2) on a
    /// cache miss only, as every AWS SDK does on EC2.
    #[arg(long, value_name = "R")]
    pub region: Option<String>,

    /// Refresh cached credentials when less than this is left (default 15m).
    ///
    /// Cached credentials are served only while more than this is left. The default is 15m
    /// because botocore re-runs a credential_process helper on every call once 15 minutes
    /// or less are left.
    #[arg(long, value_name = "D")]
    pub refresh_margin: Option<String>,

    /// While STS fails, keep serving cached credentials with more than this left (default 10m).
    ///
    /// Inside the refresh margin xacct tries to refresh. When that fails with an AWS or
    /// network error and the cached credentials still have more than this left, they are
    /// served with one warning (exit 0), and STS is not asked again for 30 seconds (the
    /// failure time is kept next to the key's lock file); below it, the failure is the
    /// answer. This is botocore's rule (15-minute advisory and 10-minute mandatory refresh
    /// windows). The default is 10m, or the refresh margin when that is shorter; a value
    /// must be shorter than the margin.
    #[arg(long, value_name = "D", env = "XACCT_MIN_VALIDITY")]
    pub min_validity: Option<String>,

    /// Neither read nor write the credential cache (every call assumes the role).
    #[arg(long)]
    pub no_cache: bool,

    /// MFA device ARN or serial the role requires (profile key mfa_serial).
    ///
    /// On a cache miss xacct then needs the device's code: --token-code, or asked on the
    /// terminal. The serial is part of the cache key.
    #[arg(long, value_name = "ARN")]
    pub mfa_serial: Option<String>,

    /// How long an MFA session (GetSessionToken) lasts: the code is needed once per
    /// session, and every role session is assumed from it (profile key
    /// mfa_session_duration; 15m..36h, default 12h).
    #[arg(long, value_name = "D")]
    pub mfa_session_duration: Option<String>,

    /// The MFA device's current 6-digit code; without it xacct asks on /dev/tty, and only
    /// when the cache cannot answer. Never read from stdin.
    ///
    /// A run without a terminal (cron, CI) that needs a code and has none fails at once
    /// with exit 2. The code is not part of the cache key.
    #[arg(long, value_name = "CODE", value_parser = secret_arg)]
    pub token_code: Option<crate::creds::Secret>,

    /// SourceIdentity to set on the session (profile key source_identity).
    ///
    /// 2 to 64 letters, digits and _+=,.@- characters. The role's trust policy must allow
    /// sts:SetSourceIdentity (`xacct bootstrap --allow-source-identity` adds it).
    #[arg(long, value_name = "ID")]
    pub source_identity: Option<String>,

    /// Session tag KEY=VALUE, repeatable (profile key session_tags = K1=V1,K2=V2; a flag
    /// replaces the profile's tag of the same key).
    ///
    /// At most 50 tags, checked against the STS limits before any call. The role's trust
    /// policy must allow sts:TagSession (`xacct bootstrap --allow-session-tags` adds it).
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
}

/// Keeps the token code boxed from the moment clap parses it.
fn secret_arg(s: &str) -> Result<crate::creds::Secret, String> {
    Ok(crate::creds::Secret::new(s))
}
