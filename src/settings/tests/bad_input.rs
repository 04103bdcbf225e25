//! Bad flags and bad profile values: each is rejected locally with one line naming the fix.

use super::{args, env, fixture, profiles};
use crate::cli::RoleArgs;
use crate::settings::resolve;

#[test]
fn bad_input_is_rejected_with_the_fix() {
    let arn = |a: &str| RoleArgs {
        role_arn: Some(a.into()),
        ..args(None)
    };
    let ok_arn = || arn("arn:aws:iam::111111111111:role/r");
    // (case, args, exit code, text the message must contain)
    let table: Vec<(&str, RoleArgs, u8, &str)> = vec![
        ("nothing", args(None), 2, "pass --profile NAME"),
        (
            "missing profile",
            args(Some("nope")),
            2,
            "profile \"nope\" not found in /home/u/.aws/config",
        ),
        ("no role_arn", args(Some("norole")), 2, "has no role_arn"),
        (
            "bad arn",
            arn("arn:aws:s3:::b"),
            2,
            "is not an IAM role ARN",
        ),
        (
            "short account",
            arn("arn:aws:iam::123:role/r"),
            2,
            "12 digits",
        ),
        (
            "duration low",
            RoleArgs {
                duration: Some("899".into()),
                ..ok_arn()
            },
            2,
            "out of range",
        ),
        (
            "duration high",
            RoleArgs {
                duration: Some("13h".into()),
                ..ok_arn()
            },
            2,
            "out of range",
        ),
        (
            "duration junk",
            RoleArgs {
                duration: Some("soon".into()),
                ..ok_arn()
            },
            2,
            "not a duration",
        ),
        (
            "margin junk",
            RoleArgs {
                refresh_margin: Some("x".into()),
                ..ok_arn()
            },
            2,
            "not a duration",
        ),
        (
            "margin >= duration",
            RoleArgs {
                refresh_margin: Some("1h".into()),
                ..ok_arn()
            },
            2,
            "must be shorter",
        ),
        (
            "minimum validity junk",
            RoleArgs {
                min_validity: Some("soon".into()),
                ..ok_arn()
            },
            2,
            "not a duration",
        ),
        (
            "minimum validity >= margin",
            RoleArgs {
                min_validity: Some("15m".into()),
                ..ok_arn()
            },
            2,
            "lower --min-validity",
        ),
        (
            "session short",
            RoleArgs {
                session_name: Some("a".into()),
                ..ok_arn()
            },
            2,
            "session name",
        ),
        (
            "session charset",
            RoleArgs {
                session_name: Some("a b".into()),
                ..ok_arn()
            },
            2,
            "session name",
        ),
        (
            "external id",
            RoleArgs {
                external_id: Some("a b".into()),
                ..ok_arn()
            },
            2,
            "external id",
        ),
        (
            "region",
            RoleArgs {
                region: Some("Mars".into()),
                ..ok_arn()
            },
            2,
            "not an AWS region",
        ),
        (
            "both sources",
            args(Some("both")),
            2,
            "both source_profile and credential_source",
        ),
        (
            "unknown credential_source",
            args(Some("badsrc")),
            2,
            "use Environment, Ec2InstanceMetadata",
        ),
        (
            "missing source profile",
            args(Some("missingsrc")),
            2,
            "source profile \"nope\" not found",
        ),
        (
            "profile duration",
            args(Some("baddur")),
            2,
            "whole number of seconds",
        ),
        ("self source", args(Some("self")), 2, "names itself"),
        (
            "recursive source",
            args(Some("viaxacct")),
            2,
            "runs xacct itself",
        ),
    ];
    for (case, a, code, text) in table {
        let err = resolve(&a, &fixture(), &env()).expect_err(case);
        assert_eq!(err.exit_code(), code, "{case}: {err}");
        let msg = err.to_string();
        assert!(msg.contains(text), "{case}: {msg}");
        assert!(!msg.contains('\n'), "{case}: one line: {msg}");
    }
}

#[test]
fn a_5000_char_profile_name_is_not_echoed_whole() {
    // Was a 5105-byte error line.
    let long = "p".repeat(5000);
    for a in [
        args(Some(&long)),
        RoleArgs {
            role_arn: Some("arn:aws:iam::111111111111:role/r".into()),
            source_profile: Some(long.clone()),
            ..args(None)
        },
    ] {
        let msg = resolve(&a, &fixture(), &env()).unwrap_err().to_string();
        assert!(msg.contains("not found"), "{msg}");
        assert!(msg.len() < 300, "{} bytes: {msg}", msg.len());
    }
}

#[test]
fn a_bad_value_read_from_a_profile_names_the_profile() {
    let p = profiles(&[
        ("arn", &[("role_arn", "arn:aws:s3:::bucket")]),
        (
            "sess",
            &[
                ("role_arn", "arn:aws:iam::111111111111:role/r"),
                ("role_session_name", "a b"),
            ],
        ),
        (
            "reg",
            &[
                ("role_arn", "arn:aws:iam::111111111111:role/r"),
                ("region", "Mars"),
            ],
        ),
    ]);
    // (profile, text after the profile's name)
    let table = [
        ("arn", "is not an IAM role ARN"),
        ("sess", "session name"),
        ("reg", "not an AWS region"),
    ];
    for (name, want) in table {
        let err = resolve(&args(Some(name)), &p, &env()).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{err}");
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("profile {name:?}: ")) && msg.contains(want),
            "{msg}"
        );
    }
    // The same bad value given as a flag is the command line's fault, not a profile's.
    let flag = RoleArgs {
        role_arn: Some("arn:aws:s3:::bucket".into()),
        ..args(Some("sess"))
    };
    let msg = resolve(&flag, &p, &env()).unwrap_err().to_string();
    assert!(!msg.starts_with("profile"), "{msg}");
}
