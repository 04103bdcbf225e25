use super::super::tests::{args, env, fixture, profiles};
use crate::cli::RoleArgs;
use crate::settings::{EnvSnapshot, resolve};

#[test]
fn default_chain_recursion_is_refused() {
    let a = RoleArgs {
        role_arn: Some("arn:aws:iam::111111111111:role/r".into()),
        ..args(None)
    };
    let e = EnvSnapshot {
        aws_profile: Some("proc".into()),
        ..env()
    };
    let err = resolve(&a, &fixture(), &e).unwrap_err();
    assert!(err.to_string().contains("runs xacct itself"), "{err}");
    // With keys in the environment the chain never reaches the profile.
    let e = EnvSnapshot {
        aws_access_key_id: Some("AKIA".into()),
        ..e
    };
    resolve(&a, &fixture(), &e).unwrap();
}

#[test]
fn source_profile_loop_of_two_is_a_config_error() {
    // Was exit 1 after loading the SDK: "profile formed an infinite loop".
    let p = profiles(&[
        (
            "a",
            &[
                ("role_arn", "arn:aws:iam::111111111111:role/r"),
                ("source_profile", "b"),
            ],
        ),
        (
            "b",
            &[
                ("role_arn", "arn:aws:iam::111111111111:role/r"),
                ("source_profile", "a"),
            ],
        ),
        (
            "keys-self",
            &[
                ("role_arn", "arn:aws:iam::111111111111:role/r"),
                ("source_profile", "keys-self"),
                ("aws_access_key_id", "AKIA"),
            ],
        ),
        (
            "via-keys-self",
            &[
                ("role_arn", "arn:aws:iam::111111111111:role/r"),
                ("source_profile", "keys-self"),
            ],
        ),
    ]);
    let err = resolve(&args(Some("a")), &p, &env()).unwrap_err();
    assert_eq!(err.exit_code(), 2, "{err}");
    assert!(
        err.to_string()
            .contains("chain loops (\"b\" -> \"a\" -> \"b\")"),
        "{err}"
    );
    // A role profile that takes its own static keys is not a loop.
    resolve(&args(Some("via-keys-self")), &p, &env()).unwrap();
}
