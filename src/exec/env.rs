//! The environment `xacct exec` gives its command. Pure: the parent's variable names and
//! the credentials (or endpoint) come in, a list of removals and assignments goes out.
//!
//! Like aws-vault's exec, every variable that could make an SDK pick other credentials
//! than the ones xacct hands over is removed first: the default credential chains read
//! the environment, then profiles, then the container endpoint, so a stale
//! `AWS_PROFILE` or `AWS_SESSION_TOKEN` would silently win.

use crate::creds::{Credentials, Secret};
use crate::output::rfc3339;
use std::ffi::{OsStr, OsString};

/// Set in the command's environment to the role's ARN: tells a nested `xacct exec` that it
/// runs inside another one.
pub const MARKER: &str = "XACCT_ROLE_ARN";

/// Removed from the command's environment whatever the mode (REFERENCE.md, "Environment
/// for exec", plus the web identity variables, which the SDK chains read before the
/// container endpoint, a stale expiration from an outer exec, and an inherited account id:
/// the SDKs pair `AWS_ACCOUNT_ID` with the credentials for account-based endpoints, so
/// another account's id must never reach a command holding account A's credentials).
const REMOVED: &[&str] = &[
    "AWS_ACCOUNT_ID",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_FILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_PROFILE",
    "AWS_SDK_LOAD_CONFIG",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_SESSION_NAME",
];

/// Every `AWS_CONTAINER_*` variable goes too (a relative URI would point the SDKs at a
/// real ECS endpoint instead of xacct's).
const REMOVED_PREFIX: &str = "AWS_CONTAINER_";

/// How the command gets its credentials.
pub enum Mode<'a> {
    /// Fixed keys in the environment (valid until `Expiration`).
    Static(&'a Credentials),
    /// The local endpoint that refreshes them (`exec --server`).
    Server { url: &'a str, token: &'a Secret },
}

