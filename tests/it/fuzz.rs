//! Fuzz-style: random strings into every validator, the settings resolver
//! and the cache-entry decoder. None may panic, and what they promise must hold for any
//! input: a sanitized session name passes the session-name check, an error is one line
//! that cannot flood a terminal, and a decoded entry is the current version.

use proptest::prelude::*;
use std::collections::BTreeMap;
use xacct::cli::RoleArgs;
use xacct::settings::{EnvSnapshot, Profiles};

/// Any text, biased toward the characters the parsers split on.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z0-9:/=@.,+_ -]{0,80}",
        "arn:(aws|aws-cn|x):(iam|s3):[a-z0-9-]{0,3}:[0-9a-z]{10,13}:(role|user)/[ -~]{0,70}",
        "[0-9hms ]{0,12}",
        "[\\x00-\\x1f\\x7f-\\u{10ffff}]{0,20}",
    ]
}

fn opt() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

prop_compose! {
    /// The MFA, source identity and tag options (issue 5), random too.
    fn session_opts()(
        mfa_serial in opt(),
        token_code in opt(),
        source_identity in opt(),
        tags in proptest::collection::vec(text(), 0..4),
    ) -> (Option<String>, Option<String>, Option<String>, Vec<String>) {
        (mfa_serial, token_code, source_identity, tags)
    }
}

prop_compose! {
    fn role_args()(
        profile in proptest::option::of(prop_oneof![Just("p".to_string()), Just("q".to_string()), text()]),
        role_arn in opt(),
        source_profile in proptest::option::of(prop_oneof![Just("p".to_string()), Just("q".to_string()), text()]),
        external_id in opt(),
        session_name in opt(),
        duration in opt(),
        region in opt(),
        refresh_margin in opt(),
        no_cache in any::<bool>(),
        session in session_opts(),
    ) -> RoleArgs {
        let (mfa_serial, token_code, source_identity, tags) = session;
        RoleArgs {
            profile, role_arn, source_profile, external_id, session_name, duration, region,
            refresh_margin, no_cache, mfa_serial,
            token_code: token_code.map(xacct::creds::Secret::new), source_identity, tags,
        }
    }
}

use xacct::aws::profile::KEYS as PROFILE_KEYS;

prop_compose! {
    /// Two profiles `p` and `q` with random values, which may point at each other.
    fn profiles()(
        p in proptest::collection::vec((0..PROFILE_KEYS.len(), prop_oneof![text(), Just("p".to_string()), Just("q".to_string())]), 0..6),
        q in proptest::collection::vec((0..PROFILE_KEYS.len(), prop_oneof![text(), Just("p".to_string())]), 0..6),
    ) -> Profiles {
        let to_map = |kv: Vec<(usize, String)>| -> BTreeMap<String, String> {
            kv.into_iter().map(|(k, v)| (PROFILE_KEYS[k].to_string(), v)).collect()
        };
        let mut profiles = BTreeMap::new();
        profiles.insert("p".to_string(), to_map(p));
        profiles.insert("q".to_string(), to_map(q));
        Profiles { profiles, config_file: "/fuzz/config".into() }
    }
}

fn assert_one_short_line(e: &str) {
    assert!(!e.contains('\n'), "multi-line error: {e:?}");
    assert!(e.len() <= 600, "{} bytes of error: {e:?}", e.len());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arn_validators_never_panic(s in text()) {
        match xacct::arn::RoleArn::parse(&s) {
            Ok(arn) => {
                prop_assert!(xacct::arn::check_account_id(arn.account()).is_ok());
                prop_assert!(xacct::arn::check_role_name(arn.name()).is_ok());
            }
            Err(e) => assert_one_short_line(&e),
        }
        let _ = xacct::arn::check_account_id(&s);
        let _ = xacct::arn::check_role_name(&s);
        if let Err(e) = xacct::arn::check_session_name(&s) {
            assert_one_short_line(&e);
        }
        if let Err(e) = xacct::arn::check_external_id(&s) {
            assert_one_short_line(&e);
        }
        let sanitized = xacct::arn::sanitize_session_name(&s);
        prop_assert!(xacct::arn::check_session_name(&sanitized).is_ok(), "{sanitized:?}");
        let cut = xacct::arn::truncate(&s, 40);
        prop_assert!(cut.chars().count() <= 43);
    }

    #[test]
    fn duration_parser_never_panics(s in text()) {
        match xacct::expiry::parse_duration(&s) {
            Ok(secs) => {
                let _ = xacct::expiry::check_duration(secs);
            }
            Err(e) => assert_one_short_line(&e),
        }
    }

    #[test]
    fn settings_resolver_never_panics(args in role_args(), p in profiles(), region in opt(), profile_env in opt()) {
        let env = EnvSnapshot {
            user: Some("fuzz".into()),
            host: Some("h".into()),
            aws_region: region,
            aws_profile: profile_env,
            ..Default::default()
        };
        match xacct::settings::resolve(&args, &p, &env) {
            Ok(s) => {
                // What resolve accepts, STS accepts.
                prop_assert!(xacct::arn::check_session_name(&s.session_name).is_ok());
                prop_assert!(xacct::expiry::check_duration(s.duration).is_ok());
                prop_assert!(s.margin < s.duration);
                let key = xacct::cache_key::cache_key(&s);
                prop_assert!(!key.is_empty() && key.len() <= 128, "{key}");
            }
            Err(e) => {
                prop_assert_eq!(e.exit_code(), 2, "{}", e);
                assert_one_short_line(&e.to_string());
            }
        }
    }

    #[test]
    fn cache_entry_decoder_never_panics(s in text()) {
        if let Ok(entry) = xacct::provider::decode(&s) {
            prop_assert_eq!(entry.version, xacct::provider::ENTRY_VERSION);
        }
    }

    #[test]
    fn mutated_cache_entries_never_panic(cut in 0usize..400, at in 0usize..400, byte in any::<u8>()) {
        let good = r#"{"version":1,"credentials":{"access_key_id":"ASIAX","secret_access_key":"s","session_token":"t","expiration":"2030-01-01T00:00:00Z","account_id":"111111111111","assumed_role_arn":null},"role_arn":"arn:aws:iam::111111111111:role/r","session_name":"ab","source":"profile:src"}"#;
        prop_assert!(xacct::provider::decode(good).is_ok());
        let mut bytes = good.as_bytes().to_vec();
        bytes.truncate(cut.min(bytes.len()));
        let at = at.min(bytes.len());
        bytes.insert(at, byte);
        let text = String::from_utf8_lossy(&bytes);
        let _ = xacct::provider::decode(&text);
    }
}
