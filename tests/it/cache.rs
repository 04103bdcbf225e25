//! The keyring cache and single flight, through the real binary and real stores.

use crate::util::*;
use std::process::{Command, Stdio};
use xacct::cache::store::{self, StoreKind};

fn args_for(w: &World) -> Vec<String> {
    explicit_role(w, "cache-test").0
}

fn role_args(w: &World) -> xacct::cli::RoleArgs {
    explicit_role(w, "cache-test").1
}

fn run_args(w: &World, extra: &[&str]) -> Run {
    let mut a = args_for(w);
    a.extend(extra.iter().map(|s| s.to_string()));
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    w.ok(&a)
}

#[test]
fn cache_hit_makes_no_sts_call_in_each_store() {
    for kind in ["keyutils", "secret-service"] {
        let mut w = World::new();
        if kind == "secret-service" {
            w.set("DBUS_SESSION_BUS_ADDRESS", &dbus_address());
        }
        w.set("XACCT_KEYRING", kind);
        let first = run_args(&w, &[]);
        let second = run_args(&w, &[]);
        assert_eq!(first.stdout, second.stdout, "{kind}: served from the cache");
        assert_eq!(w.assume_count(), 1, "{kind}");
        assert_eq!(second.stderr, "", "{kind}: {}", second.stderr);
        // The entry really is in that store.
        let key = cache_key_for(&w, role_args(&w));
        let st = store::open(<StoreKind as clap::ValueEnum>::from_str(kind, false).unwrap())
            .unwrap()
            .unwrap();
        let entry = st.get(&key).unwrap().expect("entry stored");
        assert!(entry.contains(&w.role_arn), "{kind}");
        st.delete(&key).unwrap();
    }
}

#[test]
fn auto_uses_secret_service_when_it_answers_and_keyutils_otherwise() {
    let mut w = World::new();
    w.set("XACCT_KEYRING", "auto")
        .set("DBUS_SESSION_BUS_ADDRESS", &dbus_address());
    run_args(&w, &[]);
    let key = cache_key_for(&w, role_args(&w));
    let ss = store::open(StoreKind::SecretService).unwrap().unwrap();
    assert!(
        ss.get(&key).unwrap().is_some(),
        "auto picked the Secret Service"
    );
    ss.delete(&key).unwrap();

    let mut w = World::new();
    w.set("XACCT_KEYRING", "auto")
        .set("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    let r = run_args(&w, &[]);
    assert_eq!(r.stderr, "", "falling back to keyutils is silent");
    run_args(&w, &[]);
    assert_eq!(w.assume_count(), 1, "keyutils served the second call");
}

#[test]
fn no_cache_and_keyring_none_always_assume() {
    let mut w = World::new();
    run_args(&w, &["--no-cache"]);
    run_args(&w, &["--no-cache"]);
    assert_eq!(w.assume_count(), 2);
    w.set("XACCT_KEYRING", "none");
    run_args(&w, &[]);
    run_args(&w, &[]);
    assert_eq!(w.assume_count(), 4);
}

#[test]
fn missing_keyring_warns_once_and_still_answers() {
    let mut w = World::new();
    w.set("XACCT_KEYRING", "secret-service")
        .set("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    let r = run_args(&w, &[]);
    assert_eq!(r.json()["AccountId"], ACCOUNT_A);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("continuing without a cache"),
        "{}",
        r.stderr
    );
}

#[test]
fn refresh_margin_is_honoured() {
    let w = World::new();
    run_args(&w, &["--duration", "900", "--refresh-margin", "890s"]);
    run_args(&w, &["--duration", "900", "--refresh-margin", "890s"]);
    assert_eq!(
        w.assume_count(),
        1,
        "more than the margin left: served from the cache"
    );
    std::thread::sleep(std::time::Duration::from_secs(2));
    // The margin is not part of the key: the same entry now has less than 899s left.
    run_args(&w, &["--duration", "900", "--refresh-margin", "899s"]);
    assert_eq!(w.assume_count(), 2, "less than the margin left: refreshed");
}

#[test]
fn corrupt_and_truncated_entries_are_misses_and_get_overwritten() {
    for junk in [
        "{not json",
        "{\"version\":1,\"credentials\":{\"access_key_id\":\"AS",
        "{\"version\":99}",
    ] {
        let w = World::new();
        let key = cache_key_for(&w, role_args(&w));
        let st = store::open(StoreKind::Keyutils).unwrap().unwrap();
        st.set(&key, junk).unwrap();
        let r = run_args(&w, &[]);
        assert_eq!(r.json()["AccountId"], ACCOUNT_A, "{junk}");
        assert_eq!(r.stderr, "", "{junk}");
        run_args(&w, &[]);
        assert_eq!(w.assume_count(), 1, "{junk}: overwritten with a good entry");
        st.delete(&key).unwrap();
    }
}

#[test]
fn thirty_two_cold_processes_make_one_assume_role() {
    let w = World::new();
    let args = args_for(&w);
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

#[test]
fn a_lock_holder_killed_with_sigkill_releases_the_lock() {
    let w = World::new();
    let key = cache_key_for(&w, role_args(&w));
    let dir = w.home().join("run/xacct");
    xacct::cache::lock::ensure_dir(&dir).unwrap();
    let lock_file = dir.join(format!("{key}.lock"));
    // flock(1) takes the same flock(2) lock std's File::lock uses.
    let mut holder = Command::new("flock")
        .arg("-o")
        .arg(&lock_file)
        .args(["sleep", "60"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let args = args_for(&w);
    let waiter = w
        .cmd(&args.iter().map(String::as_str).collect::<Vec<_>>())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(w.assume_count(), 0, "the waiter waits for the holder");
    Command::new("kill")
        .args(["-9", &holder.id().to_string()])
        .status()
        .unwrap();
    holder.wait().unwrap();
    let r = Run::from(waiter.wait_with_output().unwrap());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(w.assume_count(), 1);
}

/// The files a run opened and the sockets it connected, from strace.
fn traced(w: &World, args: &[&str]) -> String {
    let trace = w.home().join(format!("trace-{}", unique("t")));
    let out = Command::new("strace")
        .args(["-f", "-e", "trace=openat,open,connect", "-o"])
        .arg(&trace)
        .arg(xacct_bin())
        .args(args)
        .env_clear()
        .envs(&w.env)
        .output()
        .unwrap_or_else(|e| panic!("strace is missing ({e}): run the tests through scripts/test"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&trace).unwrap();
    std::fs::remove_file(&trace).unwrap();
    text
}

#[test]
fn cache_hit_loads_no_sdk_config_tls_or_ca_bundle() {
    let mut w = World::new();
    // Where the SDK looks for CA certificates, made visible to the trace.
    let certs = std::env::var("SSL_CERT_FILE")
        .unwrap_or_else(|_| "/etc/ssl/certs/ca-certificates.crt".into());
    w.set("SSL_CERT_FILE", &certs);
    let args = args_for(&w);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let miss = traced(&w, &args);
    assert!(
        miss.contains(&certs),
        "the miss path loads the CA bundle (the check below can fail)"
    );
    assert!(miss.contains("connect("), "the miss path talks to STS");
    let hit = traced(&w, &args);
    assert_eq!(w.assume_count(), 1);
    assert!(
        !hit.contains(&certs) && !hit.contains("/etc/ssl"),
        "cache hit read the CA bundle:\n{hit}"
    );
    assert!(
        !hit.contains("connect("),
        "cache hit opened a socket:\n{hit}"
    );
}
