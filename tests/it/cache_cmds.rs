//! `xacct cache list` / `cache clear` with the real stores, and the index they read.

use crate::util::*;

fn role_flags(w: &World, session: &str) -> Vec<String> {
    [
        "--role-arn",
        &w.role_arn,
        "--source-profile",
        "src",
        "--session-name",
        session,
        "--region",
        "us-east-1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn run_with(w: &World, head: &[&str], flags: &[String]) -> Run {
    let mut a: Vec<&str> = head.to_vec();
    a.extend(flags.iter().map(String::as_str));
    w.ok(&a)
}

fn key_of(w: &World, session: &str) -> String {
    cache_key_for(w, explicit_role(w, session).1)
}

fn index_text(w: &World) -> String {
    std::fs::read_to_string(w.home().join("run/xacct/index.json")).unwrap_or_default()
}

#[test]
fn list_and_clear_round_trip_in_each_store() {
    for kind in ["keyutils", "secret-service"] {
        let mut w = World::new();
        if kind == "secret-service" {
            w.set("DBUS_SESSION_BUS_ADDRESS", &dbus_address());
        }
        w.set("XACCT_KEYRING", kind);
        let flags = role_flags(&w, "list-test");
        let doc = run_with(&w, &["credential-process"], &flags).json();
        let secret = doc["SecretAccessKey"].as_str().unwrap().to_string();
        let token = doc["SessionToken"].as_str().unwrap().to_string();

        let table = w.ok(&["cache", "list"]).stdout;
        let row = table
            .lines()
            .find(|l| l.contains(&w.role_arn))
            .unwrap_or_else(|| panic!("{kind}: no row for the role in\n{table}"));
        for want in [
            "list-test",
            "profile:src",
            doc["Expiration"].as_str().unwrap(),
            kind,
        ] {
            assert!(row.contains(want), "{kind}: {row} lacks {want}");
        }
        let json = w.ok(&["cache", "list", "--json"]).json();
        assert_eq!(json[0]["key"], key_of(&w, "list-test"), "{kind}");
        assert_eq!(json[0]["store"], kind);
        for text in [&table, &index_text(&w), &json.to_string()] {
            assert!(
                !text.contains(&secret) && !text.contains(&token),
                "{kind}: secret shown"
            );
        }

        let cleared = run_with(&w, &["cache", "clear"], &flags);
        assert!(
            cleared.stderr.contains("cleared 1 cached entry"),
            "{}",
            cleared.stderr
        );
        assert_eq!(w.ok(&["cache", "list"]).stdout, "", "{kind}: list is empty");
        let again = run_with(&w, &["cache", "clear"], &flags);
        assert!(
            again.stderr.contains("cleared 0 cached entries"),
            "{}",
            again.stderr
        );
        let st = open_store(kind);
        assert_eq!(
            st.get(&key_of(&w, "list-test")).unwrap(),
            None,
            "{kind}: deleted"
        );
        run_with(&w, &["credential-process"], &flags);
        assert_eq!(
            w.assume_count(),
            2,
            "{kind}: the next call had to assume again"
        );
        st.delete(&key_of(&w, "list-test")).unwrap();
    }
}

#[test]
fn clear_all_deletes_every_indexed_entry_from_every_store() {
    let mut w = World::new();
    w.set("DBUS_SESSION_BUS_ADDRESS", &dbus_address());
    w.set("XACCT_KEYRING", "keyutils");
    run_with(&w, &["credential-process"], &role_flags(&w, "one"));
    w.set("XACCT_KEYRING", "secret-service");
    run_with(&w, &["credential-process"], &role_flags(&w, "two"));
    let listed = w.ok(&["cache", "list", "--json"]).json();
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");

    let r = w.ok(&["cache", "clear", "--all"]);
    assert!(
        r.stderr.contains("cleared 2 cached entries"),
        "{}",
        r.stderr
    );
    let ku = open_store("keyutils");
    let ss = open_store("secret-service");
    assert_eq!(ku.get(&key_of(&w, "one")).unwrap(), None);
    assert_eq!(ss.get(&key_of(&w, "two")).unwrap(), None);
    assert_eq!(
        w.ok(&["cache", "list", "--json"]).json(),
        serde_json::json!([])
    );
}

#[test]
fn a_corrupt_or_stale_index_is_tolerated_and_rebuilt() {
    let w = World::new();
    let flags = role_flags(&w, "stale");
    std::fs::create_dir_all(w.home().join("run/xacct")).unwrap();
    std::fs::write(w.home().join("run/xacct/index.json"), "{corrupt").unwrap();
    let r = w.ok(&["-v", "cache", "list"]);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("corrupt"), "{}", r.stderr);
    // Storing an entry rebuilds the index.
    run_with(&w, &["credential-process"], &flags);
    assert!(w.ok(&["cache", "list"]).stdout.contains(&w.role_arn));
    // An entry removed behind xacct's back is dropped from the index.
    let ku = open_store("keyutils");
    ku.delete(&key_of(&w, "stale")).unwrap();
    let r = w.ok(&["-v", "cache", "list"]);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("no longer in keyutils"), "{}", r.stderr);
    assert!(!index_text(&w).contains(&w.role_arn), "{}", index_text(&w));
    // A missing index is an empty list.
    std::fs::remove_file(w.home().join("run/xacct/index.json")).unwrap();
    assert_eq!(w.ok(&["cache", "list"]).stdout, "");
}

#[test]
fn clear_needs_all_or_role_options_but_not_both() {
    let mut w = World::new();
    let trip = Tripwire::new();
    w.set("AWS_ENDPOINT_URL", &trip.url());
    let arn = w.role_arn.clone();
    for args in [
        vec!["cache", "clear"],
        vec!["cache", "clear", "--all", "--role-arn", &arn],
        vec!["cache", "clear", "--role-arn", "arn:aws:s3:::bucket"],
    ] {
        let r = w.run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert_eq!(r.stdout, "");
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    }
    assert_eq!(trip.hits(), 0);
}
