//! The kernel keyring beyond what `linux-keyutils-keyring-store` does: a timeout per
//! entry, and telling a full quota from other failures.
//!
//! A non-root user may hold 20000 bytes and 200 keys (`kernel.keys.maxbytes`,
//! `maxkeys`). The store crate gives its keys no timeout, so without one an entry holds
//! its bytes until the persistent keyring itself expires (3 idle days, reset by every
//! use): about 20 roles filled the quota for good. The crate's `Cred` is public and
//! reachable from the `Entry` (`as_any`), so the key itself is found through the same
//! keyrings and description the crate uses, and the entries stay the crate's (the
//! clean-up scripts and older xacct releases find them by that description).

use super::StoreError;
use chrono::{DateTime, Utc};
use keyring_core::{Entry, Error as KError};
use linux_keyutils::{Key, KeyError};
use linux_keyutils_keyring_store::Cred;

fn key_of(entry: &Entry) -> Result<Key, KeyError> {
    let cred = entry
        .as_any()
        .downcast_ref::<Cred>()
        .ok_or(KeyError::OperationNotSupported)?;
    cred.session.search(&cred.description)
}

/// Gives the key just stored under `entry` a timeout of the credentials' remaining
/// lifetime, so the kernel frees its quota when they expire.
pub fn set_timeout(entry: &Entry, expires_at: DateTime<Utc>) -> Result<(), KeyError> {
    let secs = (expires_at - Utc::now()).num_seconds().max(1);
    key_of(entry)?.set_timeout(usize::try_from(secs).unwrap_or(usize::MAX))
}

/// True when keyring-core's error is the kernel's EDQUOT (the store crate wraps
/// `KeyError::QuotaExceeded` in a `PlatformFailure`).
pub fn is_quota(e: &KError) -> bool {
    match e {
        KError::PlatformFailure(inner) | KError::NoStorageAccess(inner) => {
            inner.downcast_ref::<KeyError>() == Some(&KeyError::QuotaExceeded)
        }
        _ => false,
    }
}

fn euid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// `Full`, naming the limits, this user's use of them and the sysctl that raises them.
pub fn full() -> StoreError {
    StoreError::Full(quota_text(
        euid(),
        &std::fs::read_to_string("/proc/key-users").unwrap_or_default(),
    ))
}

/// Describes the quota of `uid`: the limits, the use, and the sysctl that raises them.
pub fn quota_text(uid: u32, key_users: &str) -> String {
    let prefix = if uid == 0 { "root_" } else { "" };
    let (keys, bytes) = crate::cache::key_users::parse(key_users, uid)
        .map(|u| ((u.keys, u.max_keys), (u.bytes, u.max_bytes)))
        .unwrap_or(((0, 200), (0, 20000)));
    let raise = |n: u64, floor: u64| (n * 10).max(floor);
    format!(
        "the kernel key quota of this user is full: kernel.keys.{prefix}maxbytes = {} ({} used), kernel.keys.{prefix}maxkeys = {} ({} used); raise it with `sudo sysctl -w kernel.keys.{prefix}maxbytes={} kernel.keys.{prefix}maxkeys={}` (and the same lines in /etc/sysctl.d/ to keep it)",
        bytes.1,
        bytes.0,
        keys.1,
        keys.0,
        raise(bytes.1, 200_000),
        raise(keys.1, 2000),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_text_names_the_limits_the_use_and_the_sysctl() {
        let users = "    0:   134 133/133 126/1000000 107770/25000000\n 1001:    18 18/17 17/200 19663/20000\n";
        let t = quota_text(1001, users);
        for want in [
            "kernel.keys.maxbytes = 20000 (19663 used)",
            "kernel.keys.maxkeys = 200 (17 used)",
            "sysctl -w kernel.keys.maxbytes=200000 kernel.keys.maxkeys=2000",
        ] {
            assert!(t.contains(want), "{want}: {t}");
        }
        let root = quota_text(0, users);
        assert!(
            root.contains("kernel.keys.root_maxbytes = 25000000 (107770 used)"),
            "{root}"
        );
        // No line for the uid (no /proc): the default limits, still one line.
        let none = quota_text(42, "");
        assert!(
            none.contains("maxbytes = 20000") && !none.contains('\n'),
            "{none}"
        );
    }
}
