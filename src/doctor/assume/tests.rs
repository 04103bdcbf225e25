use super::super::Status;
use super::super::remote::tests::{call, denied, failure, identity, loaded, settings_with};
use super::super::remote::{Assumed, Facts, Via};
use super::*;
use crate::cli::RoleArgs;

fn facts(result: Result<Assumed, AwsFailure>, policies: Option<PolicyFact>) -> Facts {
    Facts {
        imds: None,
        source: SourceFact::Loaded(loaded(Via::ProfileKeys)),
        call: call(Ok(identity(
            "arn:aws:sts::123456789012:assumed-role/B/sess",
        ))),
        assume: AssumeFact::Done {
            result,
            notes: vec![],
            policies,
        },
    }
}

fn judged(args: impl FnOnce(&mut RoleArgs), e: AwsFailure) -> Finding {
    let s = settings_with(args);
    judge(&s, &facts(Err(e), None)).remove(0)
}

#[test]
fn access_denied_lists_the_causes_in_order() {
    let f = judged(|a| a.external_id = Some("the-external-id".into()), denied());
    assert_eq!(f.status, Status::Fail);
    assert!(
        f.detail
            .contains("AssumeRole on arn:aws:iam::111111111111:role/r"),
        "{f:?}"
    );
    let fix = f.fix.unwrap();
    let order = [
        "(1) the trust policy of arn:aws:iam::111111111111:role/r does not name the source arn:aws:iam::123456789012:role/B",
        "(2) the external id does not match",
        "(3) the trust policy requires MFA",
        "(4) the source's own policies lack sts:AssumeRole",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|w| fix.find(w).unwrap_or_else(|| panic!("{w:?} not in {fix}")))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{fix}");
    assert!(!fix.contains("the-external-id") && !f.detail.contains("the-external-id"));
    // Without an external id, the second cause says one may be required.
    let f = judged(|_| {}, denied());
    assert!(
        f.fix
            .unwrap()
            .contains("(2) the trust policy requires an external id")
    );
    // Tags and a source identity add their own causes.
    let f = judged(
        |a| {
            a.tags = vec!["team=x".into()];
            a.source_identity = Some("ops".into());
        },
        denied(),
    );
    let fix = f.fix.unwrap();
    assert!(
        fix.contains("(5) session tags need sts:TagSession"),
        "{fix}"
    );
    assert!(
        fix.contains("(6) a source identity needs sts:SetSourceIdentity"),
        "{fix}"
    );
}

#[test]
fn other_failures_name_their_fix() {
    let svc = |code: &str, msg: &str| failure(FailureKind::Service, code, msg);
    let table = [
        (
            svc(
                "ValidationError",
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
            ),
            "--max-session-duration",
        ),
        (
            svc("RegionDisabledException", "STS is not activated"),
            "activate it",
        ),
        (svc("ExpiredToken", "expired"), "refresh them"),
        (
            svc("PackedPolicyTooLarge", "too big"),
            "fewer or shorter --tag",
        ),
        (
            failure(FailureKind::Unreachable, "Dispatch", "refused"),
            "see the sts check",
        ),
        (svc("Throttling", "Rate exceeded"), "retry later"),
    ];
    for (e, want) in table {
        let f = judged(|_| {}, e);
        assert_eq!(f.status, Status::Fail);
        assert!(f.fix.as_deref().unwrap().contains(want), "{want}: {f:?}");
    }
}

#[test]
fn the_source_roles_inline_policies_rule_cause_four_in_or_out() {
    let s = settings_with(|_| {});
    let allow = r#"{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111111111111:role/r"}]}"#;
    let other = "%7B%22Statement%22%3A%5B%5D%7D";
    let table = [
        (
            PolicyFact::Read {
                role: "B".into(),
                docs: vec![("p".into(), allow.into())],
            },
            Status::Ok,
            "role B's inline policy \"p\" allows sts:AssumeRole",
        ),
        (
            PolicyFact::Read {
                role: "B".into(),
                docs: vec![("q".into(), other.into())],
            },
            Status::Warn,
            "none of role B's 1 inline policies allows",
        ),
        (
            PolicyFact::Failed {
                role: "B".into(),
                failure: denied(),
            },
            Status::Warn,
            "cannot read role B's inline policies",
        ),
    ];
    for (p, status, want) in table {
        let got = judge(&s, &facts(Err(denied()), Some(p)));
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[1].status, status, "{got:?}");
        assert!(got[1].detail.contains(want), "{want}: {got:?}");
    }
}

#[test]
fn success_needs_code_and_not_tried_are_ok_warn_and_skip() {
    let s = settings_with(|_| {});
    let ok = facts(
        Ok(Assumed {
            arn: Some("arn:aws:sts::111111111111:assumed-role/r/s".into()),
            expiration: crate::testing::now(),
        }),
        None,
    );
    let got = judge(&s, &ok);
    assert_eq!(got[0].status, Status::Ok);
    assert!(
        got[0]
            .detail
            .contains("as arn:aws:sts::111111111111:assumed-role/r/s")
    );
    assert!(got[0].detail.contains("(not cached)"));
    let mut needs = ok.clone();
    needs.assume = AssumeFact::NeedsCode("arn:aws:iam::1:mfa/u".into());
    let got = judge(&s, &needs);
    assert_eq!(got[0].status, Status::Warn);
    assert!(got[0].fix.as_deref().unwrap().contains("--token-code"));
    let mut not = ok;
    not.assume = AssumeFact::NotTried;
    assert_eq!(judge(&s, &not)[0].status, Status::Skip);
}
