//! The `config` check: the profile and its source_profile chain, the resolved settings
//! and where each came from, the duration against the role-chaining cap, and what would
//! shadow `exec --server`'s endpoint. Pure: the profiles, the environment snapshot and
//! the result of `settings::resolve` come in.

use super::Finding;
use crate::cli::RoleArgs;
use crate::error::Error;
use crate::settings::{EnvSnapshot, Profiles, Settings, Source};

const CHECK: &str = "config";

/// The findings for resolved (or rejected) settings. `boto_config` is whether
/// `BOTO_CONFIG` is set (botocore reads it before the container endpoint).
pub fn judge(
    args: &RoleArgs,
    profiles: &Profiles,
    env: &EnvSnapshot,
    resolved: &Result<Settings, Error>,
    boto_config: bool,
) -> Vec<Finding> {
    let mut out = vec![];
    match resolved {
        Ok(s) => {
            out.push(Finding::ok(CHECK, summary(args, profiles, env, s)));
            for w in &s.warnings {
                out.push(Finding::warn(
                    CHECK,
                    w.clone(),
                    "set duration_seconds (or --duration) to 3600 or less to silence this",
                ));
            }
        }
        Err(e) => {
            let (detail, fix) = split_fix(&e.to_string());
            out.push(Finding::fail(
                CHECK,
                detail,
                fix.unwrap_or_else(|| format!("fix {}", profiles.config_file)),
            ));
        }
    }
    if let Some(w) = crate::exec::default_profile_shadows_endpoint(profiles) {
        let (detail, fix) = split_fix(&w);
        out.push(Finding::warn(
            CHECK,
            detail,
            fix.unwrap_or_else(|| "remove those keys from [default]".into()),
        ));
    }
    if boto_config {
        out.push(Finding::warn(
            CHECK,
            "BOTO_CONFIG is set: botocore (AWS CLI v1, boto3) reads keys from that file before the exec --server endpoint, and exec keeps the variable",
            "unset BOTO_CONFIG for the job, or remove [Credentials] from that file",
        ));
    }
    out
}

/// An error's "what; fix" split at its first "; ".
fn split_fix(msg: &str) -> (String, Option<String>) {
    match msg.split_once("; ") {
        Some((what, fix)) => (what.to_string(), Some(fix.to_string())),
        None => (msg.to_string(), None),
    }
}

fn summary(args: &RoleArgs, profiles: &Profiles, env: &EnvSnapshot, s: &Settings) -> String {
    let in_profile = |key: &str| {
        let p = args.profile.as_deref()?;
        profiles
            .profiles
            .get(p)?
            .get(key)
            .filter(|v| !v.is_empty())
            .map(|_| format!("profile {p:?}"))
    };
    let from = |flag: bool, name: &str, key: &str| {
        if flag {
            name.to_string()
        } else {
            in_profile(key).unwrap_or_else(|| "default".into())
        }
    };
    let profile = match &args.profile {
        Some(p) => format!("profile {p:?} (chain {})", chain(profiles, p).join(" -> ")),
        None => "no profile".into(),
    };
    let role = format!(
        "role {} (from {})",
        s.role.as_str(),
        from(args.role_arn.is_some(), "--role-arn", "role_arn")
    );
    let source = format!("source {}", describe_source(args, env, s));
    let region_from = if args.region.is_some() {
        "--region".to_string()
    } else if env.aws_region.is_some() {
        "AWS_REGION".into()
    } else if let Some(p) = in_profile("region") {
        p
    } else if env.aws_default_region.is_some() {
        "AWS_DEFAULT_REGION".into()
    } else if s.instance_region {
        "none configured: the instance's region, from IMDS".into()
    } else {
        "none configured: the default".into()
    };
    let region = format!("region {} ({region_from})", s.region);
    let duration = format!(
        "duration {}s (from {})",
        s.duration,
        from(args.duration.is_some(), "--duration", "duration_seconds")
    );
    let external_id = match &s.external_id {
        Some(_) => format!(
            "external id set (from {})",
            from(args.external_id.is_some(), "--external-id", "external_id")
        ),
        None => "external id not set".into(),
    };
    let mut parts = vec![profile, role, source, region, duration, external_id];
    if let Some(serial) = &s.mfa_serial {
        parts.push(format!("mfa_serial {serial}"));
    }
    if let Some(ep) = &s.endpoint {
        parts.push(format!("STS endpoint {ep}"));
    }
    parts.join(", ")
}

