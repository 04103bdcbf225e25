//! The documents xacct prints or serves. Pure: credentials in, text out.
//!
//! stdout is a protocol (the AWS `credential_process` contract): exactly one JSON object,
//! `Version` 1, `Expiration` in RFC 3339 UTC with `Z` (the Rust SDK parses it strictly).

use crate::creds::Credentials;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

/// RFC 3339 in UTC with a `Z` suffix and whole seconds, as AWS emits it.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ProcessDoc<'a> {
    version: u8,
    access_key_id: &'a str,
    secret_access_key: &'a str,
    session_token: &'a str,
    expiration: String,
    account_id: &'a str,
}

/// The `credential_process` document, without a trailing newline.
pub fn credential_process_json(c: &Credentials) -> String {
    let doc = ProcessDoc {
        version: 1,
        access_key_id: &c.access_key_id,
        secret_access_key: c.secret_access_key.expose(),
        session_token: c.session_token.expose(),
        expiration: rfc3339(c.expiration),
        account_id: &c.account_id,
    };
    serde_json::to_string_pretty(&doc).expect("serializing plain strings cannot fail")
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct EcsDoc<'a> {
    access_key_id: &'a str,
    secret_access_key: &'a str,
    token: &'a str,
    expiration: String,
    account_id: &'a str,
}

/// The ECS container credential endpoint's response body.
pub fn ecs_json(c: &Credentials) -> String {
    let doc = EcsDoc {
        access_key_id: &c.access_key_id,
        secret_access_key: c.secret_access_key.expose(),
        token: c.session_token.expose(),
        expiration: rfc3339(c.expiration),
        account_id: &c.account_id,
    };
    serde_json::to_string(&doc).expect("serializing plain strings cannot fail")
}

/// The environment variables a credentials export sets (aws-vault's names), in order.
pub fn env_pairs(c: &Credentials, region: Option<&str>) -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("AWS_ACCESS_KEY_ID", c.access_key_id.clone()),
        (
            "AWS_SECRET_ACCESS_KEY",
            c.secret_access_key.expose().to_string(),
        ),
        ("AWS_SESSION_TOKEN", c.session_token.expose().to_string()),
        ("AWS_CREDENTIAL_EXPIRATION", rfc3339(c.expiration)),
        // Read by current SDKs for account-based endpoints; it must match the keys.
        ("AWS_ACCOUNT_ID", c.account_id.clone()),
    ];
    if let Some(r) = region {
        v.push(("AWS_REGION", r.to_string()));
        v.push(("AWS_DEFAULT_REGION", r.to_string()));
    }
    v
}

/// Quotes for POSIX sh: inside single quotes only `'` needs care (`'\''`).
pub fn sh_quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', "'\\''"))
}

/// Quotes for PowerShell: a single-quoted string doubles its `'`.
pub fn ps_quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', "''"))
}

/// `KEY=value` lines (docker --env-file, systemd EnvironmentFile): unquoted.
pub fn env_lines(c: &Credentials, region: Option<&str>) -> String {
    env_pairs(c, region)
        .iter()
        .map(|(k, v)| format!("{k}={v}\n"))
        .collect()
}

/// `export KEY='value'` lines for `eval "$(xacct export --format export-env)"`.
pub fn export_env_lines(c: &Credentials, region: Option<&str>) -> String {
    env_pairs(c, region)
        .iter()
        .map(|(k, v)| format!("export {k}={}\n", sh_quote(v)))
        .collect()
}

/// `$Env:KEY = '...'` lines for PowerShell.
pub fn powershell_lines(c: &Credentials, region: Option<&str>) -> String {
    env_pairs(c, region)
        .iter()
        .map(|(k, v)| format!("$Env:{k} = {}\n", ps_quote(v)))
        .collect()
}

