//! xacct: AWS cross-account access from the command line.
//!
//! A process in account B assumes a role in account A and hands the temporary
//! credentials to any AWS client through `credential_process`, caching them in the OS
//! keyring until shortly before they expire.
//!
//! Where things are:
//! - pure logic, which takes its inputs as values and never touches the network, the
//!   clock or the environment: `settings` (flags + profile + env -> validated settings),
//!   `arn`, `expiry`, `cache::key`, `cache::entry`, `output`, `report`, `exec::env`, and
//!   `bootstrap`'s plan and policy documents;
//! - `provider`: the one cached-or-assume path every command uses;
//! - `cache`: key, entry format, keyring stores (and filling a full one), the trusted lock
//!   directory, locks, the index, and the record of a failed refresh;
//! - `exec`: the child's environment, the `--server` endpoint, the child process;
//! - `bootstrap`: the role pair (plan, policies, external id, apply, preflight, snippet,
//!   and `emit` as CloudFormation or Terraform);
//! - `aws`: the only place that names SDK types (adapters, profile loading, failures);
//! - `cmd`: one file per subcommand; `cli` the clap types and long help; `ui`, `log`
//!   stdout and stderr; `files` replaces a user's file safely; `rt` runs async code.

pub mod arn;
pub mod aws;
pub mod bootstrap;
pub mod cache;
pub mod cli;
pub mod cmd;
pub mod creds;
pub mod doctor;
pub mod error;
pub mod exec;
pub mod expiry;
pub mod files;
pub mod log;
pub mod mfa;
pub mod output;
pub mod provider;
pub mod report;
pub mod rt;
pub mod settings;
pub mod sys;
pub mod ui;

#[cfg(test)]
mod testing;

use error::Error;
use std::process::ExitCode;

/// Runs a parsed command line; the exit code is the command's (for `exec`, the child's).
pub fn run(cli: &cli::Cli) -> Result<ExitCode, Error> {
    log::init(cli.verbose, cli.quiet);
    let keyring = cli.keyring;
    match &cli.command {
        cli::Command::CredentialProcess(args) => cmd::credential_process::run(args, keyring),
        cli::Command::Exec(args) => cmd::exec::run(args, keyring),
        cli::Command::Bootstrap(args) => cmd::bootstrap::run(args),
        cli::Command::Export(args) => cmd::export::run(args, keyring),
        cli::Command::Whoami(args) => cmd::whoami::run(args, keyring),
        cli::Command::Cache(args) => cmd::cache::run(args, keyring),
        cli::Command::Doctor(args) => cmd::doctor::run(args, keyring),
        cli::Command::Completions(args) => cmd::completions::run(args),
    }
}
