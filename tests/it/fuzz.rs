//! Fuzz-style: random strings into every validator, the settings resolver and the
//! cache-entry decoder. None may panic, and what they promise must hold for any input:
//! a sanitized session name passes the session-name check, an error is one line that
//! cannot flood a terminal, and a decoded entry is the current version.
//!
//! Random text is almost never a valid ARN, profile or entry, so each generator mixes
//! valid inputs (with known values) into the arbitrary ones, and each test counts how
//! many inputs were accepted and fails when that is too rare: an `Ok` branch that never
//! runs checks nothing.

use chrono::{DateTime, SecondsFormat, Utc};
use proptest::option::weighted;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::cell::Cell;
use std::collections::BTreeMap;
use xacct::arn::{self, RoleArn};
use xacct::aws::profile::KEYS as PROFILE_KEYS;
use xacct::cache::entry::{ENTRY_VERSION, decode, encode};
use xacct::cache::key::cache_key;
use xacct::cli::RoleArgs;
use xacct::creds::Secret;
use xacct::expiry::{check_duration, parse_duration};
use xacct::settings::{EnvSnapshot, Profiles, resolve};

const CASES: u32 = 2000;

/// Runs `test` on `CASES` values of `strategy` (shrinking a failure, as `proptest!`
/// does); `test` says whether the input was accepted. Returns how many were.
fn accepted<S: Strategy>(
    strategy: S,
    test: impl Fn(S::Value) -> Result<bool, TestCaseError>,
) -> u32 {
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    });
    let n = Cell::new(0);
    runner
        .run(&strategy, |v| {
            if test(v)? {
                n.set(n.get() + 1);
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    n.get()
}

/// Any text, biased toward the characters the parsers split on.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        any::<String>(),
        "[a-z0-9:/=@.,+_ -]{0,80}",
        "arn:(aws|aws-cn|x):(iam|s3):[a-z0-9-]{0,3}:[0-9a-z]{10,13}:(role|user)/[ -~]{0,70}",
        "[0-9hms ]{0,12}",
        "[\\x00-\\x1f\\x7f-\\u{10ffff}]{0,20}",
    ]
    .boxed()
}

/// Valid role ARNs: every partition, paths of printable segments, every name character.
fn valid_role_arn() -> &'static str {
    "arn:(aws|aws-cn|aws-us-gov):iam::[0-9]{12}:role/([!-.0-~]{1,12}/){0,3}[A-Za-z0-9_+=,.@-]{1,64}"
}

/// A valid value for profile key `key` (or the flag of the same meaning).
fn valid_value(key: &str) -> BoxedStrategy<String> {
    let s = |v: &[&'static str]| {
        proptest::sample::select(v.to_vec())
            .prop_map(String::from)
            .boxed()
    };
    match key {
        "role_arn" => valid_role_arn().boxed(),
        "source_profile" => s(&["p", "q"]),
        "credential_source" => s(&["Environment", "Ec2InstanceMetadata", "EcsContainer"]),
        "external_id" => "[A-Za-z0-9_+=,.@:/-]{2,40}".boxed(),
        "role_session_name" | "source_identity" => "[A-Za-z0-9_+=,.@-]{2,64}".boxed(),
        "duration_seconds" => (900u32..=43_200).prop_map(|n| n.to_string()).boxed(),
        "region" => "[a-z]{2}-[a-z]{4,9}-[1-9]".boxed(),
        "endpoint_url" => "http://127\\.0\\.0\\.1:[1-9][0-9]{3}".boxed(),
        "credential_process" => s(&["aws-vault export --format=json src"]),
        "aws_access_key_id" => "AKIA[A-Z0-9]{16}".boxed(),
        "mfa_serial" => "arn:aws:iam::[0-9]{12}:mfa/[A-Za-z0-9_+=,.@-]{1,32}".boxed(),
        "session_tags" => "[a-z]{1,8}=[a-z0-9]{0,8}(,[a-z]{1,8}=[a-z0-9]{0,8}){0,3}".boxed(),
        "mfa_session_duration" => s(&["15m", "12h", "36h", "3600"]),
        // Read only for the [default]-shadowing warning of exec --server.
        "web_identity_token_file" => s(&["/var/run/token"]),
        "sso_session" => s(&["corp"]),
        "sso_start_url" => s(&["https://corp.awsapps.com/start"]),
        "sso_account_id" => "[0-9]{12}".boxed(),
        other => panic!("no valid value for profile key {other:?}: add one to valid_value"),
    }
}

