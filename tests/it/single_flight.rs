//! Single flight under load: any number of processes with a cold cache make one
//! AssumeRole per key, a waiter really waits on the key's lock, and a holder killed with
//! SIGKILL releases it.

use crate::util::*;
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn thirty_two_cold_processes_make_one_assume_role() {
    let w = World::new();
    let (args, _) = explicit_role(&w, "cache-test");
    let outs = w.run_concurrently(&args.iter().map(String::as_str).collect::<Vec<_>>(), 32);
    for r in &outs {
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.stdout, outs[0].stdout, "all got the same credentials");
    }
    assert_eq!(w.assume_count(), 1);
    // Key locks only: the `cache list` index and its lock live beside them.
    let locks: Vec<_> = std::fs::read_dir(w.home().join("run/xacct"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("v1-")
        })
        .collect();
    assert_eq!(locks.len(), 1, "one lock file per key");
}

/// Whether /proc/locks shows a lock on the file with inode `ino`: a blocked request
/// (`N: -> FLOCK ...`) when `blocked`, else a granted one.
fn proc_locks_show(ino: u64, blocked: bool) -> bool {
    let locks = std::fs::read_to_string("/proc/locks").unwrap();
    let inode = format!(":{ino}");
    locks.lines().any(|l| {
        let fields: Vec<&str> = l.split_whitespace().collect();
        let is_blocked = fields.get(1) == Some(&"->");
        is_blocked == blocked && fields.iter().any(|f| f.ends_with(&inode))
    })
}

/// Returns once `waiter` is waiting for `lock_file`: either blocked in flock(2) (a
/// blocked request in /proc/locks) or refused twice by flock(LOCK_NB) in its strace
/// `trace` (it tried, was told the lock is held, and is trying again: it is in the
/// wait loop, not past it). Fails if the waiter ends first or never gets there.
fn wait_until_waiting(waiter: &mut Child, lock_file: &Path, trace: &Path) {
    let ino = std::fs::metadata(lock_file).unwrap().ino();
    let name = lock_file
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let start = Instant::now();
    loop {
        let refused = std::fs::read_to_string(trace)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains(&name) && l.contains("LOCK_NB") && l.contains("EAGAIN"))
            .count();
        if refused >= 2 || proc_locks_show(ino, true) {
            return;
        }
        if let Some(status) = waiter.try_wait().unwrap() {
            let trace = std::fs::read_to_string(trace).unwrap_or_default();
            panic!(
                "the waiter ended ({status}) without waiting for {name}; its flock calls:\n{trace}"
            );
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the waiter did not wait for {name} within 30 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The lock holder, killed with SIGKILL by the test or, if the test fails first, on drop.
struct Holder(Child);

impl Holder {
    fn kill_9(&mut self) {
        // Child::kill sends SIGKILL.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        self.kill_9();
    }
}

#[test]
fn a_lock_holder_killed_with_sigkill_releases_the_lock() {
    let w = World::new();
    let (args, role) = explicit_role(&w, "cache-test");
    let key = cache_key_for(&w, role);
    let dir = w.home().join("run/xacct");
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().mode(0o700).create(&dir).unwrap();
    }
    let lock_file = dir.join(format!("{key}.lock"));
    // flock(1) takes the same flock(2) lock std's File::lock uses.
    let mut holder = Holder(
        Command::new("flock")
            .arg("-o")
            .arg(&lock_file)
            .args(["sleep", "60"])
            .spawn()
            .unwrap(),
    );
    let start = Instant::now();
    while !(lock_file.exists()
        && proc_locks_show(std::fs::metadata(&lock_file).unwrap().ino(), false))
    {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "flock(1) did not take the lock"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let trace = w.home().join("waiter.strace");
    let mut waiter = Command::new("strace")
        .args(["-f", "-y", "-e", "trace=flock", "-o"])
        .arg(&trace)
        .arg(xacct_bin())
        .args(&args)
        .env_clear()
        .envs(&w.env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("strace is missing ({e}): run the tests through scripts/test"));
    wait_until_waiting(&mut waiter, &lock_file, &trace);
    assert_eq!(w.assume_count(), 0, "the waiter waits for the holder");
    holder.kill_9();
    let r = Run::from(waiter.wait_with_output().unwrap());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["AccountId"], ACCOUNT_A);
    assert_eq!(w.assume_count(), 1);
}

/// 200 concurrent `credential-process` calls across 10 roles with a cold cache: one
/// AssumeRole per role, a valid document for every caller, and nothing left behind but
/// one lock file per key.
#[test]
fn two_hundred_calls_across_ten_roles_make_ten_assume_roles() {
    let mut w = World::new();
    let tmp = w.home().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    w.set("TMPDIR", tmp.to_str().unwrap());
    let before = files_of(&w);
    let roles: Vec<String> = (0..10)
        .map(|_| format!("arn:aws:iam::{ACCOUNT_A}:role/{}", unique("load")))
        .collect();
    let children: Vec<_> = (0..200)
        .map(|i| {
            let role = &roles[i % roles.len()];
            let child = w.spawn(&[
                "credential-process",
                "--role-arn",
                role,
                "--source-profile",
                "src",
                "--region",
                "us-east-1",
            ]);
            (role.clone(), child)
        })
        .collect();
    let mut per_role: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (role, child) in children {
        let r = Run::from(child.wait_with_output().unwrap());
        assert_eq!(r.code, 0, "{role}: {}", r.stderr);
        assert_eq!(r.stderr, "", "{role}");
        let doc = r.json();
        assert_eq!(doc["Version"], 1);
        assert_eq!(doc["AccountId"], ACCOUNT_A);
        for k in [
            "AccessKeyId",
            "SecretAccessKey",
            "SessionToken",
            "Expiration",
        ] {
            assert!(doc[k].as_str().is_some_and(|v| !v.is_empty()), "{k}: {doc}");
        }
        per_role.entry(role).or_default().push(r.stdout);
    }
    assert_eq!(per_role.len(), 10);
    for (role, outs) in &per_role {
        assert_eq!(outs.len(), 20, "{role}");
        assert!(
            outs.iter().all(|o| o == &outs[0]),
            "{role}: all callers got one session"
        );
        assert_eq!(assume_records(role).len(), 1, "{role}: one AssumeRole");
    }
    // Exactly one lock file per key, nothing else anywhere in the world.
    let locks: Vec<String> = std::fs::read_dir(w.home().join("run/xacct"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    // Beside them only the `cache list` index and its lock; no temp file survives.
    let (keys, others): (Vec<&String>, Vec<&String>) = locks
        .iter()
        .partition(|l| l.starts_with("v1-") && l.ends_with(".lock"));
    assert_eq!(keys.len(), 10, "{locks:?}");
    let mut others: Vec<&str> = others.iter().map(|s| s.as_str()).collect();
    others.sort();
    assert_eq!(others, ["index.json", "index.lock"], "{locks:?}");
    let left: Vec<String> = files_of(&w)
        .into_iter()
        .filter(|p| !p.starts_with("run/xacct/"))
        .collect();
    assert_eq!(left, before, "temp files left behind");
}

fn files_of(w: &World) -> Vec<String> {
    let mut files: Vec<String> = walk(w.home())
        .iter()
        .map(|p| p.strip_prefix(w.home()).unwrap().display().to_string())
        .collect();
    files.sort();
    files
}
