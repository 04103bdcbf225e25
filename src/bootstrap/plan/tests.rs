use super::*;
use crate::bootstrap::policy::{self, Trustee};
use serde_json::json;

const B_ARN: &str = "arn:aws:iam::123456789012:role/src-role";
const A_ARN: &str = "arn:aws:iam::111111111111:role/tgt-role";
const RO: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const OLD: &str = "arn:aws:iam::111111111111:policy/old";
const LEAST: policy::SessionActions = policy::SessionActions {
    tags: false,
    source_identity: false,
};

fn desired() -> Desired {
    Desired {
        source_name: "src-role".into(),
        source_arn: B_ARN.into(),
        source_trust: policy::source_trust(&[Trustee::Ec2], "aws", "123456789012"),
        source_permissions: policy::source_permissions(A_ARN, LEAST),
        instance_profile: true,
        target_name: "tgt-role".into(),
        target_arn: A_ARN.into(),
        target_trust: policy::target_trust(B_ARN, Some("ext-1"), LEAST),
        target_max_session: 3600,
        target_attached: [RO.to_string()].into(),
        target_inline: [("read-table".to_string(), json!({"Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]}))].into(),
    }
}

/// What IAM holds after a successful run with `desired()`.
fn converged(d: &Desired) -> Actual {
    Actual {
        source: Some(RoleState {
            arn: B_ARN.into(),
            trust: d.source_trust.clone(),
            max_session: Some(3600),
            managed: true,
            attached: BTreeSet::new(),
            inline: [(ASSUME_POLICY_NAME.to_string(), d.source_permissions.clone())].into(),
        }),
        target: Some(RoleState {
            arn: A_ARN.into(),
            trust: d.target_trust.clone(),
            max_session: Some(3600),
            managed: true,
            attached: d.target_attached.clone(),
            inline: d.target_inline.clone(),
        }),
        profile: Some(ProfileState {
            roles: vec!["src-role".into()],
            managed: true,
        }),
    }
}

/// A short code per change, so the tables below read as the plan.
fn code(c: &Change) -> String {
    let s = |side: &Side| match side {
        Side::Source => "B",
        Side::Target => "A",
    };
    match c {
        Change::CreateRole {
            side, max_session, ..
        } => format!("create {} {max_session:?}", s(side)),
        Change::TagRole { side, .. } => format!("tag {}", s(side)),
        Change::UpdateTrust { side, stale, .. } if stale.is_empty() => format!("trust {}", s(side)),
        Change::UpdateTrust { side, stale, .. } => {
            format!("repair {} {}", s(side), stale.join(","))
        }
        Change::SetMaxSession { side, seconds, .. } => format!("max {} {seconds}", s(side)),
        Change::AttachPolicy {
            side, policy_arn, ..
        } => format!("attach {} {policy_arn}", s(side)),
        Change::DetachPolicy {
            side, policy_arn, ..
        } => format!("detach {} {policy_arn}", s(side)),
        Change::PutInline {
            side, policy_name, ..
        } => format!("put {} {policy_name}", s(side)),
        Change::DeleteInline {
            side, policy_name, ..
        } => format!("delete-inline {} {policy_name}", s(side)),
        Change::CreateInstanceProfile { .. } => "create-ip".into(),
        Change::TagInstanceProfile { .. } => "tag-ip".into(),
        Change::AddToInstanceProfile { role, .. } => format!("add-ip {role}"),
        Change::RemoveFromInstanceProfile { role, .. } => format!("remove-ip {role}"),
        Change::DeleteInstanceProfile { .. } => "delete-ip".into(),
        Change::DeleteRole { side, .. } => format!("delete {}", s(side)),
    }
}

fn codes(r: Result<Vec<Change>, String>) -> Result<Vec<String>, String> {
    r.map(|cs| cs.iter().map(code).collect())
}

type Edit = fn(&mut Desired, &mut Actual);
/// (case, edit of a converged pair, adopt, expected plan codes or error text)
type Case = (&'static str, Edit, bool, Result<Vec<String>, String>);

#[test]
fn apply_plans() {
    let ok = |v: &[&str]| Ok(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    // (case, edit of desired/actual starting from a converged pair, adopt, expected plan)
    let table: Vec<Case> = vec![
        ("converged: nothing to do", |_, _| {}, false, ok(&[])),
        (
            "nothing exists: B, its profile, A, A's permissions, then B's permission",
            |_, a| *a = Actual::default(),
            false,
            ok(&[
                "create B None",
                "create-ip",
                "add-ip src-role",
                "create A Some(3600)",
                &format!("attach A {RO}"),
                "put A read-table",
                &format!("put B {ASSUME_POLICY_NAME}"),
            ]),
        ),
        (
            "role B was re-created: A's trust shows its old unique id",
            |_, a| {
                a.target.as_mut().unwrap().trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "AROAOLDROLEB1234"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "ext-1"}}}]});
            },
            false,
            ok(&["repair A AROAOLDROLEB1234"]),
        ),
        (
            "new external id and session length",
            |d, _| {
                d.target_trust = policy::target_trust(B_ARN, Some("ext-2"), LEAST);
                d.target_max_session = 43200;
            },
            false,
            ok(&["trust A", "max A 43200"]),
        ),
        (
            "a role made by IAM's default has no MaxSessionDuration field",
            |_, a| a.target.as_mut().unwrap().max_session = None,
            false,
            ok(&[]),
        ),
        (
            "policies changed: attach new, put changed, then detach and delete the rest",
            |d, a| {
                d.target_inline
                    .insert("read-table".into(), json!({"Statement": []}));
                let t = a.target.as_mut().unwrap();
                t.attached.insert(OLD.into());
                t.attached.remove(RO);
                t.inline.insert("stray".into(), json!({}));
            },
            false,
            ok(&[
                &format!("attach A {RO}"),
                "put A read-table",
                &format!("detach A {OLD}"),
                "delete-inline A stray",
            ]),
        ),
        (
            "role B keeps policies it has besides xacct's",
            |_, a| {
                let s = a.source.as_mut().unwrap();
                s.inline.insert("workload".into(), json!({}));
                s.attached.insert(OLD.into());
            },
            false,
            ok(&[]),
        ),
        (
            "B's assume policy names an old role A",
            |_, a| {
                a.source.as_mut().unwrap().inline.insert(
                    ASSUME_POLICY_NAME.into(),
                    policy::source_permissions("arn:aws:iam::111111111111:role/old", LEAST),
                );
            },
            false,
            ok(&[&format!("put B {ASSUME_POLICY_NAME}")]),
        ),
        (
            "ec2 dropped: xacct's instance profile goes, B's trust changes",
            |d, _| {
                d.instance_profile = false;
                d.source_trust = policy::source_trust(&[Trustee::Account], "aws", "123456789012");
            },
            false,
            ok(&["trust B", "remove-ip src-role", "delete-ip"]),
        ),
        (
            "ec2 dropped: an untagged instance profile with another role is left alone",
            |d, a| {
                d.instance_profile = false;
                let p = a.profile.as_mut().unwrap();
                p.managed = false;
                p.roles = vec!["other".into()];
            },
            false,
            ok(&[]),
        ),
        (
            "ec2 dropped: an untagged profile holding only xacct's role B goes too",
            |d, a| {
                d.instance_profile = false;
                a.profile.as_mut().unwrap().managed = false;
            },
            false,
            ok(&["remove-ip src-role", "delete-ip"]),
        ),
        (
            "CloudFormation's untagged profile holding only the tagged role B is xacct's",
            |_, a| a.profile.as_mut().unwrap().managed = false,
            false,
            ok(&[]),
        ),
        (
            "instance profile holds another role",
            |_, a| a.profile.as_mut().unwrap().roles = vec!["other".into()],
            false,
            ok(&["remove-ip other", "add-ip src-role"]),
        ),
        (
            "untagged role A without --adopt: refused",
            |_, a| a.target.as_mut().unwrap().managed = false,
            false,
            Err("role A tgt-role exists and is not managed by xacct".into()),
        ),
        (
            "untagged role B without --adopt: refused",
            |_, a| a.source.as_mut().unwrap().managed = false,
            false,
            Err("role B src-role exists and is not managed by xacct".into()),
        ),
        (
            "untagged instance profile holding another role, without --adopt: refused",
            |_, a| {
                let p = a.profile.as_mut().unwrap();
                p.managed = false;
                p.roles = vec!["other".into()];
            },
            false,
            Err("instance profile src-role exists and is not managed by xacct".into()),
        ),
        (
            "untagged instance profile holding role B and another, without --adopt: refused",
            |_, a| {
                let p = a.profile.as_mut().unwrap();
                p.managed = false;
                p.roles.push("other".into());
            },
            false,
            Err("instance profile src-role exists and is not managed by xacct".into()),
        ),
        (
            "--adopt tags what it takes over",
            |_, a| {
                a.source.as_mut().unwrap().managed = false;
                a.target.as_mut().unwrap().managed = false;
                a.profile.as_mut().unwrap().managed = false;
            },
            true,
            ok(&["tag B", "tag-ip", "tag A"]),
        ),
    ];
    for (case, edit, adopt, want) in table {
        let mut d = desired();
        let mut a = converged(&d);
        edit(&mut d, &mut a);
        let got = codes(plan_apply(&d, &a, adopt));
        match (&got, &want) {
            (Err(g), Err(w)) => {
                assert!(
                    g.contains(w.as_str()) && g.contains("--adopt"),
                    "{case}: {g}"
                );
            }
            _ => assert_eq!(got, want, "{case}"),
        }
    }
}

