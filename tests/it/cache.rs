//! The keyring cache through the real binary and real stores: hits, misses, the refresh
//! margin, corrupt entries, and what a hit does not load. Store choice and keyring
//! faults are in `keyring`, concurrency in `single_flight`.

use crate::util::*;

fn args_for(w: &World) -> Vec<String> {
    explicit_role(w, "cache-test").0
}

/// The keyring key of `args_for(w)`.
fn key_of(w: &World) -> String {
    cache_key_for(w, explicit_role(w, "cache-test").1)
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
        let key = key_of(&w);
        let st = open_store(kind);
        let entry = st.get(&key).unwrap().expect("entry stored");
        // Entries name the assumed-role session (arn:aws:sts::A:assumed-role/NAME/...).
        let c = xacct::cache::entry::decode(&entry).unwrap();
        let name = w.role_arn.rsplit('/').next().unwrap();
        let arn = c.assumed_role_arn.unwrap_or_default();
        assert!(
            arn.contains(&format!("assumed-role/{name}/")),
            "{kind}: {arn}"
        );
        st.delete(&key).unwrap();
    }
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
        let key = key_of(&w);
        let st = open_store("keyutils");
        st.set(&key, junk, in_an_hour()).unwrap();
        let r = run_args(&w, &[]);
        assert_eq!(r.json()["AccountId"], ACCOUNT_A, "{junk}");
        assert_eq!(r.stderr, "", "{junk}");
        run_args(&w, &[]);
        assert_eq!(w.assume_count(), 1, "{junk}: overwritten with a good entry");
        st.delete(&key).unwrap();
    }
}

#[test]
fn corrupt_secret_service_entries_are_misses_and_get_overwritten() {
    let long_junk = "x".repeat(64 * 1024);
    let junk: Vec<String> = vec![
        String::new(),
        "null".into(),
        "[]".into(),
        "{\"version\":1}".into(),
        "{\"version\":\"1\"}".into(),
        "{\"version\":-1}".into(),
        "{\"version\":1,\"credentials\":{\"access_key_id\":\"A\",\"secret_access_key\":\"s\",\
         \"session_token\":\"t\",\"expiration\":\"tomorrow\",\"account_id\":\"1\"},\
         \"role_arn\":\"r\",\"session_name\":\"s\",\"source\":\"x\"}"
            .into(),
        // Well-formed but long expired: a miss like any other.
        "{\"version\":1,\"credentials\":{\"access_key_id\":\"A\",\"secret_access_key\":\"s\",\
         \"session_token\":\"t\",\"expiration\":\"2001-01-01T00:00:00Z\",\"account_id\":\"1\"},\
         \"role_arn\":\"r\",\"session_name\":\"s\",\"source\":\"x\"}"
            .into(),
        long_junk,
    ];
    let mut w = World::new();
    w.set("DBUS_SESSION_BUS_ADDRESS", &dbus_address())
        .set("XACCT_KEYRING", "secret-service");
    let st = open_store("secret-service");
    for (i, j) in junk.iter().enumerate() {
        let (argv, role) = explicit_role(&w, &format!("corrupt-{i}"));
        let key = cache_key_for(&w, role);
        st.set(&key, j, in_an_hour()).unwrap();
        let a: Vec<&str> = argv.iter().map(String::as_str).collect();
        let r = w.ok(&a);
        assert_eq!(r.json()["AccountId"], ACCOUNT_A, "entry {i}");
        assert_eq!(r.stderr, "", "entry {i}: a corrupt entry is a silent miss");
        let again = w.ok(&a);
        assert_eq!(
            again.stdout, r.stdout,
            "entry {i}: overwritten, then served"
        );
        assert_eq!(w.assume_count(), i + 1, "entry {i}");
        st.delete(&key).unwrap();
    }
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
    let miss = strace(&w, "openat,open,connect", &args);
    assert!(
        miss.contains(&certs),
        "the miss path loads the CA bundle (the check below can fail)"
    );
    assert!(miss.contains("connect("), "the miss path talks to STS");
    let hit = strace(&w, "openat,open,connect", &args);
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
