//! Doctor's local checks where the host issue's cron user lives: `xacct-test` (no D-Bus,
//! no XDG_RUNTIME_DIR, the default 20000-byte key quota) with a healthy and a nearly full
//! kernel keyring, and root meeting a lock directory of that user's.

use super::{expect, lines, no_secrets};
use crate::host::{CronWorld, Serial, USER, as_user, host_user, quota_is_the_default};
use crate::util::*;
use std::os::unix::fs::{PermissionsExt, chown};
use std::path::Path;

/// The user's line of /proc/key-users: (keys, max keys, bytes, max bytes).
fn usage(uid: u32) -> (u64, u64, u64, u64) {
    let text = std::fs::read_to_string("/proc/key-users").unwrap();
    for line in text.lines() {
        let Some((id, rest)) = line.trim().split_once(':') else {
            continue;
        };
        if id.trim().parse::<u32>() != Ok(uid) {
            continue;
        }
        let f: Vec<(u64, u64)> = rest
            .split_whitespace()
            .skip(2)
            .map(|p| {
                let (a, b) = p.split_once('/').unwrap();
                (a.parse().unwrap(), b.parse().unwrap())
            })
            .collect();
        return (f[0].0, f[0].1, f[1].0, f[1].1);
    }
    panic!("no line for uid {uid} in /proc/key-users:\n{text}");
}

/// A key of `bytes` bytes in the user's persistent keyring (so it outlives the shell
/// that adds it), removed when dropped; its 10-minute timeout is the backstop.
struct Filler(String);

impl Filler {
    fn add(bytes: u64) -> Filler {
        let id = as_user(&format!(
            "head -c {bytes} /dev/zero | tr '\\0' x | keyctl padd user xacct-doctor-fill-{} \"$(keyctl get_persistent @s)\"",
            std::process::id()
        ));
        let id = id.trim().to_string();
        as_user(&format!("keyctl timeout {id} 600"));
        Filler(id)
    }
}

impl Drop for Filler {
    fn drop(&mut self) {
        as_user(&format!("keyctl invalidate {} || true", self.0));
    }
}

