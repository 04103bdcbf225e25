//! Shared unit-test fixtures: one place for the credentials and settings most tests need.

use crate::cli::RoleArgs;
use crate::creds::{Credentials, Secret};
use crate::settings::{EnvSnapshot, Profiles, Settings, resolve};
use chrono::{DateTime, TimeDelta, Utc};

/// A fixed "now" for tests that do expiry arithmetic.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

/// Credentials tagged `tag` (key id `ASIA<tag>`, secret `secret-<tag>`, token
/// `token-<tag>`), expiring `left` seconds after `now()`.
pub fn creds_left(tag: &str, left: i64) -> Credentials {
    Credentials {
        access_key_id: format!("ASIA{tag}"),
        secret_access_key: Secret::new(format!("secret-{tag}")),
        session_token: Secret::new(format!("token-{tag}")),
        expiration: now() + TimeDelta::seconds(left),
        account_id: "111111111111".into(),
        assumed_role_arn: None,
    }
}

/// Credentials tagged `tag` that expire far in the future (2033).
pub fn creds(tag: &str) -> Credentials {
    Credentials {
        expiration: DateTime::from_timestamp(2_000_000_000, 0).unwrap(),
        ..creds_left(tag, 0)
    }
}

/// The role every fixture assumes.
pub const ROLE: &str = "arn:aws:iam::111111111111:role/r";

/// Settings for `ROLE` with everything else at its default.
pub fn settings() -> Settings {
    settings_with(RoleArgs::default())
}

/// Settings for `args`, with `ROLE` when `args` names no role, and no profile files.
pub fn settings_with(args: RoleArgs) -> Settings {
    let args = RoleArgs {
        role_arn: args.role_arn.or_else(|| Some(ROLE.into())),
        ..args
    };
    resolve(&args, &Profiles::default(), &EnvSnapshot::default()).unwrap()
}
