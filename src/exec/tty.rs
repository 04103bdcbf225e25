//! The terminal's foreground process group, for `exec --server`'s child (see `child`):
//! the child runs in its own process group, so it must be made the foreground group of
//! the terminal to read from it and to get its Ctrl-C, and xacct takes the terminal back
//! when the child stops or exits.

use rustix::process::Pid;

/// True when stdin is a terminal whose foreground process group is this process's: an
/// interactive run in the foreground (not a background job, not cron or CI).
pub fn stdin_is_foreground() -> bool {
    let stdin = std::io::stdin();
    rustix::termios::isatty(&stdin)
        && rustix::termios::tcgetpgrp(&stdin).is_ok_and(|g| g == rustix::process::getpgrp())
}

/// The foreground process group of the terminal on stdin; `None` without a terminal.
pub fn foreground_group() -> Option<Pid> {
    let stdin = std::io::stdin();
    if !rustix::termios::isatty(&stdin) {
        return None;
    }
    rustix::termios::tcgetpgrp(&stdin).ok()
}

/// Makes `pgid` the foreground process group of the terminal on stdin. A process outside
/// the foreground group that calls tcsetpgrp gets SIGTTOU (and stops) unless the signal
/// is blocked, so it is blocked for the call; the old mask is restored after it.
pub fn give_terminal_to(pgid: Pid) -> Result<(), String> {
    use nix::sys::signal::{SigSet, SigmaskHow, Signal, pthread_sigmask};
    let mut block = SigSet::empty();
    block.add(Signal::SIGTTOU);
    let mut old = SigSet::empty();
    pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&block), Some(&mut old))
        .map_err(|e| format!("cannot block SIGTTOU: {e}"))?;
    let r = rustix::termios::tcsetpgrp(std::io::stdin(), pgid);
    let _ = pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&old), None);
    r.map_err(|e| format!("cannot hand the terminal to process group {pgid:?}: {e}"))
}
