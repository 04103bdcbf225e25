//! `xacct exec`: run a command with the role's credentials.
//!
//! - `env`: the child's environment (pure: what to remove, what to set);
//! - `server`: the loopback credential endpoint of `--server` mode;
//! - `refresh`: the credentials that endpoint holds in memory and renews ahead of expiry;
//! - `child`: the child process of `--server` mode, its signals and exit code;
//! - `trampoline` and `tty` (Unix): the child's first moments (parent-death signal,
//!   terminal handoff) and the terminal's foreground process group.
//!
//! This module also holds the checks that need no network (nesting, the command), so a
//! broken cron line fails with exit 2 before the first AssumeRole. The command itself
//! (`cmd::exec`) wires them together.

pub mod child;
pub mod env;
pub mod refresh;
pub mod server;
#[cfg(unix)]
pub mod trampoline;
#[cfg(unix)]
pub mod tty;

use crate::error::Error;
use crate::settings::Profiles;
use env::MARKER;
use std::ffi::{OsStr, OsString};
use std::path::Path;

/// Refuses to run inside another `xacct exec` unless asked: nesting is usually a mistake
/// (a job wrapped twice), and an inner exec without a source profile would assume its role
/// with the outer session's credentials.
pub fn check_nesting(marker: Option<&OsStr>, allow_nested: bool) -> Result<(), Error> {
    match marker.filter(|m| !m.is_empty()) {
        Some(outer) if !allow_nested => Err(Error::Usage(format!(
            "already inside `xacct exec` for {} ({MARKER} is set); run the command from the outer shell, or pass --allow-nested to nest on purpose",
            crate::arn::truncate(&outer.to_string_lossy(), 120)
        ))),
        _ => Ok(()),
    }
}

/// The program and its arguments: the given command, else `$SHELL` (or /bin/sh) when
/// stdin is a terminal. Without a terminal nobody could type into that shell: a usage error.
pub fn pick_command(
    command: &[OsString],
    stdin_is_terminal: bool,
    shell: Option<OsString>,
) -> Result<(OsString, Vec<OsString>), Error> {
    match command.split_first() {
        Some((program, args)) if !program.is_empty() => Ok((program.clone(), args.to_vec())),
        Some(_) => Err(Error::Usage(
            "the command is an empty string; pass the command after --".into(),
        )),
        None if stdin_is_terminal => Ok((
            shell
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "/bin/sh".into()),
            vec![],
        )),
        None => Err(Error::Usage(
            "no command to run; pass it after --: xacct exec --profile NAME -- CMD [ARGS...] (a shell starts only when stdin is a terminal)".into(),
        )),
    }
}

/// The `[default]` keys that make an SDK's credential chain stop before the container
/// endpoint: static keys, a role (with either kind of source), a credential_process, web
/// identity and SSO. The chains (botocore, the Rust, Go, Java and JS SDKs) read the
/// shared files before the endpoint, so any of these would silently win over xacct's
/// refreshing credentials.
pub const SHADOWING_KEYS: &[&str] = &[
    "aws_access_key_id",
    "role_arn",
    "credential_process",
    "credential_source",
    "source_profile",
    "web_identity_token_file",
    "sso_session",
    "sso_start_url",
    "sso_account_id",
];

/// One warning naming every shadowing key `[default]` has, or none.
pub fn default_profile_shadows_endpoint(profiles: &Profiles) -> Option<String> {
    let default = profiles.profiles.get("default")?;
    let keys: Vec<&str> = SHADOWING_KEYS
        .iter()
        .copied()
        .filter(|k| default.contains_key(*k))
        .collect();
    if keys.is_empty() {
        return None;
    }
    Some(format!(
        "the [default] profile has {}: AWS SDKs use it before the --server endpoint, so the command may not get the role's credentials; remove it from this user's AWS files or run without --server",
        keys.join(", ")
    ))
}

/// Checks that the command can be found, as execvp would look it up, so a typo fails with
/// exit 2 before any AssumeRole.
pub fn check_program(program: &OsStr, path: Option<&OsStr>) -> Result<(), Error> {
    let shown = || crate::arn::truncate(&program.to_string_lossy(), 120);
    let lossy = program.to_string_lossy();
    if lossy.contains('/') || lossy.contains(std::path::MAIN_SEPARATOR) {
        return if Path::new(program).is_file() {
            Ok(())
        } else {
            Err(Error::Usage(format!(
                "command {:?} does not exist; check the path",
                shown()
            )))
        };
    }
    let found = path
        .map(|p| std::env::split_paths(p).any(|dir| is_executable(&dir.join(program))))
        .unwrap_or(false);
    if found {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "command {:?} not found in PATH; check the name or give its full path",
            shown()
        )))
    }
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    // Windows also tries PATHEXT suffixes; leave the final word to process spawning.
    p.is_file() || p.with_extension("exe").is_file()
}

#[cfg(test)]
mod tests;