fn describe_source(args: &RoleArgs, env: &EnvSnapshot, s: &Settings) -> String {
    match &s.source {
        Source::Profile(p) if args.source_profile.is_some() => {
            format!("profile {p:?} (from --source-profile)")
        }
        Source::Profile(p) => format!("profile {p:?} (source_profile)"),
        Source::Environment => "environment variables (credential_source = Environment)".into(),
        Source::Ec2InstanceMetadata => {
            "the EC2 instance profile (credential_source = Ec2InstanceMetadata)".into()
        }
        Source::EcsContainer => "the container's role (credential_source = EcsContainer)".into(),
        Source::DefaultChain { .. } => {
            let first = if env.aws_access_key_id.is_some() {
                "AWS_ACCESS_KEY_ID".to_string()
            } else {
                match &env.aws_profile {
                    Some(p) => format!("AWS_PROFILE={p:?}"),
                    None => "[default], then web identity, container, instance profile".into(),
                }
            };
            format!("the SDK's default chain (none set in the profile; first: {first})")
        }
    }
}

/// The profile and the source_profiles it leads to, in order (at most 10; a loop is
/// caught by `settings` before this runs).
pub fn chain(profiles: &Profiles, start: &str) -> Vec<String> {
    let mut out = vec![start.to_string()];
    let mut cur = start;
    while out.len() < 10 {
        let Some(p) = profiles.profiles.get(cur) else {
            break;
        };
        match p.get("source_profile") {
            Some(next) if next != cur && !out.contains(next) => {
                out.push(next.clone());
                cur = next;
            }
            _ => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    type Spec<'a> = &'a [(&'a str, &'a [(&'a str, &'a str)])];

    fn profiles(text: Spec<'_>) -> Profiles {
        let mut p = Profiles {
            config_file: "/home/u/.aws/config".into(),
            ..Default::default()
        };
        for (name, keys) in text {
            let map: BTreeMap<String, String> = keys
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            p.profiles.insert(name.to_string(), map);
        }
        p
    }

    const ROLE: &str = "arn:aws:iam::111111111111:role/a";

    fn run(args: RoleArgs, p: &Profiles, env: &EnvSnapshot) -> Vec<Finding> {
        let resolved = crate::settings::resolve(&args, p, env);
        judge(&args, p, env, &resolved, false)
    }

    fn named(name: &str) -> RoleArgs {
        RoleArgs {
            profile: Some(name.into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_profile_is_one_ok_line_naming_where_each_setting_came_from() {
        let p = profiles(&[
            (
                "target",
                &[
                    ("role_arn", ROLE),
                    ("source_profile", "mid"),
                    ("external_id", "very-secret-id"),
                    ("region", "eu-west-1"),
                ],
            ),
            (
                "mid",
                &[
                    ("role_arn", "arn:aws:iam::222222222222:role/m"),
                    ("source_profile", "keys"),
                ],
            ),
            ("keys", &[("aws_access_key_id", "AKIAX")]),
        ]);
        let f = run(named("target"), &p, &EnvSnapshot::default());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].status, super::super::Status::Ok);
        let d = &f[0].detail;
        for want in [
            "profile \"target\" (chain target -> mid -> keys)",
            "role arn:aws:iam::111111111111:role/a (from profile \"target\")",
            "source profile \"mid\" (source_profile)",
            "region eu-west-1 (profile \"target\")",
            "duration 3600s (from default)",
            "external id set (from profile \"target\")",
        ] {
            assert!(d.contains(want), "want {want:?} in {d}");
        }
        assert!(!d.contains("very-secret-id"), "{d}");
    }

    #[test]
    fn region_origin_follows_the_settings_precedence() {
        let p = profiles(&[("t", &[("role_arn", ROLE), ("region", "eu-west-1")])]);
        let table = [
            (None, None, "region eu-west-1 (profile \"t\")"),
            (Some("us-west-2"), None, "region us-west-2 (AWS_REGION)"),
            (None, Some("ap-south-1"), "region eu-west-1 (profile \"t\")"),
        ];
        for (aws_region, default_region, want) in table {
            let env = EnvSnapshot {
                aws_region: aws_region.map(str::to_string),
                aws_default_region: default_region.map(str::to_string),
                ..Default::default()
            };
            let f = run(named("t"), &p, &env);
            assert!(f[0].detail.contains(want), "{want}: {}", f[0].detail);
        }
        let bare = profiles(&[("t", &[("role_arn", ROLE)])]);
        let f = run(named("t"), &bare, &EnvSnapshot::default());
        assert!(
            f[0].detail
                .contains("region us-east-1 (none configured: the default)"),
            "{}",
            f[0].detail
        );
    }

    #[test]
    fn a_chained_duration_above_the_cap_is_a_warning() {
        let p = profiles(&[
            (
                "t",
                &[
                    ("role_arn", ROLE),
                    ("source_profile", "m"),
                    ("duration_seconds", "7200"),
                ],
            ),
            (
                "m",
                &[
                    ("role_arn", "arn:aws:iam::222222222222:role/m"),
                    ("source_profile", "k"),
                ],
            ),
            ("k", &[("aws_access_key_id", "AKIAX")]),
        ]);
        let f = run(named("t"), &p, &EnvSnapshot::default());
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f[0].detail.contains("duration 3600s"), "{}", f[0].detail);
        assert_eq!(f[1].status, super::super::Status::Warn);
        assert!(f[1].detail.contains("clamped to 3600s"), "{}", f[1].detail);
    }

    #[test]
    fn problems_in_the_files_fail_naming_the_profile_and_the_fix() {
        let table: [(Spec<'_>, &str, &str); 3] = [
            (&[], "profile \"t\" not found", "check the name"),
            (
                &[("t", &[("region", "eu-west-1")])],
                "profile \"t\": it has no role_arn",
                "add role_arn",
            ),
            (
                &[
                    ("t", &[("role_arn", ROLE), ("source_profile", "a")]),
                    ("a", &[("role_arn", ROLE), ("source_profile", "b")]),
                    ("b", &[("role_arn", ROLE), ("source_profile", "a")]),
                ],
                "loops",
                "point one of them",
            ),
        ];
        for (spec, detail, fix) in table {
            let f = run(named("t"), &profiles(spec), &EnvSnapshot::default());
            assert_eq!(f[0].status, super::super::Status::Fail, "{f:?}");
            assert!(f[0].detail.contains(detail), "{detail}: {f:?}");
            assert!(f[0].fix.as_deref().unwrap().contains(fix), "{fix}: {f:?}");
        }
    }

    #[test]
    fn a_shadowing_default_profile_and_boto_config_are_warnings() {
        let p = profiles(&[
            ("t", &[("role_arn", ROLE), ("source_profile", "k")]),
            ("k", &[("aws_access_key_id", "AKIAX")]),
            (
                "default",
                &[("aws_access_key_id", "AKIAY"), ("sso_session", "s")],
            ),
        ]);
        let args = named("t");
        let resolved = crate::settings::resolve(&args, &p, &EnvSnapshot::default());
        let f = judge(&args, &p, &EnvSnapshot::default(), &resolved, true);
        assert_eq!(f.len(), 3, "{f:?}");
        assert!(
            f[1].detail.contains("aws_access_key_id, sso_session"),
            "{f:?}"
        );
        assert!(f[1].fix.as_deref().unwrap().contains("remove it"), "{f:?}");
        assert!(f[2].detail.contains("BOTO_CONFIG"), "{f:?}");
    }
}
