use super::*;
use crate::bootstrap::iam::Caller;
use crate::bootstrap::plan::{ProfileState, RoleState};
use serde_json::json;
use std::cell::{Cell, RefCell};

/// An `Iam` that records every change and fails the first `fail` ones with `failure`.
struct FakeIam {
    applied: RefCell<Vec<Change>>,
    calls: Cell<u32>,
    fail: u32,
    failure: IamFailure,
    role: Option<RoleState>,
    /// Answers to `read_role` before it settles on `role` (oldest first).
    stale_reads: RefCell<Vec<Option<RoleState>>>,
}

impl FakeIam {
    fn failing(fail: u32, code: &str, message: &str) -> FakeIam {
        FakeIam {
            applied: RefCell::new(vec![]),
            calls: Cell::new(0),
            fail,
            failure: IamFailure {
                kind: FailureKind::Service,
                code: code.into(),
                message: message.into(),
            },
            role: None,
            stale_reads: RefCell::new(vec![]),
        }
    }
    fn ok() -> FakeIam {
        FakeIam::failing(0, "", "")
    }
}

impl Iam for FakeIam {
    async fn caller(&self) -> Result<Caller, IamFailure> {
        Ok(Caller {
            account: "111111111111".into(),
            arn: "arn:aws:iam::111111111111:root".into(),
        })
    }
    async fn read_role(&self, _name: &str) -> Result<Option<RoleState>, IamFailure> {
        let mut stale = self.stale_reads.borrow_mut();
        if !stale.is_empty() {
            return Ok(stale.remove(0));
        }
        Ok(self.role.clone())
    }
    async fn read_instance_profile(&self, _name: &str) -> Result<Option<ProfileState>, IamFailure> {
        Ok(None)
    }
    async fn denied_actions(
        &self,
        _: &str,
        _: &str,
        _: &[String],
    ) -> Result<Vec<String>, IamFailure> {
        Ok(vec![])
    }
    async fn apply(&self, change: &Change) -> Result<(), IamFailure> {
        self.calls.set(self.calls.get() + 1);
        if self.calls.get() <= self.fail {
            return Err(self.failure.clone());
        }
        self.applied.borrow_mut().push(change.clone());
        Ok(())
    }
}

/// Virtual time: sleeping advances it instantly.
#[derive(Default)]
struct FakeClock {
    now: Cell<Duration>,
    sleeps: RefCell<Vec<u64>>,
}

impl Clock for FakeClock {
    fn elapsed(&self) -> Duration {
        self.now.get()
    }
    async fn sleep(&self, d: Duration) {
        self.sleeps.borrow_mut().push(d.as_secs());
        self.now.set(self.now.get() + d);
    }
}

fn block_on<F: Future>(f: F) -> F::Output {
    crate::rt::block_on(f).unwrap()
}

fn create_a() -> Change {
    Change::CreateRole {
        side: Side::Target,
        name: "tgt".into(),
        trust: json!({"Statement": []}),
        max_session: Some(3600),
    }
}

const INVALID_PRINCIPAL: &str =
    "Invalid principal in policy: \"AWS\":\"arn:aws:iam::123456789012:role/src\"";

fn run(
    source: &FakeIam,
    target: &FakeIam,
    changes: &[Change],
    clock: &FakeClock,
) -> (Result<(), Error>, Vec<String>) {
    let acc = Accounts {
        source,
        source_profile: "b-admin",
        target,
        target_profile: "a-admin",
    };
    let mut lines = vec![];
    let r = block_on(acc.execute(changes, clock, &mut |m| lines.push(m.to_string())));
    (r, lines)
}

#[test]
fn backoff_doubles_up_to_a_cap() {
    let got: Vec<u64> = (0..8).map(|n| backoff(n).as_secs()).collect();
    assert_eq!(got, vec![1, 2, 4, 8, 16, 16, 16, 16]);
    assert_eq!(backoff(u32::MAX), Duration::from_secs(16));
}

#[test]
fn invalid_principal_is_retried_until_iam_knows_role_b() {
    for fail in [1, 3, 6] {
        let source = FakeIam::ok();
        let target = FakeIam::failing(fail, "MalformedPolicyDocument", INVALID_PRINCIPAL);
        let clock = FakeClock::default();
        let (r, lines) = run(&source, &target, &[create_a()], &clock);
        r.unwrap_or_else(|e| panic!("fail={fail}: {e}"));
        assert_eq!(target.calls.get(), fail + 1, "one call per attempt");
        assert_eq!(target.applied.borrow().as_slice(), &[create_a()]);
        assert_eq!(
            source.calls.get(),
            0,
            "role A's change goes to account A only"
        );
        let want: Vec<u64> = (0..fail).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(*clock.sleeps.borrow(), want);
        assert_eq!(
            lines.iter().filter(|l| l.contains("retrying in")).count(),
            fail as usize
        );
    }
}

#[test]
fn invalid_principal_gives_up_after_two_minutes_with_a_clear_message() {
    let source = FakeIam::ok();
    let target = FakeIam::failing(u32::MAX, "MalformedPolicyDocument", INVALID_PRINCIPAL);
    let clock = FakeClock::default();
    let (r, _) = run(&source, &target, &[create_a()], &clock);
    let err = r.unwrap_err().to_string();
    assert!(
        err.contains("create role A tgt") && err.contains("re-run bootstrap"),
        "{err}"
    );
    let slept: u64 = clock.sleeps.borrow().iter().sum();
    assert!(
        slept <= PROPAGATION_BUDGET.as_secs() && slept > 100,
        "slept {slept}s"
    );
    assert!(target.calls.get() < MAX_ATTEMPTS + 1);
    assert!(target.applied.borrow().is_empty());
}

