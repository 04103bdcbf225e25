//! `xacct whoami` against moto: GetCallerIdentity with the assumed credentials.

use crate::util::*;

#[test]
fn whoami_shows_account_a_and_whether_the_cache_answered() {
    let w = World::new();
    w.target_profile("");
    let first = w.ok(&["whoami", "--profile", "target", "--json"]).json();
    assert_eq!(first["Account"], ACCOUNT_A);
    let role_name = w.role_arn.rsplit('/').next().unwrap();
    let arn = first["Arn"].as_str().unwrap();
    assert!(
        arn.starts_with(&format!(
            "arn:aws:sts::{ACCOUNT_A}:assumed-role/{role_name}/"
        )),
        "{arn}"
    );
    assert!(first["UserId"].as_str().unwrap().contains(':'), "{first}");
    assert_eq!(first["FromCache"], false);
    assert_eq!(first["Store"], "keyutils");

    let second = w.ok(&["whoami", "--profile", "target", "--json"]).json();
    assert_eq!(second["FromCache"], true);
    assert_eq!(second["Expiration"], first["Expiration"]);

    let text = w.ok(&["whoami", "--profile", "target"]);
    assert!(
        text.stdout.contains(&format!("Account     {ACCOUNT_A}\n")),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("FromCache   yes (keyutils)"),
        "{}",
        text.stdout
    );
    assert_eq!(w.assume_count(), 1);
    // Only the identity: no secret on stdout.
    let secrets = issued_secrets();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        assert!(!text.stdout.contains(s.as_str()));
    }
}

#[test]
fn whoami_with_bad_role_options_makes_no_network_call() {
    let mut w = World::new();
    let trip = Tripwire::new();
    w.set("AWS_ENDPOINT_URL", &trip.url());
    let r = w.run(&["whoami", "--role-arn", "arn:aws:iam::1:role/x", "--json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("12 digits"), "{}", r.stderr);
    assert_eq!(trip.hits(), 0);
}
