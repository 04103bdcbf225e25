//! Temporary credentials and the `Secret` box that keeps them out of logs.
//!
//! `Secret`'s `Debug` prints `** redacted **`; it has no `Display` and no `Serialize`, so
//! the only way to read the value is `expose()`, and `grep expose` finds every place a
//! secret leaves its box (as in cargo's `cargo-credential`): stdout documents
//! (`output`), the keyring entry (`cache::entry`), the child's environment (`cmd::exec`),
//! the endpoint's token check (`exec::server`), and the SDK requests (`aws`).

use chrono::{DateTime, Utc};
use std::fmt;

/// A string that must never be printed, logged or written outside the keyring.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
    /// The value itself. Call only where it goes to stdout, the keyring, or a child's env.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}

/// Temporary credentials for the target role (account A). Stored through
/// `cache::entry`'s own format, never serialized directly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Secret,
    pub expiration: DateTime<Utc>,
    /// Account A's id.
    pub account_id: String,
    /// The assumed-role ARN STS returned (`arn:aws:sts::A:assumed-role/role/session`).
    pub assumed_role_arn: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let creds = Credentials {
            secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG"),
            session_token: Secret::new("FwoGZXIvYXdzEXAMPLETOKEN"),
            ..crate::testing::creds("EXAMPLE")
        };
        let shown = format!(
            "{creds:?} {:?} {:#?}",
            creds.secret_access_key, creds.session_token
        );
        assert!(!shown.contains("wJalrXUtnFEMI"), "{shown}");
        assert!(!shown.contains("EXAMPLETOKEN"), "{shown}");
        assert!(shown.contains("** redacted **"));
        assert_eq!(creds.session_token.expose(), "FwoGZXIvYXdzEXAMPLETOKEN");
    }
}