/// A `[section]` block for `~/.aws/credentials`. The expiry is a comment: the files have
/// no key for it, and a comment cannot confuse a parser.
pub fn ini_block(c: &Credentials, section: &str, region: Option<&str>) -> String {
    let mut out = format!(
        "[{section}]\n# expires {}\naws_access_key_id = {}\naws_secret_access_key = {}\naws_session_token = {}\n",
        rfc3339(c.expiration),
        c.access_key_id,
        c.secret_access_key.expose(),
        c.session_token.expose()
    );
    out.push_str(&format!("aws_account_id = {}\n", c.account_id));
    if let Some(r) = region {
        out.push_str(&format!("region = {r}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::creds::Secret;

    fn creds() -> Credentials {
        Credentials {
            secret_access_key: Secret::new("s3cr\"et"),
            session_token: Secret::new("tok"),
            expiration: DateTime::parse_from_rfc3339("2026-11-28T12:00:00.123+01:00")
                .unwrap()
                .with_timezone(&Utc),
            ..crate::testing::creds("1")
        }
    }

    #[test]
    fn credential_process_document() {
        let v: serde_json::Value =
            serde_json::from_str(&credential_process_json(&creds())).unwrap();
        let want = serde_json::json!({
            "Version": 1,
            "AccessKeyId": "ASIA1",
            "SecretAccessKey": "s3cr\"et",
            "SessionToken": "tok",
            "Expiration": "2026-11-28T11:00:00Z",
            "AccountId": "111111111111",
        });
        assert_eq!(v, want);
    }

    #[test]
    fn ecs_document() {
        let v: serde_json::Value = serde_json::from_str(&ecs_json(&creds())).unwrap();
        assert_eq!(v["Token"], "tok");
        assert_eq!(v["Expiration"], "2026-11-28T11:00:00Z");
        assert_eq!(v.as_object().unwrap().len(), 5);
    }

    #[test]
    fn export_formats() {
        let c = creds();
        let region = Some("eu-west-1");
        let table: [(&str, String, &[&str]); 5] = [
            (
                "env",
                env_lines(&c, region),
                &[
                    "AWS_SECRET_ACCESS_KEY=s3cr\"et\n",
                    "AWS_REGION=eu-west-1\n",
                    "AWS_ACCOUNT_ID=111111111111\n",
                ],
            ),
            (
                "export-env",
                export_env_lines(&c, None),
                &[
                    "export AWS_ACCESS_KEY_ID='ASIA1'\n",
                    "export AWS_CREDENTIAL_EXPIRATION='2026-11-28T11:00:00Z'\n",
                    "export AWS_ACCOUNT_ID='111111111111'\n",
                ],
            ),
            (
                "powershell",
                powershell_lines(&c, region),
                &[
                    "$Env:AWS_SESSION_TOKEN = 'tok'\n",
                    "$Env:AWS_DEFAULT_REGION = 'eu-west-1'\n",
                    "$Env:AWS_ACCOUNT_ID = '111111111111'\n",
                ],
            ),
            (
                "ini",
                ini_block(&c, "prod", region),
                &[
                    "[prod]\n",
                    "aws_secret_access_key = s3cr\"et\n",
                    "aws_account_id = 111111111111\n",
                    "region = eu-west-1\n",
                ],
            ),
            (
                "ini without region",
                ini_block(&c, "prod", None),
                &["aws_session_token = tok\n"],
            ),
        ];
        for (what, text, wants) in table {
            for want in wants {
                assert!(text.contains(want), "{what}: {text:?} lacks {want:?}");
            }
        }
        assert!(!export_env_lines(&c, None).contains("REGION"));
        assert_eq!(env_lines(&c, None).lines().count(), 5);
    }

    #[test]
    fn quoting() {
        let table = [
            ("plain", "'plain'", "'plain'"),
            ("it's", "'it'\\''s'", "'it''s'"),
            ("$(x) `y` \"z\"", "'$(x) `y` \"z\"'", "'$(x) `y` \"z\"'"),
            ("", "''", "''"),
        ];
        for (raw, sh, ps) in table {
            assert_eq!(sh_quote(raw), sh, "{raw}");
            assert_eq!(ps_quote(raw), ps, "{raw}");
        }
    }
}
