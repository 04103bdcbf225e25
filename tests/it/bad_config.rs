//! Bad and hostile profiles, environment variables and config or credentials files,
//! through the real binary. Every one must exit 2 with one short line on stderr, nothing
//! on stdout, no control characters echoed to the terminal, no panic and no network call
//! (AWS_ENDPOINT_URL points at a tripwire). Bad flags are in `bad_input`.

use crate::util::*;

/// What every rejected input must look like.
pub fn assert_rejected(case: &str, r: &Run, text: &str) {
    assert_eq!(r.code, 2, "{case}: {r:?}");
    assert_eq!(r.stdout, "", "{case}");
    assert_eq!(r.stderr.lines().count(), 1, "{case}: {}", r.stderr);
    assert!(
        r.stderr.starts_with("xacct: error: "),
        "{case}: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains(text),
        "{case}: want {text:?}: {}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{case}");
    // A hostile value must not reach the terminal raw (escape sequences) nor flood it.
    assert!(
        !r.stderr.trim_end().chars().any(char::is_control),
        "{case}: control character in {:?}",
        r.stderr
    );
    assert!(
        r.stderr.len() <= 600,
        "{case}: {} bytes of error",
        r.stderr.len()
    );
}

/// A World whose AWS endpoint is a tripwire, so any network call is counted.
pub fn tripwired() -> (World, Tripwire) {
    let mut w = World::new();
    let trip = Tripwire::new();
    w.set("AWS_ENDPOINT_URL", &trip.url());
    (w, trip)
}

#[test]
fn hostile_profiles_are_rejected_locally() {
    let (w, trip) = tripwired();
    let arn = w.role_arn.clone();
    w.write_config(&format!(
        "[profile emptyrole]\nrole_arn =\nsource_profile = src\n\
         [profile lower]\nrole_arn = {arn}\ncredential_source = environment\n\
         [profile frac]\nrole_arn = {arn}\nsource_profile = src\nduration_seconds = 3600.5\n\
         [profile negdur]\nrole_arn = {arn}\nsource_profile = src\nduration_seconds = -900\n\
         [profile bigdur]\nrole_arn = {arn}\nsource_profile = src\nduration_seconds = 99999\n\
         [profile badext]\nrole_arn = {arn}\nsource_profile = src\nexternal_id = a b\n\
         [profile badsess]\nrole_arn = {arn}\nsource_profile = src\nrole_session_name = x\n\
         [profile badregion]\nrole_arn = {arn}\nsource_profile = src\nregion = Mars\n\
         [profile userarn]\nrole_arn = arn:aws:iam::111111111111:user/me\nsource_profile = src\n\
         [profile a]\nrole_arn = {arn}\nsource_profile = b\n\
         [profile b]\nrole_arn = {arn}\nsource_profile = a\n\
         [profile self-cp]\ncredential_process = xacct credential-process --profile target\n\
         [profile target]\nrole_arn = {arn}\nsource_profile = self-cp\n"
    ));
    let table: &[(&str, &str, &str)] = &[
        ("empty role_arn", "emptyrole", "has no role_arn"),
        (
            "credential_source in lower case",
            "lower",
            "credential_source",
        ),
        ("fractional duration_seconds", "frac", "duration_seconds"),
        ("negative duration_seconds", "negdur", "duration_seconds"),
        ("duration_seconds above 12h", "bigdur", "out of range"),
        ("external_id with a space", "badext", "external id"),
        ("one-char role_session_name", "badsess", "session name"),
        ("region in capitals", "badregion", "not an AWS region"),
        ("user ARN in role_arn", "userarn", "not a role"),
        ("source_profile loop of two", "a", "loop"),
        ("source runs xacct itself", "target", "runs xacct itself"),
    ];
    for (case, profile, text) in table {
        let r = w.run(&["credential-process", "--profile", profile]);
        assert_rejected(case, &r, text);
    }
    assert_eq!(trip.hits(), 0, "no bad profile may reach the network");
}

