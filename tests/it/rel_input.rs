//! Reliability, hostile input: more kinds than `bad_input.rs` (which it does not repeat),
//! each through the real binary. Every one must exit 2 with one short line on stderr,
//! nothing on stdout, no control characters echoed to the terminal, no panic and no
//! network call (AWS_ENDPOINT_URL points at a tripwire).

use crate::util::*;

/// What every rejected input must look like.
fn assert_rejected(case: &str, r: &Run, text: &str) {
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

fn tripwired() -> (World, Tripwire) {
    let mut w = World::new();
    let trip = Tripwire::new();
    w.set("AWS_ENDPOINT_URL", &trip.url());
    (w, trip)
}

#[test]
fn hostile_flags_are_rejected_locally() {
    let (w, trip) = tripwired();
    w.target_profile("");
    let cp = "credential-process";
    let ok_arn = w.role_arn.clone();
    let long_arn = format!("arn:aws:iam::111111111111:role/{}", "r".repeat(10_000));
    let long_path = format!("arn:aws:iam::111111111111:role/{}/r", "p".repeat(600));
    let long_ext = "e".repeat(1225);
    let long_profile = "p".repeat(5000);
    // `--flag=value`, so a value starting with `-` is a value, not a flag.
    let with = |flag: &'static str, v: String| -> Vec<String> {
        vec![
            cp.into(),
            "--role-arn".into(),
            ok_arn.clone(),
            "--source-profile".into(),
            "src".into(),
            format!("{flag}={v}"),
        ]
    };
    let arn = |v: &str| vec![cp.to_string(), "--role-arn".into(), v.to_string()];
    // (case, args, text the one line must contain)
    let table: Vec<(&str, Vec<String>, &str)> = vec![
        // ARNs
        ("empty arn", arn(""), "not an ARN"),
        (
            "arn with a region",
            arn("arn:aws:iam:eu-west-1:111111111111:role/r"),
            "not an IAM ARN",
        ),
        (
            "account with a letter",
            arn("arn:aws:iam::11111111111O:role/r"),
            "12 digits",
        ),
        (
            "13-digit account",
            arn("arn:aws:iam::1111111111111:role/r"),
            "12 digits",
        ),
        (
            "role name too long",
            arn(&format!(
                "arn:aws:iam::111111111111:role/{}",
                "r".repeat(65)
            )),
            "role name",
        ),
        ("10 KB arn", arn(&long_arn), "role name"),
        ("path too long", arn(&long_path), "bad role path"),
        (
            "empty path segment",
            arn("arn:aws:iam::111111111111:role/a//r"),
            "bad role path",
        ),
        (
            "terminal escape in arn",
            arn("arn:aws:iam::111111111111:role/\u{1b}[31mred"),
            "role name",
        ),
        (
            "newline in arn",
            arn("arn:aws:iam::111111111111:role/r\nxacct: ok"),
            "role name",
        ),
        (
            "unicode lookalike",
            arn("arn:aws:iam::111111111111:rоle/r"),
            "not a role",
        ),
        (
            "no resource",
            arn("arn:aws:iam::111111111111"),
            "not an ARN",
        ),
        // Durations
        (
            "negative duration",
            with("--duration", "-1".into()),
            "duration",
        ),
        (
            "zero duration",
            with("--duration", "0".into()),
            "out of range",
        ),
        (
            "exponent",
            with("--duration", "1e3".into()),
            "not a duration",
        ),
        (
            "u64 overflow",
            with("--duration", "99999999999999999999999".into()),
            "not a duration",
        ),
        (
            "units reversed",
            with("--duration", "30m1h".into()),
            "not a duration",
        ),
        (
            "unit twice",
            with("--duration", "1h1h".into()),
            "not a duration",
        ),
        (
            "trailing digits",
            with("--duration", "1h30".into()),
            "not a duration",
        ),
        (
            "arabic digits",
            with("--duration", "٣٦٠٠".into()),
            "not a duration",
        ),
        (
            "saturating hours",
            with("--duration", "18446744073709551615h".into()),
            "not a duration",
        ),
        (
            "empty margin",
            with("--refresh-margin", "".into()),
            "not a duration",
        ),
        // Names
        (
            "empty session name",
            with("--session-name", "".into()),
            "session name",
        ),
        (
            "slash in session name",
            with("--session-name", "a/b".into()),
            "session name",
        ),
        (
            "unicode session name",
            with("--session-name", "sesión".into()),
            "session name",
        ),
        (
            "escape in session name",
            with("--session-name", "\u{1b}]0;pwned\u{7}".into()),
            "session name",
        ),
        // External ids
        (
            "external id too long",
            with("--external-id", long_ext),
            "external id",
        ),
        (
            "external id with #",
            with("--external-id", "ab#cd".into()),
            "external id",
        ),
        (
            "unicode external id",
            with("--external-id", "ïd-1234".into()),
            "external id",
        ),
        // Regions and stores
        (
            "uppercase region",
            with("--region", "US-EAST-1".into()),
            "not an AWS region",
        ),
        (
            "region with a slash",
            with("--region", "us-east-1/../x".into()),
            "not an AWS region",
        ),
        (
            "store with escape",
            with("--keyring", "\u{1b}[2J".into()),
            "is not one of auto",
        ),
        // Profiles
        (
            "empty profile name",
            vec![cp.into(), "--profile".into(), "".into()],
            "not found",
        ),
        (
            "5000-char profile name",
            vec![cp.into(), "--profile".into(), long_profile],
            "not found",
        ),
        (
            "missing source profile flag",
            vec![
                cp.into(),
                "--role-arn".into(),
                ok_arn.clone(),
                "--source-profile".into(),
                "nowhere".into(),
            ],
            "not found",
        ),
    ];
    for (case, args, text) in &table {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_rejected(case, &w.run(&args), text);
    }
    assert!(table.len() >= 30);
    assert_eq!(trip.hits(), 0, "no bad input may reach the network");
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
