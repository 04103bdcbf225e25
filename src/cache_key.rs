//! The cache key: every input that changes the credentials STS would return, hashed.
//!
//! Versioned (`v1-`), so a future change of the inputs cannot serve an entry made under
//! other rules. The hash keeps keyring descriptions and lock-file names short and free of
//! user-controlled characters.

use crate::settings::Settings;
use serde::Serialize;
use sha2::{Digest, Sha256};

pub const KEY_VERSION: &str = "v1";

#[derive(Serialize)]
struct KeyInputs<'a> {
    role_arn: &'a str,
    external_id: Option<&'a str>,
    session_name: &'a str,
    duration: u32,
    source: String,
    region: &'a str,
    endpoint: Option<&'a str>,
}

/// `v1-<sha256 hex>` of the canonical JSON of the inputs.
pub fn cache_key(s: &Settings) -> String {
    let inputs = KeyInputs {
        role_arn: s.role.as_str(),
        external_id: s.external_id.as_deref(),
        session_name: &s.session_name,
        duration: s.duration,
        source: s.source.describe(),
        region: &s.region,
        endpoint: s.endpoint.as_deref(),
    };
    let canonical = serde_json::to_vec(&inputs).expect("plain strings serialize");
    let digest = Sha256::digest(&canonical);
    let mut out = String::with_capacity(3 + 64);
    out.push_str(KEY_VERSION);
    out.push('-');
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::RoleArgs;
    use crate::settings::{EnvSnapshot, Profiles, resolve};

    fn key_of(args: RoleArgs, env: EnvSnapshot) -> String {
        cache_key(&resolve(&args, &Profiles::default(), &env).unwrap())
    }

    fn base() -> RoleArgs {
        RoleArgs {
            role_arn: Some("arn:aws:iam::111111111111:role/r".into()),
            session_name: Some("s1".into()),
            ..RoleArgs::default()
        }
    }

    #[test]
    fn every_input_changes_the_key() {
        let env = EnvSnapshot::default();
        let k0 = key_of(base(), env.clone());
        assert!(k0.starts_with("v1-") && k0.len() == 67, "{k0}");
        assert_eq!(k0, key_of(base(), env.clone()), "stable");
        let variants: Vec<(&str, RoleArgs, EnvSnapshot)> = vec![
            (
                "role",
                RoleArgs {
                    role_arn: Some("arn:aws:iam::111111111111:role/q".into()),
                    ..base()
                },
                env.clone(),
            ),
            (
                "external id",
                RoleArgs {
                    external_id: Some("ext-1".into()),
                    ..base()
                },
                env.clone(),
            ),
            (
                "session",
                RoleArgs {
                    session_name: Some("s2".into()),
                    ..base()
                },
                env.clone(),
            ),
            (
                "duration",
                RoleArgs {
                    duration: Some("2h".into()),
                    ..base()
                },
                env.clone(),
            ),
            (
                "region",
                RoleArgs {
                    region: Some("eu-west-1".into()),
                    ..base()
                },
                env.clone(),
            ),
            (
                "endpoint",
                base(),
                EnvSnapshot {
                    endpoint_url: Some("http://127.0.0.1:1".into()),
                    ..env.clone()
                },
            ),
            (
                "source key",
                base(),
                EnvSnapshot {
                    aws_access_key_id: Some("AKIA2".into()),
                    ..env.clone()
                },
            ),
            (
                "source profile",
                base(),
                EnvSnapshot {
                    aws_profile: Some("other".into()),
                    ..env.clone()
                },
            ),
        ];
        for (what, args, env) in variants {
            assert_ne!(key_of(args, env), k0, "{what} must change the key");
        }
    }

    #[test]
    fn margin_and_no_cache_do_not_change_the_key() {
        let env = EnvSnapshot::default();
        let k0 = key_of(base(), env.clone());
        let k1 = key_of(
            RoleArgs {
                refresh_margin: Some("20m".into()),
                no_cache: true,
                ..base()
            },
            env,
        );
        assert_eq!(k0, k1);
    }
}
