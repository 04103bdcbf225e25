//! The command as a child process of `exec --server`: started with the endpoint's
//! environment, sent each signal exactly once, waited for, and its exit code passed on.
//!
//! # Signals: sudo's approach, not `system()`'s
//!
//! A signal meant for the command comes either to the whole process group (a terminal's
//! Ctrl-C, a supervisor's `kill -- -PGID`) or to xacct alone (`kill PID`, systemd's
//! `KillMode=process`). If xacct and the command shared a process group, xacct could not
//! tell the two apart (both arrive as the same signal; `si_code` is SI_USER for both
//! kills), so forwarding would deliver a group signal twice (Terraform reads two
//! interrupts as "exit now, state may be lost") and not forwarding would lose the
//! targeted one.
//!
//! - POSIX `system()` keeps the command in the caller's group and ignores SIGINT and
//!   SIGQUIT while it waits: right for Ctrl-C, but a `kill -INT` aimed at xacct alone
//!   would then never reach the command.
//! - sudo runs the command in its own process group and relays the signals it receives.
//!   Nothing reaches the command twice: a signal to xacct's group or to xacct reaches
//!   only xacct, which relays it once; a signal to the command's group reaches only the
//!   command.
//!
//! xacct does what sudo does. The command starts in a new process group (`trampoline`),
//! and xacct relays INT, TERM, HUP, QUIT, USR1, USR2 and ALRM to it. Because the command
//! is no longer in the terminal's foreground group, an interactive run (stdin a terminal
//! whose foreground group is xacct's) hands the terminal to the command's group, so the
//! command reads from it and gets the terminal's Ctrl-C and Ctrl-Z directly. When the
//! command stops (Ctrl-Z), xacct takes the terminal back and stops its own group with the same
//! signal, so the shell sees a stopped job; on `fg` it hands the terminal over again and
//! continues the command. After the command exits, xacct takes the terminal back.
//!
//! Unlike sudo, xacct does not check who sent a signal (tokio does not expose
//! `si_pid`), so a command that signals its own parent gets that signal back.
//!
//! On Linux the command also gets SIGTERM if xacct dies (PR_SET_PDEATHSIG, set in the
//! `trampoline`), so `kill -9` of xacct never leaves a command running against a dead
//! endpoint. xacct exits with the command's code, or 128+N when signal N killed it.

use crate::error::Error;
use std::ffi::OsStr;
use std::process::ExitStatus;

/// xacct's exit code for the child's status: its code, or 128+N when signal N killed it
/// (as shells report it).
pub fn exit_code(status: ExitStatus) -> u8 {
    // Exit codes are 0..=255 on Unix; anything else (Windows) is cut as exit(3) would.
    if let Some(code) = status.code() {
        return code as u8;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return 128u8.saturating_add(sig as u8);
        }
    }
    crate::error::EXIT_FAILURE
}

#[cfg(unix)]
pub use unix::{Signals, command, run_child};

#[cfg(unix)]
mod unix;

#[cfg(not(unix))]
pub use other::{Signals, command, run_child};

#[cfg(not(unix))]
mod other {
    use crate::error::Error;
    use std::ffi::{OsStr, OsString};

    /// Ctrl-C reaches every process of the console; nothing to forward.
    pub struct Signals;

    impl Signals {
        pub fn install() -> Result<Signals, Error> {
            Ok(Signals)
        }
    }

    /// The command itself.
    pub fn command(program: &OsStr, argv: &[OsString]) -> Result<std::process::Command, Error> {
        let mut cmd = std::process::Command::new(program);
        cmd.args(argv);
        Ok(cmd)
    }

    /// Runs the command and waits for it, swallowing Ctrl-C so xacct outlives the child
    /// and reports its code.
    pub async fn run_child(
        mut cmd: std::process::Command,
        _signals: &mut Signals,
        program: &OsStr,
    ) -> Result<u8, Error> {
        let mut child = cmd.spawn().map_err(|e| {
            Error::Runtime(format!("cannot run {:?}: {e}", program.to_string_lossy()))
        })?;
        let wait = tokio::task::spawn_blocking(move || child.wait());
        tokio::pin!(wait);
        loop {
            tokio::select! {
                status = &mut wait => {
                    let status = status
                        .map_err(|e| Error::Runtime(format!("cannot wait for the command: {e}")))?
                        .map_err(|e| Error::Runtime(format!("cannot wait for the command: {e}")))?;
                    return Ok(super::exit_code(status));
                }
                _ = tokio::signal::ctrl_c() => {}
            }
        }
    }
}

/// Shown when the command cannot be started.
fn cannot_run(program: &OsStr, e: impl std::fmt::Display) -> Error {
    Error::Runtime(format!("cannot run {:?}: {e}", program.to_string_lossy()))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn exit_code_table() {
        // (raw wait status, exit code)
        let table = [
            (0, 0),
            (7 << 8, 7),
            (255 << 8, 255),
            (15, 143),
            (2, 130),
            (9, 137),
        ];
        for (raw, want) in table {
            assert_eq!(exit_code(ExitStatus::from_raw(raw)), want, "{raw}");
        }
    }
}
