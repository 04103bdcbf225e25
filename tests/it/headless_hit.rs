//! A headless host (cron, a service: no session bus, the default `auto` store). Before
//! issue 15 every run, cache hits included, probed the Secret Service through zbus: two
//! threads and a Unix socket for nothing. Now `auto` sees that there can be no session
//! bus (DBUS_SESSION_BUS_ADDRESS unset, no `$XDG_RUNTIME_DIR/bus`) and goes straight to
//! the kernel keyring.

use crate::util::*;
use std::process::Command;

/// The process-creating and socket syscalls of one run, from strace.
fn traced(w: &World, args: &[&str]) -> String {
    let trace = w.home().join(format!("trace-{}", unique("h")));
    let out = Command::new("strace")
        .args([
            "-f",
            "-e",
            "trace=clone,clone3,fork,vfork,socket,connect",
            "-o",
        ])
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
fn a_headless_cache_hit_with_the_auto_store_spawns_no_thread_and_opens_no_socket() {
    let mut w = World::new();
    w.set("XACCT_KEYRING", "auto");
    w.env.remove("DBUS_SESSION_BUS_ADDRESS");
    let run_dir = std::path::PathBuf::from(&w.env["XDG_RUNTIME_DIR"]);
    assert!(run_dir.is_dir() && !run_dir.join("bus").exists());
    let (argv, role) = explicit_role(&w, "headless-hit");
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let first = w.ok(&argv);
    let trace = traced(&w, &argv);
    assert_eq!(w.assume_count(), 1, "the traced run was a cache hit");
    for call in ["clone(", "clone3(", "fork(", "vfork("] {
        assert!(
            !trace.contains(call),
            "a headless cache hit started a thread or process:\n{trace}"
        );
    }
    assert!(
        !trace.contains("socket(") && !trace.contains("connect("),
        "a headless cache hit opened a socket:\n{trace}"
    );
    // The entry is in the kernel keyring, the store `auto` chose.
    let key = cache_key_for(&w, role);
    let stored = open_store("keyutils").get(&key).unwrap();
    assert!(stored.is_some(), "no keyutils entry: {}", first.stderr);
    open_store("keyutils").delete(&key).unwrap();
}
