//! The one way xacct runs async code: a current-thread tokio runtime started only when an
//! SDK call or the `exec --server` endpoint needs it, so a cache hit starts none.

use crate::error::Error;
use std::future::Future;

/// Runs `f` to completion on a new current-thread runtime with the I/O and time drivers.
pub fn block_on<F: Future>(f: F) -> Result<F::Output, Error> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Runtime(format!("cannot start runtime: {e}")))?;
    let out = rt.block_on(f);
    // Blocking tasks still running (an endpoint refresh) must not hold up the return.
    rt.shutdown_background();
    Ok(out)
}

/// Runs `f`, which needs no driver (the profile loader is async in signature only: it
/// reads two files with std), on a current-thread runtime without the I/O, time and
/// signal drivers: starting those was 7 % of a cache hit's instructions (issue 15). A
/// future that did need one would fail every test at once, with tokio's own message.
pub fn block_on_without_drivers<F: Future>(f: F) -> Result<F::Output, Error> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| Error::Runtime(format!("cannot start runtime: {e}")))?;
    Ok(rt.block_on(f))
}
