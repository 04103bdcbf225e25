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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::creds::Secret;

    fn creds() -> Credentials {
        Credentials {
            access_key_id: "ASIA1".into(),
            secret_access_key: Secret::new("s3cr\"et"),
            session_token: Secret::new("tok"),
            expiration: DateTime::parse_from_rfc3339("2026-11-28T12:00:00.123+01:00")
                .unwrap()
                .with_timezone(&Utc),
            account_id: "111111111111".into(),
            assumed_role_arn: None,
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
}
