//! What xacct says, and where: the requested document on stdout (a protocol: nothing
//! else goes there), and every message for the operator on stderr.
//!
//! `warn` and `progress` both honour `-q`: warnings go through the logger (`log`), whose
//! level `-q` lowers to errors; progress lines are plain `xacct: ...` lines that `-q`
//! silences too.

use crate::error::Error;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static QUIET: AtomicBool = AtomicBool::new(false);

/// Called once by `log::init`.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// One warning line on stderr (shown by default, hidden by `-q`).
pub fn warn(msg: &str) {
    tracing::warn!("{msg}");
}

/// One progress or summary line on stderr (`xacct: msg`), hidden by `-q`.
pub fn progress(msg: &str) {
    if !QUIET.load(Ordering::Relaxed) {
        eprintln!("xacct: {msg}");
    }
}

/// Writes `text` to stdout as is and flushes: the one place a command's document leaves.
pub fn stdout(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::Runtime(format!("cannot write to stdout: {e}")))
}
