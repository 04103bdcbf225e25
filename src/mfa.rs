//! The MFA code, when `--token-code` gave none: asked for on the controlling terminal.
//!
//! Never from stdin: under `credential_process` stdin belongs to the SDK that runs xacct,
//! and a cron job has nothing there. Asked for lazily (only when the cache misses), so a
//! cached session never prompts, and at most once per run. The prompt runs while the
//! key's refresh lock is held, so other processes wait for the one human answer instead
//! of prompting too.

use crate::creds::Secret;
use crate::error::Error;
use crate::settings::session::check_token_code;
use std::io::{BufRead, BufReader, Read, Write};

/// The terminal to ask on (Unix: the process's controlling terminal).
const TTY: &str = "/dev/tty";

fn no_terminal(serial: &str) -> Error {
    Error::Usage(format!(
        "the role needs an MFA code from {serial} and there is no terminal to ask on; a non-interactive run needs --token-code CODE, or a role and profile without mfa_serial"
    ))
}

/// Prompts on /dev/tty and reads one line (at most 64 bytes: a code is 6). Called only
/// when an MFA session must be started (`provider::mfa_session`).
pub fn ask(serial: &str) -> Result<Secret, Error> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(TTY)
        .map_err(|_| no_terminal(serial))?;
    let mut out = &tty;
    write!(out, "MFA code for {serial}: ")
        .and_then(|()| out.flush())
        .map_err(|_| no_terminal(serial))?;
    let mut line = String::new();
    BufReader::new((&tty).take(64))
        .read_line(&mut line)
        .map_err(|e| Error::Runtime(format!("cannot read the MFA code from {TTY}: {e}")))?;
    let code = line.trim();
    check_token_code(code).map_err(Error::Usage)?;
    Ok(Secret::new(code))
}
