//! `gather` with a fake `Remote`: which facts are asked for, in which order, and when
//! a step is left out. The fixtures are shared with the judges' tests.

use super::*;
use crate::cli::RoleArgs;
use std::rc::Rc;

pub fn failure(kind: FailureKind, code: &str, message: &str) -> AwsFailure {
    AwsFailure {
        kind,
        code: code.into(),
        message: message.into(),
    }
}

pub fn denied() -> AwsFailure {
    failure(
        FailureKind::Service,
        "AccessDenied",
        "User: arn:aws:sts::123456789012:assumed-role/B/sess is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/r",
    )
}

pub fn identity(arn: &str) -> CallerIdentity {
    CallerIdentity {
        account: "123456789012".into(),
        arn: arn.into(),
        user_id: "AIDA".into(),
    }
}

pub fn loaded(via: Via) -> Loaded {
    Loaded {
        via,
        access_key_id: "AKIASOURCE".into(),
        expires: None,
        region: "us-east-1".into(),
    }
}

pub fn call(result: Result<CallerIdentity, AwsFailure>) -> StsCall {
    let answered = result.is_ok();
    StsCall {
        with_source: true,
        url: Some("https://sts.us-east-1.amazonaws.com/".into()),
        status: answered.then_some(200),
        date: None,
        received: None,
        result,
        proxy: Proxy::default(),
    }
}

type Log = Rc<RefCell<Vec<String>>>;

pub struct FakeSts {
    replies: RefCell<Vec<Result<Credentials, AwsFailure>>>,
    log: Log,
}

impl Sts for FakeSts {
    async fn assume_role(&self, req: &AssumeRoleRequest) -> Result<Credentials, AwsFailure> {
        self.log
            .borrow_mut()
            .push(format!("assume_role {}", req.duration));
        self.replies.borrow_mut().remove(0)
    }
    async fn get_session_token(
        &self,
        _req: &SessionTokenRequest,
    ) -> Result<Credentials, AwsFailure> {
        self.log.borrow_mut().push("get_session_token".into());
        Ok(crate::testing::creds("MFA"))
    }
}

pub struct Fake {
    pub imds: Imds,
    pub source: Result<Loaded, AwsFailure>,
    pub call: StsCall,
    pub assume: Vec<Result<Credentials, AwsFailure>>,
    pub policies: Result<Vec<(String, String)>, AwsFailure>,
    pub log: Log,
}

impl Fake {
    pub fn healthy() -> Fake {
        Fake {
            imds: Imds::Answered {
                role: Some("B".into()),
            },
            source: Ok(loaded(Via::ProfileKeys)),
            call: call(Ok(identity("arn:aws:iam::123456789012:user/u"))),
            assume: vec![Ok(crate::testing::creds("A"))],
            policies: Ok(vec![]),
            log: Rc::default(),
        }
    }
    fn note(&self, what: &str) {
        self.log.borrow_mut().push(what.into());
    }
    pub fn steps(&self) -> Vec<String> {
        self.log.borrow().clone()
    }
}

impl Remote for Fake {
    type Sts = FakeSts;
    async fn imds(&self) -> Imds {
        self.note("imds");
        self.imds.clone()
    }
    async fn load_source(&mut self) -> Result<Loaded, AwsFailure> {
        self.note("load_source");
        self.source.clone()
    }
    async fn caller_identity(&self) -> StsCall {
        self.note("caller_identity");
        self.call.clone()
    }
    async fn sts(&self, mfa: Option<&Credentials>) -> Result<FakeSts, AwsFailure> {
        self.note(if mfa.is_some() { "sts mfa" } else { "sts" });
        Ok(FakeSts {
            replies: RefCell::new(self.assume.clone()),
            log: self.log.clone(),
        })
    }
    async fn role_policies(&self, name: &str) -> Result<Vec<(String, String)>, AwsFailure> {
        self.note(&format!("role_policies {name}"));
        self.policies.clone()
    }
}

pub fn settings_with(f: impl FnOnce(&mut RoleArgs)) -> Settings {
    let mut args = RoleArgs::default();
    f(&mut args);
    Settings {
        source: Source::Profile("src".into()),
        ..crate::testing::settings_with(args)
    }
}

pub fn run(fake: &mut Fake, s: &Settings) -> Facts {
    crate::rt::block_on(gather(fake, s)).unwrap()
}

#[test]
fn a_healthy_chain_loads_calls_and_assumes_once_without_imds() {
    let mut fake = Fake::healthy();
    let facts = run(&mut fake, &settings_with(|_| {}));
    assert_eq!(
        fake.steps(),
        ["load_source", "caller_identity", "sts", "assume_role 3600"]
    );
    assert!(facts.imds.is_none());
    assert!(matches!(
        facts.assume,
        AssumeFact::Done { result: Ok(_), .. }
    ));
}

