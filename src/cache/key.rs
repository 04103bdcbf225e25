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
    // Added after v1 shipped: skipped when unset so existing keys stay valid. The MFA
    // serial is in, the token code is not (it changes every 30 s; a cached session
    // made with any code of the same device is as good).
    #[serde(skip_serializing_if = "Option::is_none")]
    mfa_serial: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_identity: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tags: &'a [(String, String)],
    // Added in issue 10, skipped when unset for the same reason. The default chain's key
    // id is in `source` already.
    #[serde(skip_serializing_if = "Option::is_none")]
    environment_key_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    config_file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    credentials_file: Option<&'a str>,
    // "The instance's region" (no region configured, instance-profile source): a marker,
    // not the region, which is read from IMDS on a miss only. `region` then holds the
    // fallback. Skipped when false, like the fields above.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    instance_region: bool,
}

/// `v1-<sha256 hex>` of the canonical JSON of the inputs.
pub fn cache_key(s: &Settings) -> String {
    let inputs = KeyInputs {
        role_arn: s.role.as_str(),
        external_id: s.external_id.as_deref(),
        session_name: &s.session_name,
        duration: s.duration,
        source: s.source.cache_id(),
        region: &s.region,
        endpoint: s.endpoint.as_deref(),
        mfa_serial: s.mfa_serial.as_deref(),
        source_identity: s.source_identity.as_deref(),
        tags: &s.tags,
        environment_key_id: s.environment_key_id.as_deref(),
        config_file: s.config_file.as_deref(),
        credentials_file: s.credentials_file.as_deref(),
        instance_region: s.instance_region,
    };
    hashed(&serde_json::to_vec(&inputs).expect("plain strings serialize"))
}

#[derive(Serialize)]
struct MfaSessionInputs<'a> {
    kind: &'static str,
    source: String,
    mfa_serial: &'a str,
    endpoint: Option<&'a str>,
}

/// The key of the MFA session the role is assumed from, when it has an `mfa_serial`:
/// `v1-<sha256 hex>` of the source and the serial (as aws-vault keys its session), plus
/// the STS endpoint, so a test endpoint's session is never sent to another one. Every
/// role assumed with the same source and device shares the session, and so one code.
pub fn mfa_session_key(s: &Settings) -> Option<String> {
    let inputs = MfaSessionInputs {
        kind: "mfa-session",
        source: s.source.cache_id(),
        mfa_serial: s.mfa_serial.as_deref()?,
        endpoint: s.endpoint.as_deref(),
    };
    Some(hashed(
        &serde_json::to_vec(&inputs).expect("plain strings serialize"),
    ))
}

