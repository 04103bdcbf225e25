use super::*;
use crate::aws::sts::SessionTokenRequest;
use crate::cli::RoleArgs;
use crate::creds::Secret;
use std::cell::RefCell;

/// Answers from a script of results and records every request.
pub(crate) struct FakeSts {
    answers: RefCell<Vec<Result<Credentials, AwsFailure>>>,
    pub(crate) seen: RefCell<Vec<AssumeRoleRequest>>,
    /// The source credentials turned out to be the instance profile's.
    role_session: bool,
    pub(crate) sessions: RefCell<Vec<SessionTokenRequest>>,
}

impl FakeSts {
    pub(crate) fn new(mut answers: Vec<Result<Credentials, AwsFailure>>) -> FakeSts {
        answers.reverse();
        FakeSts {
            answers: RefCell::new(answers),
            seen: RefCell::new(vec![]),
            role_session: false,
            sessions: RefCell::new(vec![]),
        }
    }
}

impl Sts for FakeSts {
    async fn assume_role(&self, req: &AssumeRoleRequest) -> Result<Credentials, AwsFailure> {
        self.seen.borrow_mut().push(req.clone());
        self.answers
            .borrow_mut()
            .pop()
            .expect("unexpected STS call")
    }

    fn source_is_role_session(&self) -> bool {
        self.role_session
    }

    async fn get_session_token(
        &self,
        req: &SessionTokenRequest,
    ) -> Result<Credentials, AwsFailure> {
        self.sessions.borrow_mut().push(req.clone());
        self.answers
            .borrow_mut()
            .pop()
            .expect("unexpected STS call")
    }
}

fn creds() -> Credentials {
    crate::testing::creds("")
}

fn service(code: &str, message: &str) -> AwsFailure {
    AwsFailure {
        kind: FailureKind::Service,
        code: code.into(),
        message: message.into(),
    }
}

fn settings(extra: RoleArgs) -> Settings {
    crate::testing::settings_with(RoleArgs {
        role_arn: Some("arn:aws:iam::111111111111:role/target".into()),
        duration: Some("4h".into()),
        ..extra
    })
}

fn block<F: std::future::Future>(f: F) -> F::Output {
    crate::rt::block_on(f).unwrap()
}

#[test]
fn chaining_limit_retries_once_at_one_hour_with_a_warning() {
    let sts = FakeSts::new(vec![
        Err(service(
            "ValidationError",
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        )),
        Ok(creds()),
    ]);
    let mut warnings = vec![];
    let got = block(assume(&sts, &settings(RoleArgs::default()), &mut |w| {
        warnings.push(w.to_string())
    }));
    assert_eq!(got.unwrap(), creds());
    let durations: Vec<u32> = sts.seen.borrow().iter().map(|r| r.duration).collect();
    assert_eq!(durations, vec![14400, 3600]);
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].contains("clamped to 3600s"), "{}", warnings[0]);
}

#[test]
fn instance_profile_found_by_the_default_chain_is_clamped_up_front() {
    let sts = FakeSts {
        role_session: true,
        ..FakeSts::new(vec![Ok(creds())])
    };
    let mut warnings = vec![];
    block(assume(&sts, &settings(RoleArgs::default()), &mut |w| {
        warnings.push(w.to_string())
    }))
    .unwrap();
    let durations: Vec<u32> = sts.seen.borrow().iter().map(|r| r.duration).collect();
    assert_eq!(durations, vec![3600], "one call, already at one hour");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("instance profile"), "{}", warnings[0]);
    // An hour or less is left alone, without a warning.
    let sts = FakeSts {
        role_session: true,
        ..FakeSts::new(vec![Ok(creds())])
    };
    let s = crate::testing::settings_with(RoleArgs::default());
    assert_eq!(s.duration, 3600);
    block(assume(&sts, &s, &mut |_| panic!("no warning"))).unwrap();
    assert_eq!(sts.seen.borrow()[0].duration, 3600);
}

#[test]
fn request_carries_the_settings() {
    let sts = FakeSts::new(vec![Ok(creds())]);
    let s = settings(RoleArgs {
        external_id: Some("ext-1".into()),
        session_name: Some("nightly".into()),
        ..RoleArgs::default()
    });
    block(assume(&sts, &s, &mut |_| {})).unwrap();
    let want = AssumeRoleRequest {
        role_arn: "arn:aws:iam::111111111111:role/target".into(),
        session_name: "nightly".into(),
        duration: 14400,
        external_id: Some("ext-1".into()),
        source_identity: None,
        tags: vec![],
    };
    assert_eq!(sts.seen.borrow().as_slice(), &[want]);
}