#[test]
fn refusal_comes_before_any_change() {
    // Role B needs creating, but role A is someone else's: nothing at all is planned.
    let d = desired();
    let mut a = converged(&d);
    a.source = None;
    a.target.as_mut().unwrap().managed = false;
    let err = plan_apply(&d, &a, false).unwrap_err();
    assert!(
        err.contains("role A tgt-role exists and is not managed by xacct")
            && err.contains("--adopt"),
        "{err}"
    );
    // With --adopt the same state plans role B's creation first: it was the refusal, not
    // an empty plan, that stopped the run above.
    let adopted = codes(plan_apply(&d, &a, true)).unwrap();
    assert_eq!(adopted.first().map(String::as_str), Some("create B None"));
    assert!(adopted.contains(&"tag A".to_string()), "{adopted:?}");
}

#[test]
fn delete_plans() {
    let d = desired();
    let full = converged(&d);
    let r = codes(plan_delete("src-role", "tgt-role", &full, false)).unwrap();
    assert_eq!(
        r,
        vec![
            format!("detach A {RO}"),
            "delete-inline A read-table".into(),
            "delete A".into(),
            "remove-ip src-role".into(),
            "delete-ip".into(),
            format!("delete-inline B {ASSUME_POLICY_NAME}"),
            "delete B".into(),
        ]
    );
    assert_eq!(
        plan_delete("src-role", "tgt-role", &Actual::default(), false),
        Ok(vec![])
    );
    let only_b = Actual {
        source: full.source.clone(),
        ..Actual::default()
    };
    assert_eq!(
        codes(plan_delete("src-role", "tgt-role", &only_b, false)).unwrap(),
        vec![
            format!("delete-inline B {ASSUME_POLICY_NAME}"),
            "delete B".into()
        ]
    );

    let mut foreign = full.clone();
    foreign.source.as_mut().unwrap().managed = false;
    let err = plan_delete("src-role", "tgt-role", &foreign, false).unwrap_err();
    assert!(
        err.contains("role B src-role") && err.contains("--adopt") && err.contains("delete"),
        "{err}"
    );
    assert_eq!(
        plan_delete("src-role", "tgt-role", &foreign, true)
            .unwrap()
            .len(),
        7
    );

    // CloudFormation's untagged instance profile goes with the tagged role B in it...
    let mut from_cfn = full.clone();
    from_cfn.profile.as_mut().unwrap().managed = false;
    assert_eq!(
        plan_delete("src-role", "tgt-role", &from_cfn, false)
            .unwrap()
            .len(),
        7
    );
    // ...but one that also holds someone else's role is not xacct's.
    from_cfn
        .profile
        .as_mut()
        .unwrap()
        .roles
        .push("other".into());
    let err = plan_delete("src-role", "tgt-role", &from_cfn, false).unwrap_err();
    assert!(err.contains("instance profile src-role"), "{err}");
}

