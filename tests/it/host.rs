//! Runs like the host xacct exists for: a cron job of a non-root user. xacct runs as
//! `xacct-test` (created by `scripts/test`) under `runuser` and `setsid`, with `env -i`
//! keeping only HOME, LOGNAME, PATH, SHELL and the AWS variables that point at moto: no
//! D-Bus, no XDG_RUNTIME_DIR, and the kernel's default key quota for a non-root user
//! (`kernel.keys.maxbytes` = 20000). `--keyring` is left at `auto`, as in the README.
//!
//! The tests share that user's key quota, so they run one at a time and each starts and
//! ends with none of the user's xacct entries in the kernel keyring.

mod lockdir;

use crate::util::*;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard};

pub const USER: &str = "xacct-test";

/// uid and gid of `xacct-test`; fails (never skips) without the user or without root.
pub fn host_user() -> (u32, u32) {
    let id = |flag: &str| -> u32 {
        let out = Command::new("id")
            .args([flag, USER])
            .output()
            .expect("run id");
        assert!(
            out.status.success(),
            "no user {USER}: the host tests run xacct as that unprivileged user; run the tests through scripts/test, which creates it"
        );
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    };
    assert_eq!(
        rustix::process::geteuid().as_raw(),
        0,
        "the host tests switch to {USER} with runuser and need root: run scripts/test as root"
    );
    (id("-u"), id("-g"))
}

/// Runs `script` with `sh -c` as `xacct-test` in a session keyring of its own that
/// holds the user's persistent keyring (so the user's xacct entries are reachable).
pub fn as_user(script: &str) -> String {
    let out = Command::new("runuser")
        .args(["-u", USER, "--", "keyctl", "session", "-", "sh", "-c"])
        .arg(format!("keyctl get_persistent @s >/dev/null; {script}"))
        .stdin(Stdio::null())
        .output()
        .expect("runuser (run the tests through scripts/test)");
    assert!(
        out.status.success(),
        "as {USER}: {script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Removes every xacct entry of `xacct-test` from the kernel keyring (the user exists
/// for these tests only).
fn purge_user_keys() {
    as_user(
        "p=$(keyctl get_persistent @s); for id in $(keyctl rlist \"$p\"); do \
         case \"$(keyctl rdescribe \"$id\" 2>/dev/null)\" in \
         user\\;*\\;keyring:*@xacct) keyctl invalidate \"$id\" ;; \
         esac; done",
    );
}

/// The user's xacct entries as `/proc/keys` shows them to the user: (description,
/// timeout column: `perm` for none, else `59m`, `3h`, ...).
pub fn user_entries() -> Vec<(String, String)> {
    as_user("cat /proc/keys")
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let desc = f.get(8)?.trim_end_matches(':');
            (desc.starts_with("keyring:") && desc.ends_with("@xacct"))
                .then(|| (desc.to_string(), f[3].to_string()))
        })
        .collect()
}

/// One host test at a time; the user's keyring is clean at the start and at the end.
pub struct Serial {
    _guard: MutexGuard<'static, ()>,
}

impl Serial {
    pub fn take() -> Serial {
        static LOCK: Mutex<()> = Mutex::new(());
        host_user();
        let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        purge_user_keys();
        Serial { _guard: guard }
    }
}

impl Drop for Serial {
    fn drop(&mut self) {
        purge_user_keys();
    }
}

/// A home of `xacct-test` with static source keys in `~/.aws/credentials` (profile
/// `src`), and the xacct binary where that user can run it.
pub struct CronWorld {
    dir: tempfile::TempDir,
    pub home: PathBuf,
    bin: PathBuf,
}

impl CronWorld {
    pub fn new() -> CronWorld {
        let (uid, gid) = host_user();
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join(".aws")).unwrap();
        let source_key = format!("AKIA{}", &unique("K").replace(['-', 'K'], "")[..12]);
        std::fs::write(
            home.join(".aws/credentials"),
            format!("[src]\naws_access_key_id = {source_key}\naws_secret_access_key = not-real\n"),
        )
        .unwrap();
        for p in [&home, &home.join(".aws"), &home.join(".aws/credentials")] {
            std::os::unix::fs::chown(p, Some(uid), Some(gid)).unwrap();
        }
        // target/ may not be open to other users: then a copy the user can run.
        let mut bin = PathBuf::from(xacct_bin());
        let runnable = Command::new("runuser")
            .args(["-u", USER, "--", "test", "-x"])
            .arg(&bin)
            .status()
            .expect("runuser (run the tests through scripts/test)")
            .success();
        if !runnable {
            let copy = dir.path().join("xacct");
            std::fs::copy(&bin, &copy).unwrap();
            std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
            bin = copy;
        }
        CronWorld { dir, home, bin }
    }

    /// Writes `~/.aws/config`, owned by the user.
    pub fn write_config(&self, text: &str) {
        let path = self.home.join(".aws/config");
        std::fs::write(&path, text).unwrap();
        let (uid, gid) = host_user();
        std::os::unix::fs::chown(&path, Some(uid), Some(gid)).unwrap();
    }

    /// `xacct ARGS` as the cron job would run it.
    pub fn run(&self, args: &[&str]) -> Run {
        let out = Command::new("runuser")
            .args(["-u", USER, "--", "setsid", "--wait", "env", "-i"])
            .arg(format!("HOME={}", self.home.display()))
            .args([
                &format!("LOGNAME={USER}"),
                "PATH=/usr/bin:/bin",
                "SHELL=/bin/sh",
                &format!("AWS_ENDPOINT_URL={}", moto_url()),
                "AWS_EC2_METADATA_DISABLED=true",
            ])
            .arg(&self.bin)
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .expect("runuser (run the tests through scripts/test)");
        Run::from(out)
    }
}

