//! MFA, source identity and session tags: parsing and the STS limits they must respect.
//!
//! Pure, like `arn`: a bad value is reported locally, before any network call, with the
//! fix. Limits are those of the STS AssumeRole API model: SerialNumber 9..256 of
//! `[\w+=/:,.@-]`, TokenCode exactly 6 digits, SourceIdentity 2..64 of `[\w+=,.@-]`, at most
//! 50 tags, tag keys 1..128 and values 0..256 of `[\p{L}\p{Z}\p{N}_.:/=+\-@]`.

use crate::arn::truncate;
use crate::cli::RoleArgs;
use crate::error::Error;

/// STS accepts at most 50 session tags per AssumeRole.
pub const MAX_TAGS: usize = 50;
/// GetSessionToken's DurationSeconds range for an IAM user (15 minutes to 36 hours).
pub const MFA_SESSION_MIN: u32 = 900;
pub const MFA_SESSION_MAX: u32 = 129_600;
/// One code a working day, as in aws-vault.
pub const DEFAULT_MFA_SESSION: u32 = 43_200;

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b)
}

/// `mfa_serial`: an MFA device ARN (`arn:aws:iam::<acct>:mfa/<name>`) or a hardware serial.
pub fn check_mfa_serial(s: &str) -> Result<(), String> {
    let ok_byte = |b: u8| is_name_byte(b) || b == b'/' || b == b':';
    if s.len() < 9 || s.len() > 256 || !s.bytes().all(ok_byte) {
        return Err(format!(
            "mfa serial {:?} is invalid (use the MFA device ARN, arn:aws:iam::<account>:mfa/<name>: 9-256 characters of letters, digits and +=/:,.@_-)",
            truncate(s, 80)
        ));
    }
    Ok(())
}

/// The one-time code: six digits. The value is never echoed.
pub fn check_token_code(s: &str) -> Result<(), String> {
    if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "mfa token code is invalid ({} characters; use the 6 digits your MFA device shows)",
            s.chars().count()
        ));
    }
    Ok(())
}

/// SourceIdentity: 2..64 characters of `[\w+=,.@-]`, like RoleSessionName.
pub fn check_source_identity(s: &str) -> Result<(), String> {
    if s.len() < 2 || s.len() > 64 || !s.bytes().all(is_name_byte) {
        return Err(format!(
            "source identity {:?} is invalid (use 2-64 characters of letters, digits and +=,.@_-)",
            truncate(s, 80)
        ));
    }
    Ok(())
}

/// Tag keys and values: letters, digits, spaces and `_.:/=+-@` (unicode letters allowed).
fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c)
}

/// Parses one `KEY=VALUE` (split at the first `=`; the value may be empty).
pub fn parse_tag(s: &str) -> Result<(String, String), String> {
    let Some((key, value)) = s.split_once('=') else {
        return Err(format!(
            "session tag {:?} has no '='; write it as KEY=VALUE",
            truncate(s, 80)
        ));
    };
    let (klen, vlen) = (key.chars().count(), value.chars().count());
    if klen == 0 || klen > 128 || !key.chars().all(is_tag_char) {
        return Err(format!(
            "session tag key {:?} is invalid (use 1-128 letters, digits, spaces and _.:/+-@)",
            truncate(key, 80)
        ));
    }
    if vlen > 256 || !value.chars().all(is_tag_char) {
        return Err(format!(
            "session tag {key:?} has an invalid value (use 0-256 letters, digits, spaces and _.:/=+-@)"
        ));
    }
    Ok((key.to_string(), value.to_string()))
}

/// The profile's `session_tags = K1=V1,K2=V2` (commas cannot occur in tags, so they split).
pub fn parse_tag_list(s: &str) -> Result<Vec<(String, String)>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(parse_tag)
        .collect()
}

/// Merges profile tags with flag tags (a flag replaces the profile's tag of the same key),
/// sorts them by key so the cache key does not depend on their order, and checks the
/// limits. STS treats tag keys case-insensitively, so `Team` and `team` collide.
pub fn merge_tags(
    profile: Vec<(String, String)>,
    flags: Vec<(String, String)>,
) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in profile.into_iter().chain(flags) {
        out.retain(|(old, _)| !old.eq_ignore_ascii_case(&k) || old == &k);
        match out.iter_mut().find(|(old, _)| old == &k) {
            Some(slot) => slot.1 = v,
            None => out.push((k, v)),
        }
    }
    out.sort();
    if out.len() > MAX_TAGS {
        return Err(format!(
            "{} session tags given; STS accepts at most {MAX_TAGS}",
            out.len()
        ));
    }
    Ok(out)
}