#[test]
fn hostile_environment_and_config_files_are_rejected_locally() {
    let (mut w, trip) = tripwired();
    w.target_profile("");
    let args = ["credential-process", "--profile", "target"];

    let mut e = World::new();
    e.set("AWS_ENDPOINT_URL", &trip.url());
    e.target_profile("");
    e.set("XACCT_KEYRING", "gnome");
    assert_rejected("XACCT_KEYRING unknown", &e.run(&args), "is not one of auto");
    e.set("XACCT_KEYRING", "keyutils")
        .set("AWS_REGION", "eu west 1");
    assert_rejected("AWS_REGION junk", &e.run(&args), "not an AWS region");

    // A config file that does not exist has no profiles.
    let home = w.home().to_path_buf();
    w.set("AWS_CONFIG_FILE", home.join("missing").to_str().unwrap());
    assert_rejected("config file missing", &w.run(&args), "not found");

    // A symlink loop cannot be read, even by root.
    let looped = home.join("loop.cfg");
    std::os::unix::fs::symlink(&looped, &looped).unwrap();
    w.set("AWS_CONFIG_FILE", looped.to_str().unwrap());
    assert_rejected(
        "config symlink loop",
        &w.run(&args),
        "cannot read AWS config file",
    );

    // The credentials file is read too.
    w.set(
        "AWS_CONFIG_FILE",
        home.join(".aws/config").to_str().unwrap(),
    );
    let cred_dir = home.join("creds-dir");
    std::fs::create_dir(&cred_dir).unwrap();
    w.set("AWS_SHARED_CREDENTIALS_FILE", cred_dir.to_str().unwrap());
    assert_rejected(
        "credentials file is a directory",
        &w.run(&args),
        "AWS_SHARED_CREDENTIALS_FILE",
    );
    let creds = home.join("creds-bin");
    std::fs::write(&creds, b"[src]\naws_access_key_id = \xc3\x28\n").unwrap();
    w.set("AWS_SHARED_CREDENTIALS_FILE", creds.to_str().unwrap());
    assert_rejected("credentials file not UTF-8", &w.run(&args), "not UTF-8");
    w.set(
        "AWS_SHARED_CREDENTIALS_FILE",
        home.join(".aws/credentials").to_str().unwrap(),
    );

    // Invalid config texts.
    let invalid: &[(&str, &str, &str)] = &[
        (
            "unclosed section",
            "[profile target\nrole_arn = x\n",
            "config",
        ),
        ("NUL bytes", "[profile target]\nrole_arn = \0\0\n", "role"),
        (
            "a megabyte of junk",
            &format!(
                "[profile target]\n{}",
                "junk line without equals\n".repeat(40_000)
            ),
            "config",
        ),
    ];
    for (case, text, want) in invalid {
        w.write_config(text);
        assert_rejected(case, &w.run(&args), want);
    }
    assert_eq!(trip.hits(), 0, "no bad file may reach the network");
}

#[test]
fn unparsable_and_unreadable_config_files_are_config_errors() {
    let mut w = World::new();
    let trip = Tripwire::new();
    w.set("AWS_ENDPOINT_URL", &trip.url());
    w.write_config("[profile target\nrole_arn = x\n");
    let r = w.run(&["credential-process", "--profile", "target"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""), "{}", r.stderr);
    assert!(r.stderr.contains("config"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);

    // A directory where the file should be cannot be read, even by root.
    let dir = w.home().join("config-dir");
    std::fs::create_dir(&dir).unwrap();
    w.set("AWS_CONFIG_FILE", dir.to_str().unwrap());
    let r = w.run(&["credential-process", "--profile", "target"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""), "{}", r.stderr);
    assert!(
        r.stderr.contains("cannot read AWS config file"),
        "{}",
        r.stderr
    );

    std::fs::write(w.home().join("bin.cfg"), [0xff, 0xfe, 0x00]).unwrap();
    w.set(
        "AWS_CONFIG_FILE",
        w.home().join("bin.cfg").to_str().unwrap(),
    );
    let r = w.run(&["credential-process", "--profile", "target"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""), "{}", r.stderr);
    assert!(r.stderr.contains("not UTF-8"), "{}", r.stderr);
    assert_eq!(trip.hits(), 0);
}