/// `about N more entries fit (estimate: E bytes an entry` -> (N, E); `U of M bytes used` -> U.
fn fit_numbers(detail: &str) -> (u64, u64, u64) {
    let after = |s: &str| -> u64 {
        let i = detail
            .find(s)
            .unwrap_or_else(|| panic!("{s:?} in {detail}"))
            + s.len();
        detail[i..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let used = {
        let i = detail.find(" bytes used").unwrap();
        let head = &detail[..i];
        let of = head.rfind(" of ").unwrap();
        head[..of].rsplit(' ').next().unwrap().parse().unwrap()
    };
    (after("about "), after("estimate: "), used)
}

/// Issue 11: "a keyutils quota that is nearly full (non-root user)". The cron user's
/// quota is first healthy (ok, 5 or more entries fit), then filled by another program's
/// key until about two entries fit: the quota line warns with the numbers and the fix.
#[test]
fn a_nearly_full_key_quota_of_the_cron_user_is_a_warning_with_the_numbers() {
    let _serial = Serial::take();
    let (uid, _) = host_user();
    quota_is_the_default();
    let w = CronWorld::new();
    let role = format!("arn:aws:iam::{ACCOUNT_A}:role/{}", unique("drq"));
    w.write_config(&format!(
        "[profile r]\nrole_arn = {role}\nsource_profile = src\nregion = us-east-1\n"
    ));
    let args = ["doctor", "--profile", "r"];
    let healthy = w.run(&args);
    expect(
        &healthy,
        "keyring",
        &[
            (
                "ok",
                &format!(
                    "auto uses keyutils: no session bus (DBUS_SESSION_BUS_ADDRESS unset, no /run/user/{uid}/bus)"
                ),
            ),
            (
                "ok",
                "a probe entry was stored, read back and deleted in keyutils",
            ),
            ("ok", &format!("kernel key quota of uid {uid}: ")),
        ],
    );
    let (n, _, _) = fit_numbers(&lines(&healthy, "keyring")[2].detail);
    assert!(n >= 5, "{n} entries fit in a fresh quota");
    let home_cache = w.home.join(".cache/xacct");
    expect(
        &healthy,
        "lockdir",
        &[(
            "ok",
            &format!(
                "{}: does not exist yet; the next run creates it (owner uid {uid} ({USER}), mode 700)",
                home_cache.display()
            ),
        )],
    );
    assert!(!home_cache.exists(), "doctor created the lock directory");
    // Another program's key leaves ~2600 bytes: about two entries.
    let (_, _, used, max_bytes) = usage(uid);
    let _fill = Filler::add(max_bytes - used - 2600 - 40);
    let full = w.run(&args);
    assert_eq!(full.code, 0, "a warning is not a failure: {}", full.stdout);
    let quota = lines(&full, "keyring")[2].clone();
    assert_eq!(quota.status, "warn", "{quota:#?}");
    let (n, entry, used) = fit_numbers(&quota.detail);
    let (_, _, now_used, _) = usage(uid);
    assert!(
        used.abs_diff(now_used) < 200,
        "doctor saw {used} bytes used, /proc says {now_used}"
    );
    assert!(
        n < 5 && n == (max_bytes - used) / entry,
        "{n} fit: {quota:#?}"
    );
    for part in [
        &format!("of {max_bytes} bytes used"),
        "fix: `xacct cache clear --all`",
        "sysctl -w kernel.keys.maxbytes=",
    ] {
        assert!(quota.detail.contains(part), "{part}: {quota:#?}");
    }
    // The probe left nothing behind. A deleted key is invalidated at once but reaped by
    // the kernel's key garbage collector a moment later, so /proc/keys may still list it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while as_user("cat /proc/keys").contains("xacct-doctor-probe") {
        assert!(
            std::time::Instant::now() < deadline,
            "doctor's probe key is still in /proc/keys after 10 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    no_secrets(&full, &[]);
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Issue 11: "a lock directory owned by another user" (root after `su` without `-`): a
/// warning naming the directory, its owner, the fallback and the fix; when no candidate
/// is usable, a failure and exit 1. Doctor creates nothing either way.
#[test]
fn a_lock_directory_of_another_user_is_named_with_its_owner_and_the_fix() {
    let (uid, gid) = host_user();
    let mut w = World::new();
    let run = w.home().join("other-run");
    let theirs = run.join("xacct");
    std::fs::create_dir_all(&theirs).unwrap();
    chmod(&theirs, 0o700);
    for p in [&run, &theirs] {
        chown(p, Some(uid), Some(gid)).unwrap();
    }
    w.set("XDG_RUNTIME_DIR", run.to_str().unwrap());
    let (r, _) = super::doctor(&w, "dr-lock", &[]);
    let fallback = w.home().join("cache/xacct");
    expect(
        &r,
        "lockdir",
        &[(
            "warn",
            &format!(
                "the usual directory is refused: {} is in {}, which belongs to uid {uid} ({USER}), not to this user (uid 0 (root)) or root; runs use {} instead: does not exist yet",
                theirs.display(),
                run.display(),
                fallback.display()
            ),
        )],
    );
    let line = &lines(&r, "lockdir")[0].detail;
    assert!(line.contains("fix: if XDG_RUNTIME_DIR is another user's (su without -), use `su -` or unset XDG_RUNTIME_DIR"), "{line}");
    assert!(!fallback.exists(), "doctor created {}", fallback.display());
    assert_eq!(
        std::fs::read_dir(&theirs).unwrap().count(),
        0,
        "doctor wrote into theirs"
    );

    // The directory alone theirs (the runtime dir root's): named as the directory's owner.
    chown(&run, Some(0), Some(0)).unwrap();
    let (r, _) = super::doctor(&w, "dr-lock", &[]);
    expect(
        &r,
        "lockdir",
        &[(
            "warn",
            &format!(
                "{} belongs to uid {uid} ({USER}), not to this user (uid 0 (root))",
                theirs.display()
            ),
        )],
    );

    // Every candidate refused: a failure, exit 1.
    for d in [w.home().join("cache/xacct"), w.home().join(".cache/xacct")] {
        std::fs::create_dir_all(&d).unwrap();
        chmod(&d, 0o777);
    }
    let (r, _) = super::doctor(&w, "dr-lock", &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    expect(&r, "lockdir", &[("fail", "no usable lock directory: ")]);
    let line = &lines(&r, "lockdir")[0].detail;
    for part in [
        theirs.display().to_string(),
        "writable by its group or others (mode 777)".into(),
        "fix: if XDG_RUNTIME_DIR is another user's".to_string(),
        format!("chmod 700 {}", w.home().join(".cache/xacct").display()),
    ] {
        assert!(line.contains(&part), "{part}: {line}");
    }
    expect(&r, "cache", &[("ok", "in keyutils: no entry")]);
}
