use super::*;
use crate::cache::store::{CredentialStore, MemoryStore};
use crate::cli::RoleArgs;
use crate::provider::Dir;
use crate::provider::assume::tests::FakeSts;
use crate::testing::{creds_left, now};

const SERIAL: &str = "arn:aws:iam::222222222222:mfa/alice";

fn mfa_settings(prompt: bool) -> Settings {
    let mut s = crate::testing::settings_with(RoleArgs {
        mfa_serial: Some(SERIAL.into()),
        ..RoleArgs::default()
    });
    s.mfa_prompt = prompt;
    s
}

fn cache(store: &MemoryStore) -> Option<Cache<'_>> {
    Some(Cache {
        store,
        lock_dir: Dir::None,
        index_dir: Dir::None,
    })
}

#[test]
fn one_code_makes_one_session_which_later_refreshes_reuse_without_a_code() {
    let s = mfa_settings(false);
    let store = MemoryStore::default();
    let sts = FakeSts::new(vec![Ok(creds_left("MFA", 43_200))]);
    let mut get = |code| crate::rt::block_on(get_session(&sts, &s, code)).unwrap();
    let mut code = Some(Secret::new("123456"));
    for _ in 0..3 {
        let got = session_with(&s, &mut code, cache(&store), &now, &mut get).unwrap();
        assert_eq!(got.access_key_id, "ASIAMFA");
        assert!(code.is_none(), "the code is used up");
    }
    let sessions = sts.sessions.borrow();
    assert_eq!(sessions.len(), 1, "one GetSessionToken for three refreshes");
    assert_eq!(sessions[0].token_code.expose(), "123456");
    assert_eq!(sessions[0].serial_number, SERIAL);
    assert_eq!(sessions[0].duration, 43_200);
    assert!(!format!("{:?}", sessions[0]).contains("123456"));
}

#[test]
fn a_run_out_session_without_a_code_fails_clearly_and_calls_nothing() {
    let s = Settings {
        profile: Some("target".into()),
        ..mfa_settings(false)
    };
    let store = MemoryStore::default();
    // An entry with less than the margin left counts as run out.
    let old = creds_left("OLD", 60);
    let text = crate::cache::entry::encode(&old);
    store
        .set(&mfa_session_key(&s).unwrap(), &text, old.expiration)
        .unwrap();
    let mut get = |_| -> Result<Credentials, Error> { panic!("no STS call without a code") };
    let err = session_with(&s, &mut None, cache(&store), &now, &mut get).unwrap_err();
    let msg = err.to_string();
    for want in [
        SERIAL,
        "run out",
        "--profile target --token-code CODE",
        "does not ask",
    ] {
        assert!(msg.contains(want), "{msg} lacks {want}");
    }
}

#[test]
fn session_failures_name_the_fix() {
    let s = mfa_settings(true);
    let service = |code: &str, message: &str| AwsFailure {
        kind: FailureKind::Service,
        code: code.into(),
        message: message.into(),
    };
    let table = [
        (
            service(
                "AccessDenied",
                "MultiFactorAuthentication failed with invalid MFA one time pass code.",
            ),
            "current code",
        ),
        (
            service(
                "AccessDenied",
                "Cannot call GetSessionToken with session credentials",
            ),
            "long-term keys",
        ),
        (
            service(
                "ValidationError",
                "1 validation error: durationSeconds must be <= 129600",
            ),
            "--mfa-session-duration",
        ),
        (service("ExpiredToken", "expired"), "have expired"),
    ];
    for (f, want) in table {
        let msg = describe(&f, &s, SERIAL).to_string();
        assert!(msg.contains(want), "{msg} lacks {want}");
    }
}
