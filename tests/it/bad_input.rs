//! Every bad input: exit 2, nothing on stdout, one line on stderr that names the fix, and
//! no network call (AWS_ENDPOINT_URL points at a tripwire listener).

use crate::util::*;

#[test]
fn bad_input_fails_locally_with_one_line() {
    let mut w = World::new();
    let trip = Tripwire::new();
    w.set("AWS_ENDPOINT_URL", &trip.url());
    let arn = w.role_arn.clone();
    w.write_config(&format!(
        "[profile target]\nrole_arn = {arn}\nsource_profile = src\n\
         [profile norole]\nregion = us-east-1\n\
         [profile loop]\nrole_arn = {arn}\nsource_profile = loop\n\
         [profile badsrc]\nrole_arn = {arn}\ncredential_source = Magic\n\
         [profile both]\nrole_arn = {arn}\nsource_profile = src\ncredential_source = Environment\n\
         [profile ghost]\nrole_arn = {arn}\nsource_profile = nowhere\n\
         [profile baddur]\nrole_arn = {arn}\nsource_profile = src\nduration_seconds = soon\n\
         [profile badarn]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = src\n"
    ));
    let cp = "credential-process";
    // (case, args, text the error must contain)
    let table: &[(&str, &[&str], &str)] = &[
        ("no role", &[cp], "pass --profile NAME"),
        (
            "unknown profile",
            &[cp, "--profile", "nope"],
            "profile \"nope\" not found",
        ),
        (
            "profile without role_arn",
            &[cp, "--profile", "norole"],
            "has no role_arn",
        ),
        (
            "source_profile loop",
            &[cp, "--profile", "loop"],
            "names itself",
        ),
        (
            "unknown credential_source",
            &[cp, "--profile", "badsrc"],
            "credential_source",
        ),
        ("two sources", &[cp, "--profile", "both"], "keep one"),
        (
            "missing source profile",
            &[cp, "--profile", "ghost"],
            "source profile \"nowhere\" not found",
        ),
        (
            "profile duration",
            &[cp, "--profile", "baddur"],
            "duration_seconds",
        ),
        ("profile arn", &[cp, "--profile", "badarn"], "12 digits"),
        (
            "s3 arn",
            &[cp, "--role-arn", "arn:aws:s3:::bucket"],
            "not an IAM role ARN",
        ),
        (
            "user arn",
            &[cp, "--role-arn", "arn:aws:iam::111111111111:user/u"],
            "not a role",
        ),
        (
            "partition",
            &[cp, "--role-arn", "arn:aws-xx:iam::111111111111:role/r"],
            "partition",
        ),
        (
            "duration low",
            &[cp, "--profile", "target", "--duration", "10m"],
            "out of range",
        ),
        (
            "duration high",
            &[cp, "--profile", "target", "--duration", "13h"],
            "out of range",
        ),
        (
            "duration junk",
            &[cp, "--profile", "target", "--duration", "forever"],
            "not a duration",
        ),
        (
            "margin >= duration",
            &[
                cp,
                "--profile",
                "target",
                "--duration",
                "15m",
                "--refresh-margin",
                "15m",
            ],
            "must be shorter",
        ),
        (
            "session name",
            &[cp, "--profile", "target", "--session-name", "has space"],
            "session name",
        ),
        (
            "session name long",
            &[cp, "--profile", "target", "--session-name", &"s".repeat(65)],
            "session name",
        ),
        (
            "external id",
            &[cp, "--profile", "target", "--external-id", "x"],
            "external id",
        ),
        (
            "region",
            &[cp, "--profile", "target", "--region", "moon"],
            "not an AWS region",
        ),
        (
            "keyring",
            &[cp, "--profile", "target", "--keyring", "vault"],
            "is not one of auto",
        ),
        ("unknown flag", &[cp, "--rolearn", "x"], "--rolearn"),
    ];
    for (case, args, text) in table {
        let r = w.run(args);
        assert_eq!(r.code, 2, "{case}: {r:?}");
        assert_eq!(r.stdout, "", "{case}");
        assert!(r.stderr.contains(text), "{case}: {}", r.stderr);
        if *case != "unknown flag" {
            // clap's own usage errors carry a usage block; ours are one line.
            assert_eq!(r.stderr.lines().count(), 1, "{case}: {}", r.stderr);
            assert!(
                r.stderr.starts_with("xacct: error: "),
                "{case}: {}",
                r.stderr
            );
        }
        assert!(!r.stderr.contains("panicked"), "{case}");
    }
    assert_eq!(trip.hits(), 0, "no bad input may reach the network");
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
