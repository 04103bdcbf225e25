//! The kernel key quota part of the keyring check: how much of this user's quota is used
//! (`/proc/key-users`) and about how many more cache entries fit.
//!
//! The kernel charges a user key its description plus a NUL plus its payload
//! (`key_alloc` and `key_payload_reserve` in security/keys/key.c). An xacct entry's
//! description is the store crate's `keyring:<cache key>@xacct`, its payload the compact
//! entry of `cache::entry`, whose size is mostly the session token: so the estimate uses
//! this role's current entry when there is one, else a typical token length.

use crate::doctor::Finding;

const CHECK: &str = "keyring";
/// Fewer entries than this fitting is a warning: a cron host with a few roles fills it.
pub const FEW: u64 = 5;
/// A real AssumeRole session token is ~1 KB (more with session tags); the estimate
/// assumes this many characters when no entry of the role is at hand to measure.
pub const TOKEN_GUESS: usize = 1000;

pub use crate::cache::key_users::{KeyUsage, parse};

/// The quota one entry takes: `keyring:<key>@xacct`, its NUL, and the stored text.
pub fn entry_bytes(key_len: usize, value_len: usize) -> u64 {
    ("keyring:".len() + key_len + "@xacct".len() + 1 + value_len) as u64
}

/// How many more entries of `entry` bytes fit, by bytes and by keys.
pub fn fits(u: &KeyUsage, entry: u64) -> u64 {
    let by_bytes = u.max_bytes.saturating_sub(u.bytes) / entry.max(1);
    let by_keys = u.max_keys.saturating_sub(u.keys);
    by_bytes.min(by_keys)
}

/// The quota finding of `uid`: `usage` from `/proc/key-users` (`None`: no line for it),
/// an entry's estimated size and what the estimate is based on.
pub fn finding(usage: Option<KeyUsage>, uid: u32, entry: u64, basis: &str) -> Finding {
    let prefix = if uid == 0 { "root_" } else { "" };
    let Some(u) = usage else {
        return Finding::warn(
            CHECK,
            format!("no line for uid {uid} in /proc/key-users: the quota left is unknown"),
            "check that /proc is mounted and readable",
        );
    };
    let fit = fits(&u, entry);
    let detail = format!(
        "kernel key quota of uid {uid}: {} of {} keys and {} of {} bytes used (kernel.keys.{prefix}maxkeys, {prefix}maxbytes); about {fit} more entr{} fit (estimate: {entry} bytes an entry, {basis})",
        u.keys,
        u.max_keys,
        u.bytes,
        u.max_bytes,
        if fit == 1 { "y" } else { "ies" },
    );
    if fit >= FEW {
        return Finding::ok(CHECK, detail);
    }
    let raise = |n: u64, floor: u64| (n * 10).max(floor);
    Finding::warn(
        CHECK,
        detail,
        format!(
            "`xacct cache clear --all` frees xacct's own entries (runs also remove their oldest ones to make room); keys of other programs stay: see /proc/keys; or, as root, raise the limit: `sysctl -w kernel.keys.{prefix}maxbytes={} kernel.keys.{prefix}maxkeys={}` (and the same in /etc/sysctl.d/ to keep it)",
            raise(u.max_bytes, 200_000),
            raise(u.max_keys, 2000),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Status;

    const USERS: &str = "    0:   134 133/133 126/1000000 107770/25000000\n 1001:    18 18/17 17/200 19663/20000\n 1002:     1 1/1 1/200 9/20000\n";

    #[test]
    fn fit_estimate() {
        let u = |keys, bytes| KeyUsage {
            keys,
            max_keys: 200,
            bytes,
            max_bytes: 20000,
        };
        // (usage, entry bytes, entries that fit)
        let table = [
            (u(0, 0), 1000, 20),
            (u(17, 19663), 500, 0),
            (u(10, 17000), 1000, 3),
            (u(10, 17000), 999, 3),
            (u(10, 17001), 1000, 2),
            (u(198, 0), 100, 2),
            (u(200, 0), 100, 0),
            // Over the limit (root lowered it): nothing fits, no underflow.
            (u(250, 30000), 100, 0),
            (u(0, 0), 0, 200),
        ];
        for (usage, entry, want) in table {
            assert_eq!(fits(&usage, entry), want, "{usage:?} {entry}");
        }
        // The description of a v1 key (67 characters) plus NUL is 82 bytes.
        assert_eq!(entry_bytes(67, 0), 82);
        assert_eq!(entry_bytes(67, 1000), 1082);
    }

    #[test]
    fn few_entries_left_is_a_warning_with_the_numbers_and_the_fix() {
        let usage = parse(USERS, 1001);
        let f = finding(
            usage.map(|u| KeyUsage { bytes: 17000, ..u }),
            1001,
            1200,
            "guess",
        );
        assert_eq!(f.status, Status::Warn, "{f:?}");
        for want in [
            "17 of 200 keys",
            "17000 of 20000 bytes",
            "about 2 more entries fit",
            "1200 bytes an entry, guess",
        ] {
            assert!(f.detail.contains(want), "{want}: {}", f.detail);
        }
        let fix = f.fix.unwrap();
        assert!(fix.contains("xacct cache clear --all"), "{fix}");
        assert!(
            fix.contains("sysctl -w kernel.keys.maxbytes=200000 kernel.keys.maxkeys=2000"),
            "{fix}"
        );
        let ok = finding(parse(USERS, 1002), 1002, 1200, "guess");
        assert_eq!(ok.status, Status::Ok, "{ok:?}");
        assert!(
            ok.detail.contains("about 16 more entries fit"),
            "{}",
            ok.detail
        );
        // Root's huge quota is reported as it is.
        let root = finding(parse(USERS, 0), 0, 1200, "guess");
        assert_eq!(root.status, Status::Ok);
        assert!(
            root.detail.contains("107770 of 25000000 bytes")
                && root.detail.contains("root_maxbytes"),
            "{}",
            root.detail
        );
        // Exactly FEW fits is fine; one fewer is not.
        let at = |bytes| {
            finding(
                Some(KeyUsage {
                    keys: 0,
                    max_keys: 200,
                    bytes,
                    max_bytes: 20000,
                }),
                7,
                1000,
                "g",
            )
            .status
        };
        assert_eq!(at(20000 - 5 * 1000), Status::Ok);
        assert_eq!(at(20000 - 5 * 1000 + 1), Status::Warn);
        assert_eq!(finding(None, 7, 1000, "g").status, Status::Warn);
    }
}