#[test]
fn extra_policies_on_both_roles_are_removed_before_the_roles() {
    // IAM refuses DeleteRole while a role has policies: every one goes first.
    let d = desired();
    let mut a = converged(&d);
    let t = a.target.as_mut().unwrap();
    t.attached.insert(OLD.into());
    t.inline.insert("someone-elses".into(), json!({}));
    a.source
        .as_mut()
        .unwrap()
        .inline
        .insert("workload".into(), json!({}));
    let r = codes(plan_delete("src-role", "tgt-role", &a, false)).unwrap();
    let pos = |c: &str| {
        r.iter()
            .position(|x| x == c)
            .unwrap_or_else(|| panic!("{c} not in {r:?}"))
    };
    for before in [
        format!("detach A {OLD}"),
        "delete-inline A someone-elses".into(),
    ] {
        assert!(pos(&before) < pos("delete A"), "{r:?}");
    }
    assert!(pos("delete-inline B workload") < pos("delete B"), "{r:?}");
}

#[test]
fn descriptions_name_the_role_and_the_drift() {
    let c = Change::UpdateTrust {
        side: Side::Target,
        name: "tgt".into(),
        trust: json!({}),
        stale: vec!["AROAX1".into()],
    };
    let text = c.describe();
    assert!(
        text.contains("repair") && text.contains("AROAX1") && text.contains("role A tgt"),
        "{text}"
    );
    assert_eq!(c.side(), Side::Target);
    assert!(c.document().is_some());
    let ip = Change::DeleteInstanceProfile { name: "p".into() };
    assert_eq!((ip.side(), ip.document()), (Side::Source, None));
}
