//! A headless host (cron, a service: no session bus, the default `auto` store). Before
//! issue 15 every run, cache hits included, probed the Secret Service through zbus: two
//! threads and a Unix socket for nothing. Now `auto` sees that there can be no session
//! bus (DBUS_SESSION_BUS_ADDRESS unset, no `$XDG_RUNTIME_DIR/bus`) and goes straight to
//! the kernel keyring.

use crate::util::*;

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
    let trace = strace(&w, "clone,clone3,fork,vfork,socket,connect", &argv);
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