/// What to change in the inherited environment: remove these, then set those. Values are
/// `Secret`s so that a stray `{:?}` of the plan never shows a key.
pub struct ChildEnv {
    pub remove: Vec<OsString>,
    pub set: Vec<(&'static str, Secret)>,
}

/// Whether the parent's variable `name` is removed. Windows environment names are
/// case-insensitive (`aws_profile` is `AWS_PROFILE` there), Unix ones are not.
pub fn is_removed(name: &str, case_insensitive: bool) -> bool {
    if case_insensitive {
        let upper = name.to_ascii_uppercase();
        REMOVED.contains(&upper.as_str()) || upper.starts_with(REMOVED_PREFIX)
    } else {
        REMOVED.contains(&name) || name.starts_with(REMOVED_PREFIX)
    }
}

/// The plan for a command started from an environment with `parent_keys`.
pub fn plan<'k>(
    parent_keys: impl IntoIterator<Item = &'k OsStr>,
    mode: &Mode<'_>,
    region: Option<&str>,
    role_arn: &str,
) -> ChildEnv {
    let remove = parent_keys
        .into_iter()
        .filter(|k| k.to_str().is_some_and(|k| is_removed(k, cfg!(windows))))
        .map(OsStr::to_os_string)
        .collect();
    let mut set = match mode {
        Mode::Static(c) => vec![
            ("AWS_ACCESS_KEY_ID", Secret::new(c.access_key_id.clone())),
            ("AWS_SECRET_ACCESS_KEY", c.secret_access_key.clone()),
            ("AWS_SESSION_TOKEN", c.session_token.clone()),
            (
                "AWS_CREDENTIAL_EXPIRATION",
                Secret::new(rfc3339(c.expiration)),
            ),
            ("AWS_ACCOUNT_ID", Secret::new(c.account_id.clone())),
        ],
        // No AWS_ACCOUNT_ID: the endpoint serves `AccountId` with each set of credentials.
        Mode::Server { url, token } => vec![
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", Secret::new(*url)),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", (*token).clone()),
        ],
    };
    if let Some(r) = region {
        set.push(("AWS_REGION", Secret::new(r)));
        set.push(("AWS_DEFAULT_REGION", Secret::new(r)));
    }
    set.push((MARKER, Secret::new(role_arn)));
    ChildEnv { remove, set }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Credentials {
        crate::testing::creds("NEW")
    }

    fn names(plan: &ChildEnv) -> Vec<String> {
        plan.set.iter().map(|(k, _)| k.to_string()).collect()
    }

    fn value<'a>(plan: &'a ChildEnv, key: &str) -> Option<&'a str> {
        plan.set
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.expose())
    }

    #[test]
    fn names_are_matched_by_case_only_where_the_os_is_case_sensitive() {
        // (parent variable, removed on Unix, removed on Windows)
        let table = [
            ("AWS_PROFILE", true, true),
            ("aws_profile", false, true),
            ("Aws_Session_Token", false, true),
            ("aws_container_credentials_full_uri", false, true),
            ("aws_region", false, false),
            ("PATH", false, false),
        ];
        for (name, unix, windows) in table {
            assert_eq!(is_removed(name, false), unix, "{name} on Unix");
            assert_eq!(is_removed(name, true), windows, "{name} on Windows");
        }
    }

    #[test]
    fn removes_credential_and_profile_variables_and_keeps_the_rest() {
        // (parent variable, removed?) with this OS's case rules; `aws_profile` is covered
        // by the case table above.
        let table = [
            ("AWS_ACCESS_KEY_ID", true),
            ("AWS_SECRET_ACCESS_KEY", true),
            ("AWS_SESSION_TOKEN", true),
            ("AWS_SECURITY_TOKEN", true),
            ("AWS_CREDENTIAL_FILE", true),
            ("AWS_DEFAULT_PROFILE", true),
            ("AWS_PROFILE", true),
            ("AWS_SDK_LOAD_CONFIG", true),
            ("AWS_CREDENTIAL_EXPIRATION", true),
            ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", true),
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", true),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", true),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", true),
            ("AWS_ROLE_ARN", true),
            ("AWS_ACCOUNT_ID", true),
            ("AWS_ENDPOINT_URL", false),
            ("AWS_CONFIG_FILE", false),
            ("AWS_SHARED_CREDENTIALS_FILE", false),
            ("AWS_REGION", false),
            ("AWS_CONTAINER", false),
            ("PATH", false),
            ("XACCT_ROLE_ARN", false),
        ];
        let keys: Vec<OsString> = table.iter().map(|(k, _)| OsString::from(k)).collect();
        let c = creds();
        let p = plan(
            keys.iter().map(OsString::as_os_str),
            &Mode::Static(&c),
            None,
            "r",
        );
        for (k, removed) in table {
            assert_eq!(p.remove.contains(&OsString::from(k)), removed, "{k}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_non_utf8_variable_name_is_kept_and_does_not_panic() {
        use std::os::unix::ffi::OsStrExt;
        let odd = OsStr::from_bytes(b"AWS_CONTAINER_\xff");
        let c = creds();
        let p = plan([odd], &Mode::Static(&c), None, "r");
        assert!(p.remove.is_empty());
    }

    #[test]
    fn static_mode_sets_the_keys_expiration_and_marker() {
        let c = creds();
        let role = "arn:aws:iam::111111111111:role/backup";
        let p = plan([], &Mode::Static(&c), Some("eu-west-1"), role);
        assert_eq!(
            names(&p),
            [
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "AWS_CREDENTIAL_EXPIRATION",
                "AWS_ACCOUNT_ID",
                "AWS_REGION",
                "AWS_DEFAULT_REGION",
                "XACCT_ROLE_ARN",
            ]
        );
        assert_eq!(value(&p, "AWS_ACCESS_KEY_ID"), Some("ASIANEW"));
        assert_eq!(value(&p, "AWS_SECRET_ACCESS_KEY"), Some("secret-NEW"));
        assert_eq!(value(&p, "AWS_SESSION_TOKEN"), Some("token-NEW"));
        assert_eq!(
            value(&p, "AWS_CREDENTIAL_EXPIRATION"),
            Some("2033-05-18T03:33:20Z")
        );
        assert_eq!(value(&p, "AWS_ACCOUNT_ID"), Some("111111111111"));
        assert_eq!(value(&p, "AWS_DEFAULT_REGION"), Some("eu-west-1"));
        assert_eq!(value(&p, MARKER), Some(role));
    }

    #[test]
    fn server_mode_sets_the_endpoint_and_no_keys() {
        let token = Secret::new("t0k");
        let mode = Mode::Server {
            url: "http://127.0.0.1:4242/",
            token: &token,
        };
        let p = plan([], &mode, None, "r");
        assert_eq!(
            names(&p),
            [
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                "XACCT_ROLE_ARN",
            ]
        );
        assert_eq!(
            value(&p, "AWS_CONTAINER_CREDENTIALS_FULL_URI"),
            Some("http://127.0.0.1:4242/")
        );
        assert_eq!(value(&p, "AWS_CONTAINER_AUTHORIZATION_TOKEN"), Some("t0k"));
    }

    #[test]
    fn debug_of_a_plan_never_shows_a_secret() {
        let c = creds();
        let p = plan([], &Mode::Static(&c), None, "r");
        let shown = format!("{:?}", p.set);
        assert!(!shown.contains("secret-NEW") && !shown.contains("token-NEW"));
    }
}
