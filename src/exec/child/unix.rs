//! The Unix side of `child`: the command in its own process group, the relay, the
//! terminal handoff and stop/continue (see the parent module's doc for why).

use super::cannot_run;
use crate::error::Error;
use crate::exec::tty;
use rustix::process::{Pid, Signal, WaitOptions, WaitStatus};
use std::ffi::{OsStr, OsString};
use std::os::unix::process::CommandExt;
use tokio::signal::unix::{SignalKind, signal};

/// The relayed signals.
const RELAYED: [Signal; 7] = [
    Signal::INT,
    Signal::TERM,
    Signal::HUP,
    Signal::QUIT,
    Signal::USR1,
    Signal::USR2,
    Signal::ALARM,
];

/// The relayed signals' handlers: installed before the endpoint starts, so from then on
/// these signals no longer kill xacct (and orphan the command).
pub struct Signals {
    streams: Vec<(tokio::signal::unix::Signal, Signal)>,
}

impl Signals {
    pub fn install() -> Result<Signals, Error> {
        let mut streams = Vec::with_capacity(RELAYED.len());
        for sig in RELAYED {
            let s = signal(SignalKind::from_raw(sig.as_raw()))
                .map_err(|e| Error::Runtime(format!("cannot install a signal handler: {e}")))?;
            streams.push((s, sig));
        }
        Ok(Signals { streams })
    }

    /// The next signal received.
    async fn recv(&mut self) -> Signal {
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

/// The trampoline that becomes the command (`xacct exec --child-of PID -- CMD...`) in a
/// new process group; the caller adds the environment.
pub fn command(program: &OsStr, argv: &[OsString]) -> Result<std::process::Command, Error> {
    // /proc/self/exe still runs when the installed binary was replaced meanwhile.
    let me = if cfg!(target_os = "linux") {
        std::path::PathBuf::from("/proc/self/exe")
    } else {
        std::env::current_exe()
            .map_err(|e| Error::Runtime(format!("cannot find xacct's own binary: {e}")))?
    };
    let mut cmd = std::process::Command::new(me);
    cmd.arg("exec")
        .arg("--child-of")
        .arg(std::process::id().to_string());
    if tty::stdin_is_foreground() {
        cmd.arg("--take-terminal");
    }
    cmd.arg("--").arg(program).args(argv);
    cmd.process_group(0);
    Ok(cmd)
}

/// What the waiter thread reports.
enum Event {
    Stopped(i32),
    Done(WaitStatus),
    Failed(String),
}

/// Starts the trampoline `cmd` (from `command`), relays signals to it, follows its stops
/// when it owns the terminal, and returns its exit code.
pub async fn run_child(
    mut cmd: std::process::Command,
    signals: &mut Signals,
    program: &OsStr,
) -> Result<u8, Error> {
    // Stops matter only with a terminal: job control (Ctrl-Z, a background read).
    let terminal = tty::foreground_group().is_some();
    // Spawned from this (the main) thread: the parent-death signal fires when the thread
    // that forked exits, and the main thread lives as long as xacct.
    let child = cmd.spawn().map_err(|e| cannot_run(program, e))?;
    let pid = Pid::from_child(&child);
    #[cfg(target_os = "linux")]
    let pidfd = rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty()).ok();
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    // waitpid with WUNTRACED: tokio's Child::wait does not report stops.
    std::thread::spawn(move || {
        loop {
            let ev = match rustix::process::waitpid(Some(pid), WaitOptions::UNTRACED) {
                Ok(Some((_, st))) if st.stopped() => {
                    Event::Stopped(st.stopping_signal().unwrap_or(0))
                }
                Ok(Some((_, st))) => Event::Done(st),
                Ok(None) => continue,
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => Event::Failed(e.to_string()),
            };
            let last = !matches!(ev, Event::Stopped(_));
            if tx.send(ev).is_err() || last {
                return;
            }
        }
    });
    let result = loop {
        tokio::select! {
            ev = events.recv() => match ev {
                Some(Event::Stopped(sig)) if terminal => suspend_with(pid, sig),
                Some(Event::Stopped(_)) => {}
                Some(Event::Done(st)) => {
                    break Ok(super::exit_code(std::os::unix::process::ExitStatusExt::from_raw(st.as_raw())));
                }
                Some(Event::Failed(e)) => break Err(Error::Runtime(format!("cannot wait for the command: {e}"))),
                None => break Err(Error::Runtime("cannot wait for the command".into())),
            },
            // Never after Done: the loop has ended by then, so a reaped pid is never used.
            sig = signals.recv() => {
                #[cfg(target_os = "linux")]
                relay(pid, pidfd.as_ref(), sig);
                #[cfg(not(target_os = "linux"))]
                relay(pid, sig);
            }
        }
    };
    if tty::foreground_group() == Some(pid) {
        // The command's group owned the terminal; the shell that started xacct expects it
        // back in xacct's group.
        if let Err(e) = tty::give_terminal_to(rustix::process::getpgrp()) {
            tracing::debug!("{e}");
        }
    }
    drop(child); // already reaped by the waiter thread
    result
}

/// Sends `sig` to the command once. On Linux through a pidfd, which can never reach
/// another process that reused the pid.
#[cfg(target_os = "linux")]
fn relay(pid: Pid, pidfd: Option<&std::os::fd::OwnedFd>, sig: Signal) {
    let r = match pidfd {
        Some(fd) => rustix::process::pidfd_send_signal(fd, sig),
        None => rustix::process::kill_process(pid, sig),
    };
    report(r, sig);
}

#[cfg(not(target_os = "linux"))]
fn relay(pid: Pid, sig: Signal) {
    report(rustix::process::kill_process(pid, sig), sig);
}

fn report(r: rustix::io::Result<()>, sig: Signal) {
    // ESRCH: the command exited between its last wait and the signal; nothing to do.
    if let Err(e) = r
        && e != rustix::io::Errno::SRCH
    {
        crate::ui::warn(&format!(
            "cannot forward signal {sig:?} to the command: {e}"
        ));
    }
}

/// The command stopped (Ctrl-Z, or a read from the terminal while in the background):
/// take the terminal back if the command had it, and stop xacct's group with the same
/// signal, so the shell sees a stopped job. When xacct is continued (`fg`, `bg`), continue the
/// command, handing it the terminal if xacct was put in the foreground.
fn suspend_with(child: Pid, sig: i32) {
    let me = rustix::process::getpgrp();
    if tty::foreground_group() == Some(child) {
        let _ = tty::give_terminal_to(me);
    }
    let stop = match Signal::from_named_raw(sig) {
        Some(s @ (Signal::TSTP | Signal::TTIN | Signal::TTOU)) => s,
        _ => Signal::STOP,
    };
    // To xacct's whole group, as the terminal would have sent it without xacct in
    // between (a non-interactive shell script around xacct stops too, so the job shows as
    // stopped). Returns once xacct is continued.
    let _ = rustix::process::kill_process_group(me, stop);
    if tty::foreground_group() == Some(me) {
        let _ = tty::give_terminal_to(child);
    }
    // The command leads its own group (process_group(0)): its pid is the group's id.
    let _ = rustix::process::kill_process_group(child, Signal::CONT);
}