/// The resolved MFA, source identity and session tags.
pub struct SessionOpts {
    pub mfa_serial: Option<String>,
    pub mfa_session_duration: u32,
    pub token_code: Option<crate::creds::Secret>,
    pub source_identity: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// Resolves MFA, source identity and session tags: flags, then the profile's keys.
pub fn resolve<'p>(
    args: &RoleArgs,
    from_profile: &dyn Fn(&str) -> Option<&'p str>,
    pname: &str,
) -> Result<SessionOpts, Error> {
    // A bad value from the profile names the profile; a bad flag is a usage error.
    let blame = |flag_given: bool| {
        move |msg: String| {
            if flag_given {
                Error::Usage(msg)
            } else {
                Error::in_profile(pname, msg)
            }
        }
    };
    let mfa_serial = args
        .mfa_serial
        .as_deref()
        .or_else(|| from_profile("mfa_serial"))
        .map(|m| check_mfa_serial(m).map(|()| m.to_string()))
        .transpose()
        .map_err(blame(args.mfa_serial.is_some()))?;
    let mfa_session_duration = match (
        &args.mfa_session_duration,
        from_profile("mfa_session_duration"),
    ) {
        (Some(d), _) => crate::expiry::parse_duration(d).map_err(Error::Usage)?,
        (None, Some(d)) => crate::expiry::parse_duration(d).map_err(blame(false))?,
        (None, None) => DEFAULT_MFA_SESSION,
    };
    if !(MFA_SESSION_MIN..=MFA_SESSION_MAX).contains(&mfa_session_duration) {
        return Err(blame(args.mfa_session_duration.is_some())(format!(
            "mfa session duration {mfa_session_duration}s is out of range (GetSessionToken accepts 15m to 36h)"
        )));
    }
    if let Some(code) = &args.token_code {
        check_token_code(code.expose()).map_err(Error::Usage)?;
        if mfa_serial.is_none() {
            return Err(Error::Usage(
                "--token-code needs an MFA device: pass --mfa-serial ARN or set mfa_serial in the profile".into(),
            ));
        }
    }
    let source_identity = args
        .source_identity
        .as_deref()
        .or_else(|| from_profile("source_identity"))
        .map(|id| check_source_identity(id).map(|()| id.to_string()))
        .transpose()
        .map_err(blame(args.source_identity.is_some()))?;
    let profile_tags = match from_profile("session_tags") {
        Some(list) => parse_tag_list(list).map_err(|e| {
            Error::in_profile(
                pname,
                format!("bad session_tags entry: {e} (session_tags = K1=V1,K2=V2)"),
            )
        })?,
        None => Vec::new(),
    };
    let flag_tags = args
        .tags
        .iter()
        .map(|t| parse_tag(t))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Error::Usage)?;
    let tags = merge_tags(profile_tags, flag_tags).map_err(Error::Usage)?;
    Ok(SessionOpts {
        mfa_serial,
        mfa_session_duration,
        token_code: args.token_code.clone(),
        source_identity,
        tags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{EnvSnapshot, Profiles};

    /// Resolves `args` against a profile `p` with `keys`.
    fn resolved(args: RoleArgs, keys: &[(&str, &str)]) -> Result<crate::settings::Settings, Error> {
        let mut profiles = Profiles::default();
        let mut p: std::collections::BTreeMap<String, String> = keys
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        p.insert("role_arn".into(), "arn:aws:iam::111111111111:role/r".into());
        profiles.profiles.insert("p".into(), p);
        let args = RoleArgs {
            profile: Some("p".into()),
            ..args
        };
        crate::settings::resolve(&args, &profiles, &EnvSnapshot::default())
    }

    #[test]
    fn profile_keys_and_flags_resolve() {
        let keys = [
            ("mfa_serial", "arn:aws:iam::222222222222:mfa/alice"),
            ("source_identity", "from-profile"),
            ("session_tags", "team=backup,env=prod"),
        ];
        let s = resolved(RoleArgs::default(), &keys).unwrap();
        assert_eq!(s.mfa_serial.as_deref(), Some(keys[0].1));
        assert_eq!(s.source_identity.as_deref(), Some("from-profile"));
        assert_eq!(
            s.tags,
            vec![
                ("env".into(), "prod".into()),
                ("team".into(), "backup".into())
            ]
        );
        assert!(s.token_code.is_none());
        let s = resolved(
            RoleArgs {
                mfa_serial: Some("arn:aws:iam::222222222222:mfa/bob".into()),
                token_code: Some(crate::creds::Secret::new("123456")),
                source_identity: Some("flag".into()),
                tags: vec!["team=ops".into()],
                ..RoleArgs::default()
            },
            &keys,
        )
        .unwrap();
        assert_eq!(
            s.mfa_serial.as_deref(),
            Some("arn:aws:iam::222222222222:mfa/bob")
        );
        assert_eq!(s.source_identity.as_deref(), Some("flag"));
        assert_eq!(s.tags[1], ("team".into(), "ops".into()));
        assert_eq!(s.token_code.as_ref().map(|c| c.expose()), Some("123456"));
    }

    #[test]
    fn bad_values_are_usage_or_config_errors() {
        let code = |c: &str| Some(crate::creds::Secret::new(c));
        type Keys<'a> = &'a [(&'a str, &'a str)];
        let table: Vec<(RoleArgs, Keys<'_>, u8, &str)> = vec![
            (
                RoleArgs {
                    token_code: code("123456"),
                    ..RoleArgs::default()
                },
                &[],
                2,
                "--mfa-serial",
            ),
            (
                RoleArgs {
                    token_code: code("12345"),
                    ..RoleArgs::default()
                },
                &[("mfa_serial", "arn:aws:iam::222222222222:mfa/alice")],
                2,
                "6 digits",
            ),
            (
                RoleArgs::default(),
                &[("mfa_serial", "short")],
                2,
                "mfa serial",
            ),
            (
                RoleArgs::default(),
                &[("source_identity", "x")],
                2,
                "source identity",
            ),
            (
                RoleArgs::default(),
                &[("session_tags", "a=1,b")],
                2,
                "session_tags = K1=V1,K2=V2",
            ),
        ];
        for (args, keys, exit, want) in table {
            let err = resolved(args, keys).unwrap_err();
            assert_eq!(err.exit_code(), exit, "{err}");
            assert!(err.to_string().contains(want), "{err} lacks {want}");
        }
    }

    #[test]
    fn mfa_serials() {
        let table = [
            ("arn:aws:iam::222222222222:mfa/alice", true),
            ("GAHT12345678", true),
            ("12345678", false),
            ("arn:aws:iam::222222222222:mfa/al ice", false),
            (&"a".repeat(257), false),
            (&"a".repeat(256), true),
        ];
        for (input, ok) in table {
            assert_eq!(check_mfa_serial(input).is_ok(), ok, "{input}");
        }
    }

    #[test]
    fn token_codes_are_six_digits_and_never_echoed() {
        for (input, ok) in [("123456", true), ("12345", false), ("1234567", false)] {
            assert_eq!(check_token_code(input).is_ok(), ok, "{input}");
        }
        let err = check_token_code("12345a").unwrap_err();
        assert!(!err.contains("12345a"), "{err}");
        assert!(err.contains("6 digits"), "{err}");
    }

    #[test]
    fn source_identities() {
        let long = "a".repeat(65);
        let table = [
            ("alice@example.com", true),
            ("a", false),
            ("ab", true),
            ("has space", false),
            (long.as_str(), false),
            ("a/b", false),
        ];
        for (input, ok) in table {
            assert_eq!(check_source_identity(input).is_ok(), ok, "{input}");
        }
    }

    #[test]
    fn tags_parse() {
        let key129 = format!("{}=v", "k".repeat(129));
        let value257 = format!("k={}", "v".repeat(257));
        let table: Vec<(&str, Option<(&str, &str)>)> = vec![
            ("team=backup", Some(("team", "backup"))),
            ("team=", Some(("team", ""))),
            ("url=a=b", Some(("url", "a=b"))),
            ("Cost Center=ünïcode", Some(("Cost Center", "ünïcode"))),
            ("team", None),
            ("=v", None),
            ("k=v,w", None),
            ("k;=v", None),
            (&key129, None),
            (&value257, None),
        ];
        for (input, want) in table {
            let got = parse_tag(input).ok();
            let want = want.map(|(k, v)| (k.to_string(), v.to_string()));
            assert_eq!(got, want, "{input}");
        }
    }

    #[test]
    fn tag_lists_merge_sorted_with_flags_winning() {
        let profile = parse_tag_list("b=1, a=2,,").unwrap();
        let flags = vec![("b".to_string(), "3".to_string())];
        let got = merge_tags(profile, flags).unwrap();
        assert_eq!(
            got,
            vec![("a".into(), "2".into()), ("b".into(), "3".into())]
        );
        // Keys differing only in case are one key for STS: the later one wins.
        let got = merge_tags(
            vec![("Team".into(), "x".into())],
            vec![("team".into(), "y".into())],
        )
        .unwrap();
        assert_eq!(got, vec![("team".into(), "y".into())]);
        let many: Vec<_> = (0..51).map(|i| (format!("k{i}"), String::new())).collect();
        let err = merge_tags(many, vec![]).unwrap_err();
        assert!(err.contains("at most 50"), "{err}");
        assert!(parse_tag_list("ok=1,bad").is_err());
    }
}
