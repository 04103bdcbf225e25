use super::*;

mod bad_input;

pub(super) fn profiles(ini: &[(&str, &[(&str, &str)])]) -> Profiles {
    Profiles {
        profiles: ini
            .iter()
            .map(|(name, kv)| {
                let map = kv
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                (name.to_string(), map)
            })
            .collect(),
        config_file: "/home/u/.aws/config".into(),
    }
}

pub(super) fn fixture() -> Profiles {
    profiles(&[
        (
            "target",
            &[
                ("role_arn", "arn:aws:iam::111111111111:role/backup-reader"),
                ("source_profile", "b"),
                ("external_id", "ext-123"),
                ("role_session_name", "nightly"),
                ("duration_seconds", "7200"),
                ("region", "eu-west-1"),
            ],
        ),
        (
            "b",
            &[
                ("aws_access_key_id", "AKIAB"),
                ("aws_secret_access_key", "x"),
            ],
        ),
        (
            "ec2",
            &[
                ("role_arn", "arn:aws:iam::111111111111:role/r"),
                ("credential_source", "Ec2InstanceMetadata"),
                ("duration_seconds", "43200"),
            ],
        ),
        (
            "chain",
            &[
                ("role_arn", "arn:aws:iam::111111111111:role/r"),
                ("source_profile", "target"),
            ],
        ),
        ("norole", &[("region", "us-east-1")]),
        (
            "both",
            &[
                ("role_arn", "arn:aws:iam::111111111111:role/r"),
                ("source_profile", "b"),
                ("credential_source", "Environment"),
            ],
        ),
        (
            "badsrc",
            &[
                ("role_arn", "arn:aws:iam::111111111111:role/r"),
                ("credential_source", "Magic"),
            ],
        ),
        (
            "missingsrc",
            &[
                ("role_arn", "arn:aws:iam::111111111111:role/r"),
                ("source_profile", "nope"),
            ],
        ),
        (
            "baddur",
            &[
                ("role_arn", "arn:aws:iam::111111111111:role/r"),
                ("duration_seconds", "1h"),
            ],
        ),
        (
            "self",
            &[
                ("role_arn", "arn:aws:iam::111111111111:role/r"),
                ("source_profile", "self"),
            ],
        ),
        (
            "viaxacct",
            &[
                ("role_arn", "arn:aws:iam::111111111111:role/r"),
                ("source_profile", "proc"),
            ],
        ),
        (
            "proc",
            &[(
                "credential_process",
                "/usr/bin/xacct credential-process --profile target",
            )],
        ),
    ])
}

pub(super) fn args(profile: Option<&str>) -> RoleArgs {
    RoleArgs {
        profile: profile.map(String::from),
        ..RoleArgs::default()
    }
}

pub(super) fn env() -> EnvSnapshot {
    EnvSnapshot {
        user: Some("root".into()),
        host: Some("box1".into()),
        ..EnvSnapshot::default()
    }
}

#[test]
fn profile_values_are_read() {
    let s = resolve(&args(Some("target")), &fixture(), &env()).unwrap();
    assert_eq!(
        s.role.as_str(),
        "arn:aws:iam::111111111111:role/backup-reader"
    );
    assert_eq!(s.source, Source::Profile("b".into()));
    assert_eq!(s.external_id.as_deref(), Some("ext-123"));
    assert_eq!(s.session_name, "nightly");
    assert_eq!(s.duration, 7200);
    assert_eq!(s.region, "eu-west-1");
    assert_eq!(s.margin, DEFAULT_MARGIN);
    assert!(s.warnings.is_empty());
}

#[test]
fn flags_override_the_profile() {
    let a = RoleArgs {
        role_arn: Some("arn:aws:iam::222222222222:role/other".into()),
        source_profile: Some("b".into()),
        external_id: Some("flag-ext".into()),
        session_name: Some("flag-session".into()),
        duration: Some("30m".into()),
        region: Some("ap-south-1".into()),
        refresh_margin: Some("5m".into()),
        ..args(Some("ec2"))
    };
    let s = resolve(&a, &fixture(), &env()).unwrap();
    assert_eq!(s.role.account(), "222222222222");
    assert_eq!(
        s.source,
        Source::Profile("b".into()),
        "--source-profile beats credential_source"
    );
    assert_eq!(s.external_id.as_deref(), Some("flag-ext"));
    assert_eq!(s.session_name, "flag-session");
    assert_eq!((s.duration, s.margin), (1800, 300));
    assert_eq!(s.region, "ap-south-1");
}

#[test]
fn defaults_without_a_profile() {
    let a = RoleArgs {
        role_arn: Some("arn:aws:iam::111111111111:role/r".into()),
        ..args(None)
    };
    let s = resolve(&a, &fixture(), &env()).unwrap();
    assert_eq!(s.session_name, "xacct-root@box1");
    assert_eq!((s.duration, s.margin), (3600, 900));
    assert_eq!(
        (s.region.as_str(), s.configured_region.as_deref()),
        ("us-east-1", None)
    );
    assert_eq!(
        s.source,
        Source::DefaultChain {
            profile: None,
            access_key_id: None
        }
    );
}

