use super::*;
use crate::aws::failure::AwsFailure as IamFailure;
use crate::aws::failure::FailureKind;
use crate::bootstrap::plan::{ProfileState, RoleState};
use serde_json::json;
use std::cell::RefCell;

#[test]
fn principals_to_simulate() {
    let cases = [
        (
            "arn:aws:iam::123456789012:user/ops/alice",
            Some("arn:aws:iam::123456789012:user/ops/alice"),
        ),
        (
            "arn:aws:sts::111111111111:assumed-role/admin/session-1",
            Some("arn:aws:iam::111111111111:role/admin"),
        ),
        (
            "arn:aws-cn:sts::111111111111:assumed-role/Admin/x@y",
            Some("arn:aws-cn:iam::111111111111:role/Admin"),
        ),
        ("arn:aws:iam::123456789012:root", None),
        ("arn:aws:sts::123456789012:federated-user/bob", None),
        ("arn:aws:sts::123456789012:assumed-role/", None),
        ("not an arn", None),
        ("", None),
    ];
    for (arn, want) in cases {
        assert_eq!(simulation_principal(arn).as_deref(), want, "{arn}");
    }
}

#[test]
fn each_change_needs_its_actions() {
    let role = "arn:aws:iam::111111111111:role/r";
    let ip = "arn:aws:iam::111111111111:instance-profile/p";
    let cases = [
        (
            Change::CreateRole {
                side: Side::Target,
                name: "r".into(),
                trust: json!({}),
                max_session: None,
            },
            vec![("iam:CreateRole", role), ("iam:TagRole", role)],
        ),
        (
            Change::AddToInstanceProfile {
                profile: "p".into(),
                role: "r".into(),
            },
            vec![("iam:AddRoleToInstanceProfile", ip), ("iam:PassRole", role)],
        ),
        (
            Change::PutInline {
                side: Side::Source,
                role: "r".into(),
                policy_name: "x".into(),
                doc: json!({}),
            },
            vec![("iam:PutRolePolicy", role)],
        ),
        (
            Change::DeleteInstanceProfile { name: "p".into() },
            vec![("iam:DeleteInstanceProfile", ip)],
        ),
    ];
    for (change, want) in cases {
        let got = required(&change, "aws", "111111111111", &BTreeMap::new());
        let got: Vec<(&str, &str)> = got.iter().map(|(a, r)| (*a, r.as_str())).collect();
        assert_eq!(got, want, "{change:?}");
    }
}

/// An `Iam` whose simulator denies `deny` (or fails when `fail`), recording each request.
struct Simulator {
    deny: Vec<&'static str>,
    fail: bool,
    asked: RefCell<Vec<(String, String, Vec<String>)>>,
}

impl Iam for Simulator {
    async fn caller(&self) -> Result<Caller, IamFailure> {
        unreachable!("not used by the check")
    }
    async fn read_role(&self, _: &str) -> Result<Option<RoleState>, IamFailure> {
        Ok(None)
    }
    async fn read_instance_profile(&self, _: &str) -> Result<Option<ProfileState>, IamFailure> {
        Ok(None)
    }
    async fn apply(&self, _: &Change) -> Result<(), IamFailure> {
        panic!("the pre-check must not change anything")
    }
    async fn denied_actions(
        &self,
        principal: &str,
        resource: &str,
        actions: &[String],
    ) -> Result<Vec<String>, IamFailure> {
        self.asked
            .borrow_mut()
            .push((principal.into(), resource.into(), actions.to_vec()));
        if self.fail {
            return Err(IamFailure {
                kind: FailureKind::Other,
                code: "Sdk".into(),
                message: "500 Internal Server Error".into(),
            });
        }
        Ok(actions
            .iter()
            .filter(|a| self.deny.contains(&a.as_str()))
            .cloned()
            .collect())
    }
}

fn run(sim: &Simulator, caller_arn: &str, changes: &[Change]) -> Outcome {
    let caller = Caller {
        account: "111111111111".into(),
        arn: caller_arn.into(),
    };
    crate::rt::block_on(check(
        sim,
        &caller,
        "aws",
        Side::Target,
        changes,
        &BTreeMap::new(),
    ))
    .unwrap()
}

#[test]
fn a_role_at_a_path_is_simulated_under_its_own_arn() {
    let arn = "arn:aws:iam::111111111111:role/service/r";
    let known = [("r".to_string(), arn.to_string())].into();
    let change = Change::UpdateTrust {
        side: Side::Target,
        name: "r".into(),
        trust: json!({}),
        stale: vec![],
    };
    assert_eq!(
        required(&change, "aws", "111111111111", &known),
        vec![("iam:UpdateAssumeRolePolicy", arn.to_string())]
    );
}

fn plan() -> Vec<Change> {
    vec![
        Change::CreateRole {
            side: Side::Source,
            name: "b".into(),
            trust: json!({}),
            max_session: None,
        },
        Change::CreateRole {
            side: Side::Target,
            name: "a".into(),
            trust: json!({}),
            max_session: Some(3600),
        },
        Change::AttachPolicy {
            side: Side::Target,
            role: "a".into(),
            policy_arn: "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
        },
    ]
}

#[test]
fn denied_actions_are_reported_per_resource() {
    let sim = Simulator {
        deny: vec!["iam:AttachRolePolicy"],
        fail: false,
        asked: RefCell::new(vec![]),
    };
    let out = run(
        &sim,
        "arn:aws:sts::111111111111:assumed-role/admin/s",
        &plan(),
    );
    assert_eq!(
        out,
        Outcome::Denied(vec![
            "iam:AttachRolePolicy on arn:aws:iam::111111111111:role/a".into()
        ])
    );
    let asked = sim.asked.borrow();
    assert_eq!(
        asked.len(),
        1,
        "one simulation for role A, none for account B's role"
    );
    assert_eq!(asked[0].0, "arn:aws:iam::111111111111:role/admin");
    assert_eq!(
        asked[0].2,
        vec!["iam:CreateRole", "iam:TagRole", "iam:AttachRolePolicy"]
    );
    let err = denied_error(
        Side::Target,
        "a-admin",
        &["iam:AttachRolePolicy on x".into()],
    )
    .to_string();
    assert!(
        err.contains("--target-profile \"a-admin\"") && err.contains("nothing was changed"),
        "{err}"
    );
}

#[test]
fn the_check_is_skipped_when_the_simulator_cannot_answer() {
    let sim = Simulator {
        deny: vec![],
        fail: true,
        asked: RefCell::new(vec![]),
    };
    assert!(matches!(
        run(&sim, "arn:aws:iam::111111111111:user/u", &plan()),
        Outcome::Skipped(_)
    ));
    let sim = Simulator {
        deny: vec!["iam:CreateRole"],
        fail: false,
        asked: RefCell::new(vec![]),
    };
    assert!(matches!(
        run(&sim, "arn:aws:iam::111111111111:root", &plan()),
        Outcome::Skipped(_)
    ));
    assert!(
        sim.asked.borrow().is_empty(),
        "the root user is not simulated"
    );
    let sim = Simulator {
        deny: vec![],
        fail: false,
        asked: RefCell::new(vec![]),
    };
    assert_eq!(
        run(&sim, "arn:aws:iam::111111111111:user/u", &plan()),
        Outcome::Allowed
    );
}