fn hashed(canonical: &[u8]) -> String {
    let digest = Sha256::digest(canonical);
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
        let with = |f: fn(&mut RoleArgs)| {
            let mut a = base();
            f(&mut a);
            a
        };
        let variants = variants.into_iter().chain([
            (
                "mfa serial",
                with(|a| a.mfa_serial = Some("arn:aws:iam::222222222222:mfa/al".into())),
                env.clone(),
            ),
            (
                "source identity",
                with(|a| a.source_identity = Some("alice".into())),
                env.clone(),
            ),
            ("tag", with(|a| a.tags = vec!["team=x".into()]), env.clone()),
            (
                "tag value",
                with(|a| a.tags = vec!["team=y".into()]),
                env.clone(),
            ),
        ]);
        for (what, args, env) in variants {
            assert_ne!(key_of(args, env), k0, "{what} must change the key");
        }
    }

    /// Keys made before MFA, source identity and tags existed must stay valid: this is
    /// the key of `base()` as computed by the first release.
    #[test]
    fn keys_without_the_new_options_are_unchanged() {
        // sha256 of {"role_arn":"arn:aws:iam::111111111111:role/r","external_id":null,
        // "session_name":"s1","duration":3600,"source":"default-chain:profile=-,key=-",
        // "region":"us-east-1","endpoint":null}, the v1 canonical form.
        let k = key_of(base(), EnvSnapshot::default());
        assert_eq!(
            k,
            "v1-6ae78b7add43d40e38dbb8770b691219c2717e02c0caac8b01be6503da7e4035"
        );
    }

    /// A profile `p` assuming the base role with `credential_source = Environment`.
    fn env_source_key(env: EnvSnapshot) -> String {
        let mut profiles = Profiles::default();
        let p = [
            ("role_arn", "arn:aws:iam::111111111111:role/r"),
            ("credential_source", "Environment"),
            ("role_session_name", "s1"),
        ];
        profiles.profiles.insert(
            "p".into(),
            p.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        let args = RoleArgs {
            profile: Some("p".into()),
            ..RoleArgs::default()
        };
        cache_key(&resolve(&args, &profiles, &env).unwrap())
    }

    /// Issue 10's inputs: the environment source's key id and the config and credentials
    /// file paths. Each value gets a key of its own; unset, the key is the one made before.
    #[test]
    fn source_key_id_and_file_paths_change_the_key() {
        let env = |key: Option<&str>, config: Option<&str>, creds: Option<&str>| EnvSnapshot {
            aws_access_key_id: key.map(String::from),
            aws_config_file: config.map(String::from),
            aws_shared_credentials_file: creds.map(String::from),
            ..EnvSnapshot::default()
        };
        // (case, environment)
        let table = [
            ("nothing set", env(None, None, None)),
            ("key 1", env(Some("AKIAJOB1"), None, None)),
            ("key 2", env(Some("AKIAJOB2"), None, None)),
            ("config a", env(None, Some("/etc/a/config"), None)),
            ("config b", env(None, Some("/etc/b/config"), None)),
            ("credentials a", env(None, None, Some("/etc/a/credentials"))),
            ("credentials b", env(None, None, Some("/etc/b/credentials"))),
            (
                "config and credentials",
                env(None, Some("/etc/a/config"), Some("/etc/a/credentials")),
            ),
            (
                "key 1 and config",
                env(Some("AKIAJOB1"), Some("/etc/a/config"), None),
            ),
        ];
        for (sources, what) in [
            (env_source_key as fn(EnvSnapshot) -> String, "Environment"),
            (|e| key_of(base(), e), "default chain"),
        ] {
            let keys: Vec<(&str, String)> = table
                .iter()
                .map(|(c, e)| (*c, sources(e.clone())))
                .collect();
            for (i, (a, ka)) in keys.iter().enumerate() {
                for (b, kb) in &keys[i + 1..] {
                    assert_ne!(ka, kb, "{what}: {a} and {b} share a key");
                }
            }
        }
        // A profile source ignores AWS_ACCESS_KEY_ID, so the key does too.
        let profile_source = |e: EnvSnapshot| {
            let mut p = Profiles::default();
            p.profiles.insert("src".into(), Default::default());
            let args = RoleArgs {
                source_profile: Some("src".into()),
                ..base()
            };
            cache_key(&resolve(&args, &p, &e).unwrap())
        };
        assert_eq!(
            profile_source(env(None, None, None)),
            profile_source(env(Some("AKIAJOB1"), None, None))
        );
    }

    /// An Environment-source key made before issue 10 (no key id, no file paths) is
    /// unchanged: the sha256 of the v1 canonical form, computed here from the literal.
    #[test]
    fn environment_keys_without_the_new_inputs_are_unchanged() {
        let canonical = r#"{"role_arn":"arn:aws:iam::111111111111:role/r","external_id":null,"session_name":"s1","duration":3600,"source":"credential_source:Environment","region":"us-east-1","endpoint":null}"#;
        let want: String = Sha256::digest(canonical.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(env_source_key(EnvSnapshot::default()), format!("v1-{want}"));
    }

    #[test]
    fn the_instance_region_is_a_marker_in_the_key() {
        let mut profiles = Profiles::default();
        let ec2 = [
            ("role_arn", "arn:aws:iam::111111111111:role/r"),
            ("credential_source", "Ec2InstanceMetadata"),
        ];
        profiles.profiles.insert(
            "ec2".into(),
            ec2.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        let key = |region: Option<&str>| {
            let args = RoleArgs {
                profile: Some("ec2".into()),
                session_name: Some("s1".into()),
                region: region.map(String::from),
                ..RoleArgs::default()
            };
            cache_key(&resolve(&args, &profiles, &EnvSnapshot::default()).unwrap())
        };
        // "The instance's region" is not us-east-1, the fallback it would otherwise record.
        assert_ne!(key(None), key(Some("us-east-1")));
        assert_eq!(key(None), key(None), "stable: no region value is looked up");
    }

    #[test]
    fn tag_order_and_token_code_do_not_change_the_key() {
        let env = EnvSnapshot::default();
        let mfa = |code: &str, tags: &[&str]| RoleArgs {
            mfa_serial: Some("arn:aws:iam::222222222222:mfa/al".into()),
            token_code: Some(crate::creds::Secret::new(code)),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..base()
        };
        let k1 = key_of(mfa("123456", &["a=1", "b=2"]), env.clone());
        let k2 = key_of(mfa("654321", &["b=2", "a=1"]), env);
        assert_eq!(k1, k2);
    }

    #[test]
    fn the_mfa_session_key_is_the_source_and_serial_whatever_the_role() {
        let env = EnvSnapshot::default();
        let settings = |role: &str, serial: Option<&str>, source: &str| {
            let mut p = Profiles::default();
            p.profiles.insert(source.into(), Default::default());
            let args = RoleArgs {
                role_arn: Some(format!("arn:aws:iam::111111111111:role/{role}")),
                source_profile: Some(source.into()),
                mfa_serial: serial.map(str::to_string),
                ..base()
            };
            resolve(&args, &p, &env).unwrap()
        };
        let alice = Some("arn:aws:iam::222222222222:mfa/alice");
        let k = mfa_session_key(&settings("a", alice, "src")).unwrap();
        assert_eq!(
            mfa_session_key(&settings("b", alice, "src")),
            Some(k.clone())
        );
        assert_ne!(
            mfa_session_key(&settings("a", alice, "other")),
            Some(k.clone())
        );
        let bob = Some("arn:aws:iam::222222222222:mfa/bob");
        assert_ne!(mfa_session_key(&settings("a", bob, "src")), Some(k.clone()));
        assert_ne!(
            cache_key(&settings("a", alice, "src")),
            k,
            "not a role entry's key"
        );
        assert_eq!(mfa_session_key(&settings("a", None, "src")), None);
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