/// AssumeRole calls moto recorded, per role ARN (one read of data.json for all).
fn assume_counts(roles: &[String]) -> Vec<usize> {
    let data = moto_get("/moto-api/data.json");
    let records = data["sts"]["AssumedRole"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    roles
        .iter()
        .map(|r| {
            records
                .iter()
                .filter(|x| x["role_arn"] == r.as_str())
                .count()
        })
        .collect()
}

fn roles_config(roles: &[String]) -> String {
    roles
        .iter()
        .enumerate()
        .map(|(i, r)| {
            format!("[profile r{i}]\nrole_arn = {r}\nsource_profile = src\nregion = us-east-1\n")
        })
        .collect()
}

pub fn quota_is_the_default() {
    let max: u64 = std::fs::read_to_string("/proc/sys/kernel/keys/maxbytes")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(
        max <= 20000,
        "kernel.keys.maxbytes is {max} here: this test needs the default non-root quota (20000) to fill it"
    );
}

/// Issue 10: a non-root user filled the 20000-byte quota after ~20 roles, and from
/// then on every run warned and called STS. Now: 40 roles in a row, then the last 5
/// again: all 5 are hits, and stderr stays empty throughout.
#[test]
fn forty_roles_as_a_cron_user_keep_the_last_ones_cached_without_a_word() {
    let _serial = Serial::take();
    quota_is_the_default();
    let w = CronWorld::new();
    let roles: Vec<String> = (0..40)
        .map(|i| {
            format!(
                "arn:aws:iam::{ACCOUNT_A}:role/{}",
                unique(&format!("host{i}"))
            )
        })
        .collect();
    w.write_config(&roles_config(&roles));
    let run = |i: usize| {
        let r = w.run(&["credential-process", "--profile", &format!("r{i}")]);
        assert_eq!(r.code, 0, "role {i}: {}", r.stderr);
        assert_eq!(r.json()["AccountId"], ACCOUNT_A, "role {i}");
        assert_eq!(r.stderr, "", "role {i}: stderr must stay empty");
    };
    for i in 0..40 {
        run(i);
    }
    for i in 35..40 {
        run(i);
    }
    let counts = assume_counts(&roles);
    assert_eq!(
        counts,
        vec![1; 40],
        "one AssumeRole per role: the last 5 were hits"
    );
    // The quota was really reached: the first role's entry made room for later ones.
    run(0);
    assert_eq!(
        assume_counts(&roles[..1]),
        vec![2],
        "role 0 was still cached"
    );
    let kept = user_entries().len();
    assert!(
        (5..40).contains(&kept),
        "{kept} entries in the kernel keyring"
    );
}

/// Entries carry a kernel timeout of the credentials' remaining lifetime (moto's 1 h
/// session), so the kernel frees their quota when they expire.
#[test]
fn kernel_entries_expire_with_their_credentials() {
    let _serial = Serial::take();
    let w = CronWorld::new();
    let roles: Vec<String> = (0..2)
        .map(|i| {
            format!(
                "arn:aws:iam::{ACCOUNT_A}:role/{}",
                unique(&format!("tmo{i}"))
            )
        })
        .collect();
    w.write_config(&roles_config(&roles));
    for i in 0..2 {
        let r = w.run(&["credential-process", "--profile", &format!("r{i}")]);
        assert_eq!((r.code, r.stderr.as_str()), (0, ""), "role {i}");
    }
    let entries = user_entries();
    assert_eq!(entries.len(), 2, "{entries:?}");
    for (desc, timeout) in entries {
        // /proc/keys prints the time left: `59m` just after storing a 1 h session.
        let minutes: Option<u32> = timeout.strip_suffix('m').and_then(|m| m.parse().ok());
        assert!(
            matches!(minutes, Some(50..=59)),
            "{desc}: timeout {timeout}, want the session's ~59m"
        );
    }
}
