//! The child of `exec --server` before it becomes the command: `xacct exec --child-of
//! PID [--take-terminal] -- CMD...`, started by `child` in a new process group, with the
//! command's environment already in place.
//!
//! It exists because two things must happen between fork and exec, and this crate
//! forbids the `unsafe` that `pre_exec` needs: on Linux the parent-death signal (so the
//! command gets SIGTERM when xacct is killed with -9 and the endpoint is gone), and the
//! terminal handoff. Both survive the exec that follows (PR_SET_PDEATHSIG is kept across
//! execve of a binary that is not set-user-ID).

use crate::error::Error;
use std::ffi::OsString;
use std::process::ExitCode;

/// Sets up this process and replaces it with the command; returns only on failure.
pub fn run(parent: u32, take_terminal: bool, command: &[OsString]) -> Result<ExitCode, Error> {
    #[cfg(target_os = "linux")]
    rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::TERM))
        .map_err(|e| Error::Runtime(format!("cannot set the parent-death signal: {e}")))?;
    // xacct may have died before the line above: then no signal will come. Act as if it
    // had come (128 + SIGTERM), like the command would have.
    if rustix::process::getppid().map(|p| p.as_raw_nonzero().get()) != i32::try_from(parent).ok() {
        return Ok(ExitCode::from(143));
    }
    if take_terminal {
        // Failing to take the terminal leaves the command in the background, where
        // reading from it stops the command: say so, then run it anyway.
        if let Err(e) = super::tty::give_terminal_to(rustix::process::getpgrp()) {
            crate::ui::warn(&e);
        }
    }
    let (program, args) = command
        .split_first()
        .ok_or_else(|| Error::Usage("--child-of needs the command after --".into()))?;
    use std::os::unix::process::CommandExt;
    // std resets the signal mask and SIGPIPE before exec: the command starts clean.
    let err = std::process::Command::new(program).args(args).exec();
    Err(Error::Runtime(format!(
        "cannot run {:?}: {err}",
        program.to_string_lossy()
    )))
}
