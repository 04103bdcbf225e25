use super::*;

fn args(extra: &[&str]) -> BootstrapArgs {
    use clap::Parser;
    let mut argv = vec![
        "xacct",
        "bootstrap",
        "--source-profile",
        "b",
        "--target-profile",
        "a",
    ];
    argv.extend_from_slice(extra);
    match crate::cli::Cli::try_parse_from(argv).unwrap().command {
        crate::cli::Command::Bootstrap(a) => a,
        #[allow(unreachable_patterns)]
        _ => unreachable!(),
    }
}

fn files(p: &Path) -> std::io::Result<String> {
    match p.to_str() {
        Some("read.json") | Some("dir/read.json") => Ok(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#.into(),
        ),
        Some("my policy!.json") => {
            Ok(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#.into())
        }
        Some("bad.json") => Ok("{not json".into()),
        Some("list.json") => Ok("[1]".into()),
        _ => Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "No such file",
        )),
    }
}

#[test]
fn defaults() {
    let r = validate(&args(&[]), &files).unwrap();
    assert_eq!(
        (r.source_role.as_str(), r.target_role.as_str()),
        ("xacct-source", "xacct-target")
    );
    assert_eq!(r.trustees, vec![Trustee::Ec2]);
    assert_eq!(r.profile_name, "xacct-target");
    assert_eq!(r.max_session, 3600);
    assert_eq!(r.external_id, ExternalIdArg::Keep);
    assert_eq!(r.session, SessionActions::default());
    assert_eq!(r.emit, None);
}

#[test]
fn good_arguments() {
    let r = validate(
        &args(&[
            "--source-trust",
            "account",
            "--source-trust",
            "lambda",
            "--source-trust",
            "account",
            "--target-policy-file",
            "read.json",
            "--target-policy-file",
            "my policy!.json",
            "--target-policy-arn",
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "--external-id",
            "auto",
            "--max-session-duration",
            "12h",
            "--target-role",
            "t",
        ]),
        &files,
    )
    .unwrap();
    assert_eq!(r.trustees, vec![Trustee::Account, Trustee::Lambda]);
    assert_eq!(
        r.inline.keys().collect::<Vec<_>>(),
        vec!["my-policy-", "read"]
    );
    assert_eq!(r.max_session, 43200);
    assert_eq!(r.external_id, ExternalIdArg::Auto);
    assert_eq!(r.profile_name, "t");
    let r = validate(&args(&["--external-id", "ext-1"]), &files).unwrap();
    assert_eq!(r.external_id, ExternalIdArg::Given("ext-1".into()));
    let r = validate(
        &args(&[
            "--external-id",
            "none",
            "--allow-session-tags",
            "--allow-source-identity",
            "--emit",
            "terraform",
            "--out",
            "infra",
        ]),
        &files,
    )
    .unwrap();
    assert_eq!(r.external_id, ExternalIdArg::Remove);
    assert_eq!(
        r.session,
        SessionActions {
            tags: true,
            source_identity: true
        }
    );
    assert_eq!(
        r.emit,
        Some((crate::cli::EmitFormat::Terraform, PathBuf::from("infra")))
    );
}

#[test]
fn bad_arguments_name_the_flag() {
    let table: &[(&[&str], &str)] = &[
        (&["--source-role", "a b"], "--source-role"),
        (&["--target-role", ""], "--target-role"),
        (&["--source-trust", "ec3"], "not ec2, lambda"),
        (&["--source-trust", "arn:aws:iam::1:root"], "12 digits"),
        (
            &["--target-policy-arn", "ReadOnlyAccess"],
            "managed policy ARN",
        ),
        (&["--target-policy-file", "missing.json"], "cannot read it"),
        (&["--target-policy-file", "bad.json"], "is not JSON"),
        (&["--target-policy-file", "list.json"], "not an IAM policy"),
        (
            &[
                "--target-policy-file",
                "read.json",
                "--target-policy-file",
                "dir/read.json",
            ],
            "rename one",
        ),
        (&["--external-id", "x"], "external id"),
        (&["--max-session-duration", "30m"], "out of range"),
        (&["--max-session-duration", "13h"], "out of range"),
        (&["--max-session-duration", "soon"], "not a duration"),
        (&["--profile-name", "default"], "--profile-name"),
        (&["--delete", "--write-config"], "--delete takes only"),
        (&["--delete", "--allow-session-tags"], "--delete takes only"),
        (
            &["--emit", "cloudformation", "--out", "d", "--dry-run"],
            "changes nothing",
        ),
        (
            &["--emit", "terraform", "--out", "d", "--adopt"],
            "changes nothing",
        ),
    ];
    for (extra, text) in table {
        let err = validate(&args(extra), &files).expect_err(&format!("{extra:?}"));
        assert!(matches!(err, Error::Usage(_)), "{extra:?}");
        assert!(err.to_string().contains(text), "{extra:?}: {err}");
    }
    let mut blank = args(&[]);
    blank.source_profile = " ".into();
    let err = validate(&blank, &files).unwrap_err();
    assert!(err.to_string().contains("--source-profile"), "{err}");
}

#[test]
fn desired_state_names_both_roles() {
    let mut r = validate(&args(&["--source-trust", "ec2"]), &files).unwrap();
    r.policy_arns
        .insert("arn:aws:iam::aws:policy/ReadOnlyAccess".into());
    let b = "arn:aws:iam::123456789012:role/xacct-source";
    let a = "arn:aws:iam::111111111111:role/xacct-target";
    let d = desired(&r, "aws", "123456789012", (b, a), Some("e-1"));
    assert_eq!(
        d.target_trust,
        policy::target_trust(b, Some("e-1"), SessionActions::default())
    );
    assert_eq!(
        d.source_permissions,
        policy::source_permissions(a, SessionActions::default())
    );
    assert_eq!((d.source_arn.as_str(), d.target_arn.as_str()), (b, a));
    assert!(d.instance_profile);
    assert_eq!(d.target_attached.len(), 1);
    assert_eq!(
        role_arns(&r, "aws", "123456789012", "111111111111"),
        (b.to_string(), a.to_string())
    );
}

#[test]
fn a_role_at_a_path_is_named_by_the_arn_iam_returns() {
    let r = validate(&args(&["--allow-session-tags"]), &files).unwrap();
    let b = "arn:aws:iam::123456789012:role/service/xacct-source";
    let a = "arn:aws:iam::111111111111:role/team/xacct-target";
    let d = desired(&r, "aws", "123456789012", (b, a), None);
    assert_eq!(d.target_trust["Statement"][0]["Principal"]["AWS"], b);
    assert_eq!(d.source_permissions["Statement"][0]["Resource"], a);
    assert_eq!(
        d.source_permissions["Statement"][0]["Action"],
        serde_json::json!(["sts:AssumeRole", "sts:TagSession"])
    );
}

#[test]
fn random_external_ids_are_valid_and_differ() {
    let a = random_external_id().unwrap();
    let b = random_external_id().unwrap();
    assert_eq!(a.len(), 32);
    assert_ne!(a, b);
    crate::arn::check_external_id(&a).unwrap();
}
