//! Real AWS clients consume xacct's output: the AWS CLI v1 and boto3 from PyPI. That
//! nothing secret reaches their stderr is checked in `secrets`.

use crate::util::*;

/// `[profile app]` runs the built xacct as its credential_process.
fn world_with_app_profile() -> World {
    let w = World::new();
    w.write_config(&format!(
        "[profile target]\nrole_arn = {}\nsource_profile = src\n\
         [profile app]\ncredential_process = {} credential-process --profile target\nregion = us-east-1\n",
        w.role_arn,
        xacct_bin()
    ));
    w
}

#[test]
fn aws_cli_gets_account_a_and_five_calls_make_one_assume_role() {
    let w = world_with_app_profile();
    for _ in 0..5 {
        let r = w.tool(
            "aws",
            &[
                "sts",
                "get-caller-identity",
                "--profile",
                "app",
                "--output",
                "json",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let id = r.json();
        assert_eq!(id["Account"], ACCOUNT_A);
        let role_name = w.role_arn.rsplit('/').next().unwrap();
        assert!(
            id["Arn"]
                .as_str()
                .unwrap()
                .contains(&format!("assumed-role/{role_name}/")),
            "{id}"
        );
    }
    assert_eq!(w.assume_count(), 1);
}

#[test]
fn boto3_gets_account_a() {
    let w = world_with_app_profile();
    let script = "import boto3, json; s = boto3.Session(profile_name='app'); \
                  print(json.dumps(s.client('sts').get_caller_identity()['Account']))";
    for _ in 0..2 {
        let r = w.tool("python", &["-c", script]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.stdout.trim(), format!("\"{ACCOUNT_A}\""));
    }
    assert_eq!(w.assume_count(), 1);
}
