//! Bad and hostile input on the command line (and the profiles it names): exit 2,
//! nothing on stdout, one line on stderr that names the fix, and no network call
//! (AWS_ENDPOINT_URL points at a tripwire listener). Bad files and environment
//! variables are in `bad_config`.

use crate::bad_config::{assert_rejected, tripwired};
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
