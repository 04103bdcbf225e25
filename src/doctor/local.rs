//! The checks that stay on this host: the keyring (6), the lock directory (7) and the
//! cache (8). Each gathers its facts with the same code a run uses and judges them with
//! pure, table-tested functions.
//!
//! What doctor changes: one probe entry in the keyring, stored and deleted again (with a
//! one-minute expiry in case it is killed halfway). It creates no directory and no file:
//! a lock directory that does not exist yet is reported as what the next run creates.

// The session bus and the kernel key quota exist on Linux only; elsewhere their pure
// parts are compiled (and tested) but not called.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
mod bus;
mod cache;
mod keyring;
mod lockdir;
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
mod quota;

use super::Finding;
use crate::cli::StoreKind;
use crate::settings::Settings;

/// The keyring, lock dir and cache checks, in that order. `settings` is `None` when the
/// config check failed: the checks that need the role then skip.
pub fn checks(settings: Option<&Settings>, kind: StoreKind) -> Vec<Finding> {
    let (mut out, store) = keyring::check(settings, kind);
    let (lock, dir) = lockdir::check();
    out.extend(lock);
    out.extend(cache::check(
        settings,
        kind,
        store.as_deref(),
        dir.as_deref(),
    ));
    out
}