#[test]
fn an_instance_profile_without_a_token_is_not_loaded_but_sts_is_still_asked() {
    let mut fake = Fake {
        imds: Imds::TokenTimedOut,
        ..Fake::healthy()
    };
    let mut s = settings_with(|_| {});
    s.source = Source::Ec2InstanceMetadata;
    let facts = run(&mut fake, &s);
    assert_eq!(fake.steps(), ["imds", "caller_identity"]);
    assert_eq!(facts.source, SourceFact::NotLoaded);
    assert!(matches!(facts.assume, AssumeFact::NotTried));
}

#[test]
fn the_default_chain_probes_imds_only_when_it_landed_there_or_found_nothing() {
    let chain = || {
        let mut s = settings_with(|_| {});
        s.source = Source::DefaultChain {
            profile: None,
            access_key_id: None,
        };
        s
    };
    let table = [
        (Ok(loaded(Via::ProfileKeys)), false),
        (Ok(loaded(Via::InstanceProfile)), true),
        (
            Err(failure(
                FailureKind::NoSourceCredentials,
                "NoCredentials",
                "none",
            )),
            true,
        ),
    ];
    for (source, probed) in table {
        let mut fake = Fake {
            source,
            ..Fake::healthy()
        };
        run(&mut fake, &chain());
        assert_eq!(fake.steps().contains(&"imds".to_string()), probed);
    }
}

#[test]
fn access_denied_for_a_role_source_reads_that_roles_inline_policies() {
    let mut fake = Fake {
        call: call(Ok(identity(
            "arn:aws:sts::123456789012:assumed-role/B/sess",
        ))),
        assume: vec![Err(denied())],
        ..Fake::healthy()
    };
    let facts = run(&mut fake, &settings_with(|_| {}));
    assert_eq!(fake.steps().last().unwrap(), "role_policies B");
    let AssumeFact::Done {
        result, policies, ..
    } = facts.assume
    else {
        panic!("{:?}", facts.assume)
    };
    assert_eq!(result.unwrap_err().code, "AccessDenied");
    assert!(matches!(policies, Some(PolicyFact::Read { role, .. }) if role == "B"));
    // A user source has no role policies to read.
    let mut fake = Fake {
        assume: vec![Err(denied())],
        ..Fake::healthy()
    };
    run(&mut fake, &settings_with(|_| {}));
    assert!(!fake.steps().iter().any(|s| s.starts_with("role_policies")));
}

#[test]
fn the_providers_chaining_retry_is_reused_and_reported() {
    let chaining = failure(
        FailureKind::Service,
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
    let mut fake = Fake {
        assume: vec![Err(chaining), Ok(crate::testing::creds("A"))],
        ..Fake::healthy()
    };
    let facts = run(
        &mut fake,
        &settings_with(|a| a.duration = Some("7200".into())),
    );
    assert_eq!(
        fake.steps()[3..],
        ["assume_role 7200".to_string(), "assume_role 3600".into()]
    );
    let AssumeFact::Done { result, notes, .. } = facts.assume else {
        panic!()
    };
    assert!(result.is_ok());
    assert!(notes[0].contains("clamped to 3600s"), "{notes:?}");
}

#[test]
fn mfa_without_a_code_is_not_tried_and_with_one_goes_through_a_session() {
    let serial = "arn:aws:iam::123456789012:mfa/u";
    let mut fake = Fake::healthy();
    let facts = run(
        &mut fake,
        &settings_with(|a| a.mfa_serial = Some(serial.into())),
    );
    assert!(matches!(facts.assume, AssumeFact::NeedsCode(s) if s == serial));
    assert_eq!(fake.steps(), ["load_source", "caller_identity"]);
    let mut fake = Fake::healthy();
    let facts = run(
        &mut fake,
        &settings_with(|a| {
            a.mfa_serial = Some(serial.into());
            a.token_code = Some(crate::creds::Secret::new("123456"));
        }),
    );
    assert_eq!(
        fake.steps()[2..],
        ["sts", "get_session_token", "sts mfa", "assume_role 3600"].map(String::from)
    );
    assert!(matches!(
        facts.assume,
        AssumeFact::Done { result: Ok(_), .. }
    ));
}

#[test]
fn no_assume_when_sts_is_unreachable_or_the_source_failed() {
    let unreachable = failure(FailureKind::Unreachable, "Dispatch", "refused");
    for fake in [
        Fake {
            call: call(Err(unreachable)),
            ..Fake::healthy()
        },
        Fake {
            source: Err(failure(
                FailureKind::NoSourceCredentials,
                "NoCredentials",
                "x",
            )),
            ..Fake::healthy()
        },
    ] {
        let mut fake = fake;
        let facts = run(&mut fake, &settings_with(|_| {}));
        assert!(matches!(facts.assume, AssumeFact::NotTried));
        assert_eq!(fake.steps().last().unwrap(), "caller_identity");
    }
}

#[test]
fn the_source_role_is_read_from_an_assumed_role_arn_only() {
    assert_eq!(
        source_role("arn:aws:sts::1:assumed-role/B/sess").as_deref(),
        Some("B")
    );
    assert_eq!(source_role("arn:aws:iam::1:user/u"), None);
    assert_eq!(source_role("nonsense"), None);
}