/// Mostly a valid value for `key`, sometimes any text.
fn value(key: &str) -> BoxedStrategy<String> {
    prop_oneof![4 => valid_value(key), 1 => text()].boxed()
}

/// A flag: absent, or mostly valid.
fn flag(key: &str, p_some: f64) -> impl Strategy<Value = Option<String>> {
    weighted(p_some, value(key))
}

prop_compose! {
    /// The MFA, source identity and tag options (issue 5).
    fn session_opts()(
        mfa_serial in flag("mfa_serial", 0.2),
        token_code in weighted(0.1, prop_oneof![3 => "[0-9]{6}", 1 => text()]),
        source_identity in flag("source_identity", 0.3),
        tags in proptest::collection::vec(prop_oneof![3 => "[a-z]{1,8}=[a-z0-9]{0,8}", 1 => text()], 0..3),
    ) -> (Option<String>, Option<String>, Option<String>, Vec<String>) {
        (mfa_serial, token_code, source_identity, tags)
    }
}

prop_compose! {
    fn role_args()(
        profile in weighted(0.5, prop_oneof![2 => Just("p".to_string()), 2 => Just("q".to_string()), 1 => text()]),
        role_arn in flag("role_arn", 0.6),
        source_profile in flag("source_profile", 0.4),
        external_id in flag("external_id", 0.3),
        session_name in flag("role_session_name", 0.3),
        duration in weighted(0.3, prop_oneof![3 => (900u32..=43_200).prop_map(|n| n.to_string()), 1 => text()]),
        region in flag("region", 0.3),
        refresh_margin in weighted(0.3, prop_oneof![3 => "[1-9][0-9]{0,2}s?", 1 => text()]),
        min_validity in weighted(0.2, prop_oneof![3 => "[0-9]{1,3}s?", 1 => text()]),
        no_cache in any::<bool>(),
        session in session_opts(),
    ) -> RoleArgs {
        let (mfa_serial, token_code, source_identity, tags) = session;
        RoleArgs {
            profile, role_arn, source_profile, external_id, session_name, duration, region,
            refresh_margin, min_validity, no_cache, mfa_serial, mfa_session_duration: None,
            token_code: token_code.map(Secret::new), source_identity, tags,
        }
    }
}

