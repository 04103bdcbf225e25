use super::super::Status;
use super::super::remote::tests::{call, failure, identity, loaded, settings_with};
use super::super::remote::{AssumeFact, Facts, Loaded};
use super::*;

fn facts(imds: Option<Imds>, source: SourceFact, c: Result<CallerIdentityT, AwsFailure>) -> Facts {
    Facts {
        imds,
        source,
        call: call(c),
        assume: AssumeFact::NotTried,
    }
}

type CallerIdentityT = crate::aws::identity::CallerIdentity;

fn now() -> DateTime<Utc> {
    crate::testing::now()
}

#[test]
fn each_source_outcome_is_named_with_its_fix() {
    let s = settings_with(|_| {});
    let user = || Ok(identity("arn:aws:iam::123456789012:user/u"));
    let unreachable = failure(FailureKind::Unreachable, "Dispatch", "refused");
    let expired_at = Loaded {
        expires: Some(now() - chrono::TimeDelta::seconds(5)),
        ..loaded(Via::ProfileKeys)
    };
    // (facts, status, text in the detail, text in the fix)
    let table = [
        (
            facts(None, SourceFact::Loaded(loaded(Via::ProfileKeys)), user()),
            Status::Ok,
            "static keys (profile \"src\"): acting as arn:aws:iam::123456789012:user/u in account 123456789012",
            "",
        ),
        (
            facts(
                None,
                SourceFact::Loaded(loaded(Via::ProfileKeys)),
                Ok(identity("arn:aws:sts::123456789012:assumed-role/B/s")),
            ),
            Status::Ok,
            "role session the profile chain assumed (profile \"src\"): acting as arn:aws:sts::123456789012:assumed-role/B/s",
            "",
        ),
        (
            facts(
                None,
                SourceFact::Failed(failure(
                    FailureKind::NoSourceCredentials,
                    "NoCredentials",
                    "no keys",
                )),
                Err(unreachable.clone()),
            ),
            Status::Fail,
            "no source credentials from profile \"src\" (no keys)",
            "give profile \"src\" credentials",
        ),
        (
            facts(None, SourceFact::Loaded(expired_at), user()),
            Status::Fail,
            "expired at",
            "refresh the credentials of profile \"src\"",
        ),
        (
            facts(
                None,
                SourceFact::Loaded(loaded(Via::ProfileKeys)),
                Err(failure(FailureKind::Service, "ExpiredToken", "gone")),
            ),
            Status::Fail,
            "have expired (STS: gone)",
            "profile \"src\"",
        ),
        (
            facts(
                None,
                SourceFact::Loaded(loaded(Via::ProfileKeys)),
                Err(failure(FailureKind::Service, "InvalidClientTokenId", "bad")),
            ),
            Status::Fail,
            "STS rejects the static keys",
            "check the keys of profile \"src\"",
        ),
        (
            facts(
                None,
                SourceFact::Loaded(loaded(Via::ProfileKeys)),
                Err(unreachable),
            ),
            Status::Skip,
            "not verified: STS did not answer (see the sts check)",
            "",
        ),
    ];
    for (f, status, detail, fix) in table {
        let got = judge(&s, &f, now());
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].status, status, "{got:?}");
        assert!(got[0].detail.contains(detail), "{detail}: {got:?}");
        assert!(
            got[0].fix.as_deref().unwrap_or("").contains(fix),
            "{fix}: {got:?}"
        );
    }
}

#[test]
fn a_token_put_that_times_out_gets_the_hop_limit_hint() {
    let mut s = settings_with(|_| {});
    s.source = Source::Ec2InstanceMetadata;
    let f = facts(
        Some(Imds::TokenTimedOut),
        SourceFact::NotLoaded,
        Err(failure(
            FailureKind::Service,
            "InvalidClientTokenId",
            "placeholder",
        )),
    );
    let got = judge(&s, &f, now());
    assert_eq!(got[0].status, Status::Fail);
    assert!(
        got[0].detail.contains("IMDSv2 token PUT timed out"),
        "{got:?}"
    );
    assert!(
        got[0]
            .fix
            .as_deref()
            .unwrap()
            .contains("--http-put-response-hop-limit 2"),
        "{got:?}"
    );
    assert_eq!(got[1].status, Status::Skip, "{got:?}");
    for (imds, status, want) in [
        (
            Imds::Answered {
                role: Some("B".into()),
            },
            Status::Ok,
            "instance profile role \"B\"",
        ),
        (
            Imds::Answered { role: None },
            Status::Fail,
            "no instance profile role",
        ),
        (Imds::Disabled, Status::Fail, "AWS_EC2_METADATA_DISABLED"),
        (Imds::Status(403), Status::Fail, "HTTP 403"),
    ] {
        let got = judge(
            &s,
            &facts(
                Some(imds),
                SourceFact::NotLoaded,
                Err(failure(FailureKind::Other, "x", "y")),
            ),
            now(),
        );
        assert_eq!(got[0].status, status, "{got:?}");
        assert!(got[0].detail.contains(want), "{want}: {got:?}");
    }
}

#[test]
fn off_ec2_the_default_chain_does_not_report_imds_missing() {
    let mut s = settings_with(|_| {});
    s.source = Source::DefaultChain {
        profile: None,
        access_key_id: None,
    };
    let f = facts(
        Some(Imds::Unreachable("connection timed out".into())),
        SourceFact::Failed(failure(
            FailureKind::NoSourceCredentials,
            "NoCredentials",
            "none",
        )),
        Err(failure(
            FailureKind::Service,
            "InvalidClientTokenId",
            "placeholder",
        )),
    );
    let got = judge(&s, &f, now());
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0]
            .fix
            .as_deref()
            .unwrap()
            .contains("set source_profile or credential_source")
    );
}
