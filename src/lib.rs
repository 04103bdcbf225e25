//! xacct: AWS cross-account access from the command line.
//!
//! A process in account B assumes a role in account A and hands the temporary
//! credentials to any AWS client through `credential_process`, caching them in the OS
//! keyring until shortly before they expire.
//!
//! Pure logic (`arn`, `settings`, `expiry`, `cache_key`, `output`) takes its inputs as
//! values and never touches the network, the clock or the environment; `aws`, `store`,
//! `lock` and `sys` are the thin I/O edges; `provider` joins them.

pub mod arn;
pub mod aws;
pub mod bootstrap;
pub mod cache_index;
pub mod cache_key;
pub mod cli;
pub mod cmd;
pub mod creds;
pub mod error;
pub mod exec_env;
pub mod expiry;
pub mod lock;
pub mod log;
pub mod mfa;
pub mod output;
pub mod policy;
pub mod provider;
pub mod report;
pub mod server;
pub mod session_opts;
pub mod settings;
pub mod store;
pub mod supervise;
pub mod sys;
pub mod ui;

use error::Error;

/// Resolves role options against the real profile files and environment.
pub fn resolve_settings(args: &cli::RoleArgs) -> Result<settings::Settings, Error> {
    let profiles = aws::profile::load()?;
    settings::resolve(args, &profiles, &sys::env_snapshot())
}

/// Runs a parsed command line.
pub fn run(cli: &cli::Cli) -> Result<(), Error> {
    log::init(cli.verbose, cli.quiet);
    let keyring = cli.keyring.as_deref();
    match &cli.command {
        cli::Command::CredentialProcess(args) => cmd::credential_process::run(args, keyring),
        cli::Command::Exec(args) => cmd::exec::run(args, keyring),
        cli::Command::Bootstrap(args) => cmd::bootstrap::run(args),
        cli::Command::Export(args) => cmd::export::run(args, keyring),
        cli::Command::Whoami(args) => cmd::whoami::run(args, keyring),
        cli::Command::Cache(args) => cmd::cache::run(args, keyring, cli.quiet),
        cli::Command::Completions(args) => cmd::completions::run(args),
    }
}