/// One profile: a few keys, each with a mostly valid value.
fn profile() -> impl Strategy<Value = BTreeMap<String, String>> {
    let entry =
        (0..PROFILE_KEYS.len()).prop_flat_map(|k| (Just(PROFILE_KEYS[k]), value(PROFILE_KEYS[k])));
    proptest::collection::vec(entry, 0..5)
        .prop_map(|kv| kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

prop_compose! {
    /// Two profiles `p` and `q`, which may point at each other.
    fn profiles()(p in profile(), q in profile()) -> Profiles {
        let profiles = BTreeMap::from([("p".to_string(), p), ("q".to_string(), q)]);
        Profiles { profiles, config_file: "/fuzz/config".into() }
    }
}

/// `(text, seconds)`: a valid duration, plain seconds or units largest first.
fn valid_duration() -> impl Strategy<Value = (String, u32)> {
    let units = (
        weighted(0.5, 0u32..24),
        weighted(0.5, 0u32..1000),
        weighted(0.5, 0u32..100_000),
    )
        .prop_filter("at least one unit", |(h, m, s)| {
            h.is_some() || m.is_some() || s.is_some()
        })
        .prop_map(|(h, m, s)| {
            let mut text = String::new();
            let mut secs = 0;
            for (n, unit, mult) in [(h, 'h', 3600), (m, 'm', 60), (s, 's', 1)] {
                if let Some(n) = n {
                    text.push_str(&format!("{n}{unit}"));
                    secs += n * mult;
                }
            }
            (text, secs)
        });
    prop_oneof![(0u32..100_000).prop_map(|n| (n.to_string(), n)), units]
}

/// A well-formed cache entry as xacct writes it (version 2) or wrote it (version 1),
/// with random field values.
#[derive(Clone, Debug)]
struct Entry {
    text: String,
    version: u32,
    access_key_id: String,
    expiration: DateTime<Utc>,
}

/// The versions that decode: the current one and the first release's.
fn decodes(version: u32) -> bool {
    version == ENTRY_VERSION || version == 1
}

fn entry() -> impl Strategy<Value = Entry> {
    let fields = (
        // Mostly current or version 1; else the neighbours (a miss) or any.
        prop_oneof![
            4 => Just(ENTRY_VERSION),
            2 => Just(1),
            1 => 0..=ENTRY_VERSION + 1,
            1 => any::<u32>()
        ],
        "ASIA[A-Z0-9]{12,16}",
        (any::<String>(), any::<String>()),
        0i64..4_102_444_800,
        "[0-9]{12}",
        proptest::option::of(text()),
        valid_role_arn(),
        (any::<String>(), any::<String>()),
        any::<bool>(),
    );
    fields.prop_map(
        |(
            version,
            access_key_id,
            (secret, token),
            ts,
            account,
            assumed,
            role_arn,
            (session, source),
            pretty,
        )| {
            let expiration = DateTime::from_timestamp(ts, 0).unwrap();
            let exp = expiration.to_rfc3339_opts(SecondsFormat::Secs, true);
            let doc = if version == ENTRY_VERSION {
                let mut doc = serde_json::json!({
                    "version": version, "id": access_key_id, "secret": secret,
                    "token": token, "exp": exp, "acct": account,
                });
                if let Some(arn) = assumed {
                    doc["arn"] = arn.into();
                }
                doc
            } else {
                serde_json::json!({
                    "version": version,
                    "credentials": {
                        "access_key_id": access_key_id, "secret_access_key": secret,
                        "session_token": token, "account_id": account,
                        "assumed_role_arn": assumed, "expiration": exp,
                    },
                    "role_arn": role_arn, "session_name": session, "source": source,
                })
            };
            let text = if pretty {
                serde_json::to_string_pretty(&doc)
            } else {
                serde_json::to_string(&doc)
            };
            Entry {
                text: text.unwrap(),
                version,
                access_key_id,
                expiration,
            }
        },
    )
}

fn one_short_line(e: &str) -> Result<(), TestCaseError> {
    prop_assert!(!e.contains('\n'), "multi-line error: {e:?}");
    prop_assert!(e.len() <= 600, "{} bytes of error: {e:?}", e.len());
    Ok(())
}

/// Fails unless at least `min` of the `CASES` inputs took the `Ok` branch.
fn assert_ok_ran(what: &str, n: u32, min: u32) {
    assert!(
        n >= min,
        "only {n} of {CASES} {what} were accepted (want {min}): the Ok branch barely ran"
    );
}

#[test]
fn arn_validators_never_panic() {
    let inputs = prop_oneof![
        valid_role_arn().prop_map(|s| (s, true)),
        text().prop_map(|s| (s, false)),
    ];
    let n = accepted(inputs, |(s, valid)| {
        let parsed = RoleArn::parse(&s);
        match &parsed {
            Ok(arn) => {
                prop_assert_eq!(arn.as_str(), s.as_str());
                prop_assert!(arn::check_account_id(arn.account()).is_ok());
                prop_assert!(arn::check_role_name(arn.name()).is_ok());
                let tail = format!("/{}", arn.name());
                prop_assert!(s.ends_with(&tail), "{} does not end in {}", s, tail);
            }
            Err(e) => {
                prop_assert!(!valid, "a valid ARN was rejected: {e}");
                one_short_line(e)?;
            }
        }
        let _ = arn::check_account_id(&s);
        let _ = arn::check_role_name(&s);
        if let Err(e) = arn::check_session_name(&s) {
            one_short_line(&e)?;
        }
        if let Err(e) = arn::check_external_id(&s) {
            one_short_line(&e)?;
        }
        let sanitized = arn::sanitize_session_name(&s);
        prop_assert!(arn::check_session_name(&sanitized).is_ok(), "{sanitized:?}");
        let cut = arn::truncate(&s, 40);
        prop_assert!(cut.chars().count() <= 43);
        Ok(parsed.is_ok())
    });
    assert_ok_ran("role ARNs", n, CASES / 4);
}

#[test]
fn duration_parser_never_panics() {
    let inputs = prop_oneof![
        valid_duration().prop_map(|(s, secs)| (s, Some(secs))),
        text().prop_map(|s| (s, None)),
    ];
    let n = accepted(inputs, |(s, want)| {
        let parsed = parse_duration(&s);
        match &parsed {
            Ok(secs) => {
                if let Some(want) = want {
                    prop_assert_eq!(*secs, want, "{:?}", s);
                }
                let _ = check_duration(*secs);
            }
            Err(e) => {
                prop_assert!(want.is_none(), "a valid duration was rejected: {e}");
                one_short_line(e)?;
            }
        }
        Ok(parsed.is_ok())
    });
    assert_ok_ran("durations", n, CASES / 4);
}

#[test]
fn settings_resolver_never_panics() {
    let inputs = (
        role_args(),
        profiles(),
        flag("region", 0.3),
        weighted(0.3, prop_oneof![Just("p".to_string()), text()]),
    );
    let n = accepted(inputs, |(args, p, region, profile_env)| {
        let env = EnvSnapshot {
            user: Some("fuzz".into()),
            host: Some("h".into()),
            aws_region: region,
            aws_profile: profile_env,
            ..Default::default()
        };
        let resolved = resolve(&args, &p, &env);
        match &resolved {
            Ok(s) => {
                // What resolve accepts, STS accepts; and a flag beats the profile.
                prop_assert!(arn::check_session_name(&s.session_name).is_ok());
                prop_assert!(check_duration(s.duration).is_ok());
                prop_assert!(s.margin < s.duration);
                if let Some(flag) = &args.role_arn {
                    prop_assert_eq!(s.role.as_str(), flag.as_str());
                }
                let key = cache_key(s);
                prop_assert!(!key.is_empty() && key.len() <= 128, "{key}");
            }
            Err(e) => {
                prop_assert_eq!(e.exit_code(), 2, "{}", e);
                one_short_line(&e.to_string())?;
            }
        }
        Ok(resolved.is_ok())
    });
    assert_ok_ran("role options", n, CASES / 10);
}

#[test]
fn cache_entry_decoder_never_panics() {
    let inputs = prop_oneof![
        entry().prop_map(|e| (e.text.clone(), Some(e))),
        text().prop_map(|s| (s, None)),
    ];
    let n = accepted(inputs, |(text, written)| {
        let decoded = decode(&text);
        match (&decoded, &written) {
            (Ok(c), _) => {
                // Only a version 1 or current entry decodes, and it survives a round trip
                // (written as the current version).
                prop_assert_eq!(decode(&encode(c)), Ok(c.clone()));
                if let Some(w) = &written {
                    prop_assert!(decodes(w.version), "version {} decoded", w.version);
                    prop_assert_eq!(&c.access_key_id, &w.access_key_id);
                    prop_assert_eq!(c.expiration, w.expiration);
                }
            }
            (Err(miss), Some(w)) => {
                prop_assert!(
                    !decodes(w.version),
                    "a current entry was a miss ({miss}): {}",
                    text
                );
            }
            (Err(_), None) => {}
        }
        Ok(decoded.is_ok())
    });
    assert_ok_ran("cache entries", n, CASES / 5);
}

#[test]
fn mutated_cache_entries_never_panic() {
    let current = entry().prop_filter("a version that decodes", |e| decodes(e.version));
    let inputs = (current, 0usize..1000, 0usize..1000, any::<u8>());
    accepted(inputs, |(e, cut, at, byte)| {
        prop_assert!(decode(&e.text).is_ok());
        let mut bytes = e.text.into_bytes();
        bytes.truncate(cut.min(bytes.len()));
        let at = at.min(bytes.len());
        bytes.insert(at, byte);
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(c) = decode(&text) {
            prop_assert_eq!(decode(&encode(&c)), Ok(c));
        }
        Ok(true)
    });
}