#[test]
fn region_precedence() {
    let a = || args(Some("target"));
    let table = [
        (
            EnvSnapshot {
                aws_region: Some("us-west-2".into()),
                ..env()
            },
            "us-west-2",
        ),
        (
            EnvSnapshot {
                aws_default_region: Some("us-west-1".into()),
                ..env()
            },
            "eu-west-1",
        ),
    ];
    for (e, want) in table {
        assert_eq!(resolve(&a(), &fixture(), &e).unwrap().region, want);
    }
    let no_region = RoleArgs {
        role_arn: Some("arn:aws:iam::111111111111:role/r".into()),
        ..args(None)
    };
    let e = EnvSnapshot {
        aws_default_region: Some("us-west-1".into()),
        ..env()
    };
    assert_eq!(
        resolve(&no_region, &fixture(), &e).unwrap().region,
        "us-west-1"
    );
}

#[test]
fn endpoint_precedence() {
    let a = RoleArgs {
        role_arn: Some("arn:aws:iam::111111111111:role/r".into()),
        ..args(None)
    };
    let e = EnvSnapshot {
        endpoint_url: Some("http://a".into()),
        endpoint_url_sts: Some("http://sts".into()),
        ..env()
    };
    assert_eq!(
        resolve(&a, &fixture(), &e).unwrap().endpoint.as_deref(),
        Some("http://sts")
    );
}

#[test]
fn role_chaining_is_clamped_with_one_warning() {
    for profile in ["ec2", "chain"] {
        let a = RoleArgs {
            duration: Some("12h".into()),
            ..args(Some(profile))
        };
        let s = resolve(&a, &fixture(), &env()).unwrap();
        assert_eq!(s.duration, 3600, "{profile}");
        assert_eq!(s.warnings.len(), 1, "{profile}");
        assert!(
            s.warnings[0].contains("clamped to 3600s"),
            "{}",
            s.warnings[0]
        );
    }
    // One hour or less is not touched.
    let a = RoleArgs {
        duration: Some("1h".into()),
        ..args(Some("ec2"))
    };
    assert!(resolve(&a, &fixture(), &env()).unwrap().warnings.is_empty());
    // A static-key source is not a role session.
    assert_eq!(
        resolve(&args(Some("target")), &fixture(), &env())
            .unwrap()
            .duration,
        7200
    );
}

#[test]
fn default_session_names() {
    let table = [
        (Some("root"), Some("box"), "xacct-root@box"),
        (None, None, "xacct-unknown@unknown"),
        (Some("j\u{f6}rg"), Some("host name"), "xacct-j-rg@host-name"),
    ];
    for (user, host, want) in table {
        assert_eq!(default_session_name(user, host), want);
    }
    let long = default_session_name(Some("u"), Some(&"h".repeat(100)));
    assert_eq!(long.len(), 64);
}

#[test]
fn the_instance_profile_without_a_region_uses_the_instance_region() {
    let with = |profile: &str, region: Option<&str>, e: EnvSnapshot| {
        let a = RoleArgs {
            region: region.map(String::from),
            ..args(Some(profile))
        };
        let s = resolve(&a, &fixture(), &e).unwrap();
        (s.instance_region, s.region, s.configured_region)
    };
    // (case, profile, --region, env, want instance_region, want region)
    let table = [
        (
            "ec2, nothing configured",
            "ec2",
            None,
            env(),
            true,
            "us-east-1",
        ),
        (
            "ec2, --region",
            "ec2",
            Some("eu-north-1"),
            env(),
            false,
            "eu-north-1",
        ),
        (
            "ec2, AWS_REGION",
            "ec2",
            None,
            EnvSnapshot {
                aws_region: Some("ap-east-1".into()),
                ..env()
            },
            false,
            "ap-east-1",
        ),
        (
            "ec2, AWS_DEFAULT_REGION",
            "ec2",
            None,
            EnvSnapshot {
                aws_default_region: Some("sa-east-1".into()),
                ..env()
            },
            false,
            "sa-east-1",
        ),
        ("static keys", "target", None, env(), false, "eu-west-1"),
        ("chained profile", "chain", None, env(), false, "us-east-1"),
    ];
    for (case, profile, region, e, instance, want) in table {
        let (got_instance, got_region, configured) = with(profile, region, e);
        assert_eq!(
            (got_instance, got_region.as_str()),
            (instance, want),
            "{case}"
        );
        // The exec child is not told a region either: its SDK asks the instance itself.
        if instance {
            assert_eq!(configured, None, "{case}");
        }
    }
}

#[test]
fn minimum_validity() {
    // (--refresh-margin, --min-validity, want min validity or the error's text)
    type Row<'a> = (Option<&'a str>, Option<&'a str>, Result<u32, &'a str>);
    let table: [Row<'_>; 8] = [
        (None, None, Ok(600)),
        (None, Some(""), Ok(600)),
        (
            None,
            Some("soon"),
            Err("--min-validity (XACCT_MIN_VALIDITY): duration"),
        ),
        (None, Some("5m"), Ok(300)),
        (None, Some("0"), Ok(0)),
        (Some("5m"), None, Ok(300)),
        (Some("20m"), Some("15m"), Ok(900)),
        (Some("5m"), Some("5m"), Err("lower --min-validity")),
    ];
    for (margin, min, want) in table {
        let a = RoleArgs {
            role_arn: Some("arn:aws:iam::111111111111:role/r".into()),
            refresh_margin: margin.map(String::from),
            min_validity: min.map(String::from),
            ..args(None)
        };
        let got = resolve(&a, &fixture(), &env());
        match (got, want) {
            (Ok(s), Ok(m)) => assert_eq!(s.min_validity, m, "{margin:?} {min:?}"),
            (Err(e), Err(text)) => {
                assert_eq!(e.exit_code(), 2);
                assert!(e.to_string().contains(text), "{e}");
            }
            (got, want) => panic!("{margin:?} {min:?}: {got:?}, want {want:?}"),
        }
    }
}
