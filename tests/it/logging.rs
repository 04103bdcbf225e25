//! -v / -vv / -q and RUST_LOG: what stderr says, and that it never says a secret.

use crate::util::*;

fn cp(w: &World, extra: &[&str]) -> Run {
    let (argv, _) = explicit_role(w, "log-test");
    let mut a: Vec<&str> = argv.iter().map(String::as_str).collect();
    a.extend_from_slice(extra);
    w.ok(&a)
}

fn assert_no_secret(r: &Run, doc: &serde_json::Value) {
    for k in ["SecretAccessKey", "SessionToken"] {
        let s = doc[k].as_str().unwrap();
        assert!(!r.stderr.contains(s), "{k} in stderr:\n{}", r.stderr);
    }
    assert!(!r.stderr.contains("source-secret-not-real"), "{}", r.stderr);
}

#[test]
fn vv_says_why_the_cache_missed_and_never_shows_a_secret() {
    let w = World::new();
    let first = cp(&w, &["-vv", "--duration", "900", "--refresh-margin", "60s"]);
    let doc = first.json();
    assert!(first.stderr.contains("cache miss"), "{}", first.stderr);
    assert!(first.stderr.contains("no entry"), "{}", first.stderr);
    assert!(
        first.stderr.contains("xacct: info: assuming"),
        "{}",
        first.stderr
    );
    assert_no_secret(&first, &doc);

    let hit = cp(&w, &["-vv", "--duration", "900", "--refresh-margin", "60s"]);
    assert!(
        hit.stderr.contains("from the cache (keyutils)"),
        "{}",
        hit.stderr
    );
    assert!(!hit.stderr.contains("cache miss"), "{}", hit.stderr);
    assert_no_secret(&hit, &doc);

    // The margin is not in the key: a margin above what is left makes the entry "expiring".
    std::thread::sleep(std::time::Duration::from_secs(2));
    let expiring = cp(
        &w,
        &["-vv", "--duration", "900", "--refresh-margin", "899s"],
    );
    assert!(
        expiring.stderr.contains("expiring in"),
        "{}",
        expiring.stderr
    );
    assert_no_secret(&expiring, &expiring.json());

    // Another duration is another key for the same role and session.
    let changed = cp(&w, &["-vv", "--duration", "1h"]);
    assert!(changed.stderr.contains("key changed"), "{}", changed.stderr);
    assert_no_secret(&changed, &changed.json());

    // Default level: silent on success.
    assert_eq!(cp(&w, &["--duration", "1h"]).stderr, "");
}

#[test]
fn a_corrupt_entry_is_named_at_vv() {
    let w = World::new();
    let key = cache_key_for(&w, explicit_role(&w, "log-test").1);
    let st = open_store("keyutils");
    st.set(&key, "{not json", in_an_hour()).unwrap();
    let r = cp(&w, &["-vv"]);
    assert!(r.stderr.contains("corrupt entry"), "{}", r.stderr);
    st.delete(&key).unwrap();
}

#[test]
fn rust_log_trace_shows_no_secret_either() {
    let mut w = World::new();
    w.set("RUST_LOG", "trace");
    let r = cp(&w, &[]);
    assert!(r.stderr.contains("xacct: "), "RUST_LOG turned logging on");
    assert_no_secret(&r, &r.json());
}

#[test]
fn quiet_hides_warnings_and_default_shows_them() {
    let mut w = World::new();
    w.set("XACCT_KEYRING", "secret-service")
        .set("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    let loud = cp(&w, &[]);
    assert!(
        loud.stderr
            .starts_with("xacct: warning: credential cache unavailable"),
        "{}",
        loud.stderr
    );
    let quiet = cp(&w, &["-q"]);
    assert_eq!(quiet.stderr, "");
}
