//! One module per subcommand: each takes its parsed arguments, validates, and runs.

pub mod bootstrap;
pub mod cache;
pub mod completions;
pub mod credential_process;
pub mod doctor;
pub mod exec;
pub mod export;
pub mod whoami;

use crate::error::Error;
use crate::settings::{self, Settings};

/// Resolves role options against the real profile files and environment.
pub fn resolve_settings(args: &crate::cli::RoleArgs) -> Result<Settings, Error> {
    let profiles = crate::aws::profile::load()?;
    settings::resolve(args, &profiles, &crate::sys::env_snapshot())
}