#[test]
fn request_carries_source_identity_and_tags_and_never_the_mfa_code() {
    let sts = FakeSts::new(vec![Ok(creds())]);
    let s = settings(RoleArgs {
        mfa_serial: Some("arn:aws:iam::222222222222:mfa/alice".into()),
        token_code: Some(Secret::new("123456")),
        source_identity: Some("alice".into()),
        tags: vec!["team=backup".into(), "env=prod".into()],
        ..RoleArgs::default()
    });
    block(assume(&sts, &s, &mut |_| {})).unwrap();
    let seen = sts.seen.borrow();
    let req = &seen[0];
    // The code went into the MFA session (GetSessionToken) the role is assumed from.
    assert_eq!(req.source_identity.as_deref(), Some("alice"));
    let tags = vec![
        ("env".to_string(), "prod".to_string()),
        ("team".to_string(), "backup".to_string()),
    ];
    assert_eq!(req.tags, tags);
    assert!(!format!("{req:?}").contains("123456"), "{req:?}");
}

#[test]
fn mfa_and_tag_errors_name_the_fix() {
    let s = settings(RoleArgs {
        mfa_serial: Some("arn:aws:iam::222222222222:mfa/alice".into()),
        tags: vec!["team=x".into()],
        ..RoleArgs::default()
    });
    let table = [
        (
            service(
                "AccessDenied",
                "MultiFactorAuthentication failed with invalid MFA one time pass code.",
            ),
            &["MFA failed", "mfa/alice", "current code"][..],
        ),
        (
            service("AccessDenied", "denied"),
            &["sts:TagSession", "--allow-session-tags"][..],
        ),
        (
            service("PackedPolicyTooLarge", "too big"),
            &["fewer or shorter --tag"][..],
        ),
    ];
    for (failure, wants) in table {
        let msg = describe(&failure, &s).to_string();
        for want in wants {
            assert!(msg.contains(want), "{msg} lacks {want}");
        }
    }
    let identity = settings(RoleArgs {
        source_identity: Some("alice".into()),
        ..RoleArgs::default()
    });
    let msg = describe(&service("AccessDenied", "denied"), &identity).to_string();
    for want in ["sts:SetSourceIdentity", "--allow-source-identity"] {
        assert!(msg.contains(want), "{msg} lacks {want}");
    }
    assert!(!msg.contains("--allow-session-tags"), "{msg}");
}

#[test]
fn errors_name_the_fix() {
    let unreachable = AwsFailure {
        kind: FailureKind::Unreachable,
        code: "Dispatch".into(),
        message: "connection refused".into(),
    };
    let nocreds = AwsFailure {
        kind: FailureKind::NoSourceCredentials,
        code: "NoCredentials".into(),
        message: "no providers".into(),
    };
    let table = [
        (
            service(
                "AccessDenied",
                "User: arn:aws:sts::222222222222:assumed-role/b/i is not authorized",
            ),
            None,
            &[
                "arn:aws:iam::111111111111:role/target",
                "assumed-role/b/i",
                "trust policy",
                "set external_id",
            ][..],
        ),
        (
            service("AccessDenied", "denied"),
            Some("ext-1"),
            &["sts:ExternalId"][..],
        ),
        (
            service("ExpiredToken", "expired"),
            None,
            &["have expired", "the default credential chain"][..],
        ),
        (
            service("InvalidClientTokenId", "bad"),
            None,
            &["not valid", "keys"][..],
        ),
        (
            service("RegionDisabledException", "x"),
            None,
            &["--region"][..],
        ),
        (
            service(
                "ValidationError",
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
            ),
            None,
            &["lower --duration"][..],
        ),
        (
            service("HTTP 500", ""),
            None,
            &["(HTTP 500)", "retries with backoff", "retry later"][..],
        ),
        (
            service("Throttling", "Rate exceeded"),
            None,
            &["(Throttling: Rate exceeded)", "retry later"][..],
        ),
        (
            unreachable,
            None,
            &["cannot reach STS", "region us-east-1"][..],
        ),
        (
            nocreds,
            None,
            &["could not load source credentials", "--source-profile"][..],
        ),
    ];
    for (failure, ext, wants) in table {
        let s = settings(RoleArgs {
            external_id: ext.map(String::from),
            ..RoleArgs::default()
        });
        let err = describe(&failure, &s);
        assert_eq!(err.exit_code(), 1);
        let msg = err.to_string();
        for want in wants {
            assert!(msg.contains(want), "{:?}: {msg} lacks {want}", failure.code);
        }
        assert!(!msg.contains('\n'));
    }
}
