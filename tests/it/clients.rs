//! Real AWS clients consume xacct's output: the AWS CLI v1 and boto3 from PyPI.

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

fn run_tool(w: &World, tool: &str, args: &[&str]) -> Run {
    let out = std::process::Command::new(venv_bin(tool))
        .args(args)
        .env_clear()
        .envs(&w.env)
        .output()
        .unwrap();
    Run::from(out)
}

#[test]
fn aws_cli_gets_account_a_and_five_calls_make_one_assume_role() {
    let w = world_with_app_profile();
    for _ in 0..5 {
        let r = run_tool(
            &w,
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
        let r = run_tool(&w, "python", &["-c", script]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.stdout.trim(), format!("\"{ACCOUNT_A}\""));
    }
    assert_eq!(w.assume_count(), 1);
}

#[test]
fn no_secret_reaches_stderr_or_files_outside_the_keyring() {
    let w = world_with_app_profile();
    let r = run_tool(
        &w,
        "aws",
        &["sts", "get-caller-identity", "--profile", "app"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = w.ok(&["credential-process", "--profile", "target"]).json();
    let secrets = [
        doc["SecretAccessKey"].as_str().unwrap(),
        doc["SessionToken"].as_str().unwrap(),
    ];
    for entry in walk(w.home()) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        for s in secrets {
            assert!(!text.contains(s), "secret found in {}", entry.display());
        }
    }
    assert!(
        issued_secrets().iter().any(|s| s == secrets[0]),
        "moto issued what xacct printed"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