#[test]
fn other_errors_are_not_retried_and_name_the_profile() {
    let cases = [
        (
            "MalformedPolicyDocument",
            "Syntax errors in policy",
            "IAM answered MalformedPolicyDocument",
        ),
        (
            "AccessDenied",
            "not authorized to perform iam:CreateRole",
            "--target-profile \"a-admin\"",
        ),
        (
            "LimitExceeded",
            "Cannot exceed quota for RolesPerAccount",
            "quota",
        ),
        (
            "EntityAlreadyExists",
            "Role with name tgt already exists",
            "re-run bootstrap",
        ),
    ];
    for (code, message, want) in cases {
        let source = FakeIam::ok();
        let target = FakeIam::failing(1, code, message);
        let clock = FakeClock::default();
        let (r, _) = run(&source, &target, &[create_a(), create_a()], &clock);
        let err = r.unwrap_err();
        assert!(matches!(err, Error::Aws(_)));
        assert!(err.to_string().contains(want), "{code}: {err}");
        assert_eq!(target.calls.get(), 1, "{code}: stops at the first failure");
        assert!(clock.sleeps.borrow().is_empty());
    }
}

#[test]
fn removing_what_is_already_gone_succeeds() {
    let source = FakeIam::failing(1, "NoSuchEntity", "The role with name src cannot be found.");
    let target = FakeIam::ok();
    let del = Change::DeleteRole {
        side: Side::Source,
        name: "src".into(),
    };
    let (r, _) = run(&source, &target, &[del], &FakeClock::default());
    r.unwrap();
    let source = FakeIam::failing(
        1,
        "NoSuchEntity",
        "Policy arn:aws:iam::aws:policy/Nope does not exist",
    );
    let attach = Change::AttachPolicy {
        side: Side::Source,
        role: "src".into(),
        policy_arn: "arn:aws:iam::aws:policy/Nope".into(),
    };
    let (r, _) = run(&source, &target, &[attach], &FakeClock::default());
    assert!(r.unwrap_err().to_string().contains("does not exist"));
}

#[test]
fn changes_go_to_their_account_in_order() {
    let source = FakeIam::ok();
    let target = FakeIam::ok();
    let put_b = Change::PutInline {
        side: Side::Source,
        role: "src".into(),
        policy_name: "p".into(),
        doc: json!({}),
    };
    let ip = Change::CreateInstanceProfile { name: "src".into() };
    let (r, lines) = run(
        &source,
        &target,
        &[ip.clone(), create_a(), put_b.clone()],
        &FakeClock::default(),
    );
    r.unwrap();
    assert_eq!(*source.applied.borrow(), vec![ip, put_b]);
    assert_eq!(*target.applied.borrow(), vec![create_a()]);
    assert_eq!(lines.len(), 3);
}

#[test]
fn reading_reports_each_role() {
    let mut target = FakeIam::ok();
    target.role = Some(RoleState {
        arn: "arn:aws:iam::111111111111:role/tgt".into(),
        ..RoleState::default()
    });
    let source = FakeIam::ok();
    let acc = Accounts {
        source: &source,
        source_profile: "b",
        target: &target,
        target_profile: "a",
    };
    let actual = block_on(acc.read("src", "tgt")).unwrap();
    assert!(actual.source.is_none() && actual.profile.is_none());
    assert_eq!(actual.target, target.role);
}

fn verify_with(stale: usize) -> (Result<(), Error>, Vec<u64>) {
    let role = RoleState {
        arn: "arn:aws:iam::111111111111:role/tgt".into(),
        max_session: Some(7200),
        ..RoleState::default()
    };
    let mut target = FakeIam::ok();
    target.role = Some(role.clone());
    let old = RoleState {
        max_session: Some(3600),
        ..role
    };
    *target.stale_reads.borrow_mut() = vec![Some(old); stale];
    let source = FakeIam::ok();
    let acc = Accounts {
        source: &source,
        source_profile: "b",
        target: &target,
        target_profile: "a",
    };
    let clock = FakeClock::default();
    let check = |a: &Actual| {
        let max = a.target.as_ref().and_then(|t| t.max_session);
        (max != Some(7200)).then(|| format!("max session {max:?}"))
    };
    let r = block_on(acc.verify("src", "tgt", &clock, &check));
    let sleeps = clock.sleeps.borrow().clone();
    (r, sleeps)
}

#[test]
fn verification_reads_again_while_iam_shows_the_old_state() {
    assert_eq!(verify_with(0).1, Vec::<u64>::new());
    let (r, sleeps) = verify_with(2);
    r.unwrap();
    assert_eq!(sleeps, vec![1, 2]);
    let (r, sleeps) = verify_with(10);
    let err = r.unwrap_err().to_string();
    assert!(
        err.contains("max session Some(3600)") && err.contains("re-run bootstrap"),
        "{err}"
    );
    assert_eq!(sleeps, vec![1, 2, 4], "gives up after four reads");
}
