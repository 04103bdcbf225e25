//! The command as a child process of `exec --server`: started with the endpoint's
//! environment, sent every terminating signal xacct receives, and waited for.
//!
//! A terminal's Ctrl-C reaches both (same process group) and is forwarded too: a second
//! SIGINT is what a shell user pressing Ctrl-C twice would send anyway, and a `kill` aimed
//! at xacct alone (cron, systemd, a CI runner) must still reach the command.

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

/// Starts `cmd` and waits for it, forwarding signals; the child's status.
pub async fn run_child(
    mut cmd: tokio::process::Command,
    signals: &mut Signals,
    program: &OsStr,
) -> Result<ExitStatus, Error> {
    let mut child = cmd
        .spawn()
        .map_err(|e| Error::Runtime(format!("cannot run {:?}: {e}", program.to_string_lossy())))?;
    loop {
        tokio::select! {
            status = child.wait() => {
                return status.map_err(|e| Error::Runtime(format!("cannot wait for the command: {e}")));
            }
            sig = signals.recv() => {
                // `id()` is None once the child is reaped: never signal a recycled pid.
                if let Some(pid) = child.id() {
                    forward(pid, sig);
                }
            }
        }
    }
}

#[cfg(unix)]
pub use unix::Signals;

#[cfg(unix)]
mod unix {
    use crate::error::Error;
    use tokio::signal::unix::{Signal, SignalKind, signal};

    /// The forwarded signals: SIGINT, SIGTERM, SIGHUP, SIGQUIT.
    pub struct Signals {
        streams: Vec<(Signal, rustix::process::Signal)>,
    }

    impl Signals {
        /// Installs the handlers (from now on these signals no longer kill xacct).
        pub fn install() -> Result<Signals, Error> {
            let kinds = [
                (SignalKind::interrupt(), rustix::process::Signal::INT),
                (SignalKind::terminate(), rustix::process::Signal::TERM),
                (SignalKind::hangup(), rustix::process::Signal::HUP),
                (SignalKind::quit(), rustix::process::Signal::QUIT),
            ];
            let mut streams = Vec::with_capacity(kinds.len());
            for (kind, sig) in kinds {
                let s = signal(kind)
                    .map_err(|e| Error::Runtime(format!("cannot install a signal handler: {e}")))?;
                streams.push((s, sig));
            }
            Ok(Signals { streams })
        }

        /// The next signal received.
        pub async fn recv(&mut self) -> rustix::process::Signal {
            std::future::poll_fn(|cx| {
                for (stream, sig) in &mut self.streams {
                    if let std::task::Poll::Ready(Some(())) = stream.poll_recv(cx) {
                        return std::task::Poll::Ready(*sig);
                    }
                }
                std::task::Poll::Pending
            })
            .await
        }
    }

    pub fn forward(pid: u32, sig: rustix::process::Signal) {
        let Some(pid) = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        else {
            return;
        };
        if let Err(e) = rustix::process::kill_process(pid, sig) {
            // ESRCH: the child exited between the wait and the signal; nothing to do.
            if e != rustix::io::Errno::SRCH {
                crate::ui::warn(&format!(
                    "cannot forward signal {sig:?} to the command: {e}"
                ));
            }
        }
    }
}

#[cfg(unix)]
use unix::forward;

#[cfg(not(unix))]
pub use other::Signals;

#[cfg(not(unix))]
mod other {
    use crate::error::Error;

    /// Ctrl-C reaches every process of the console; nothing to forward.
    pub struct Signals;

    impl Signals {
        pub fn install() -> Result<Signals, Error> {
            Ok(Signals)
        }
        pub async fn recv(&mut self) {
            // Swallow Ctrl-C so xacct outlives the child and reports its code.
            let _ = tokio::signal::ctrl_c().await;
        }
    }

    pub fn forward(_pid: u32, _sig: ()) {}
}

#[cfg(not(unix))]
use other::forward;

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
