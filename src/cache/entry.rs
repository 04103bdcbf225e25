//! The cache entry: what the keyring holds for one key, how it is encoded, and why a
//! lookup missed.
//!
//! The entry is written through its own serde types, not through `Credentials`: `Secret`
//! has no `Serialize`, so the two `expose()` calls in `encode` are the only way a secret
//! reaches the keyring.
//!
//! Two formats decode. Version 2 (written since issue 10) holds only what is served:
//! short field names and no role, session or source, which the key's hash already binds
//! and the index lists. A non-root user's kernel key quota is 20000 bytes, so every byte
//! of an entry is a cached role fewer. Version 1 entries (full names plus role, session
//! and source) still decode, so an upgrade keeps every cache; an older xacct reads a
//! version 2 entry as "another xacct version", a clean miss that it overwrites.

use super::store::{CredentialStore, StoreError};
use crate::creds::{Credentials, Secret};
use crate::expiry::{needs_refresh, seconds_left};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Version of the entry this release writes.
pub const ENTRY_VERSION: u32 = 2;
/// The first release's format, still read.
const V1: u32 = 1;

/// The wire form of version 2. Field names are the stored format: renaming one
/// invalidates every cache.
#[derive(Serialize, Deserialize)]
struct Compact<'a> {
    version: u32,
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    secret: Cow<'a, str>,
    #[serde(borrow)]
    token: Cow<'a, str>,
    exp: DateTime<Utc>,
    #[serde(borrow)]
    acct: Cow<'a, str>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    arn: Option<Cow<'a, str>>,
}

/// The wire form of version 1 (read only). Its role, session and source are ignored.
#[derive(Deserialize)]
struct V1Entry<'a> {
    #[serde(borrow)]
    credentials: V1Credentials<'a>,
}

#[derive(Deserialize)]
struct V1Credentials<'a> {
    #[serde(borrow)]
    access_key_id: Cow<'a, str>,
    #[serde(borrow)]
    secret_access_key: Cow<'a, str>,
    #[serde(borrow)]
    session_token: Cow<'a, str>,
    expiration: DateTime<Utc>,
    #[serde(borrow)]
    account_id: Cow<'a, str>,
    #[serde(default, borrow)]
    assumed_role_arn: Option<Cow<'a, str>>,
}

/// The text stored in the keyring (version 2, no whitespace).
pub fn encode(c: &Credentials) -> String {
    let stored = Compact {
        version: ENTRY_VERSION,
        id: c.access_key_id.as_str().into(),
        secret: c.secret_access_key.expose().into(),
        token: c.session_token.expose().into(),
        exp: c.expiration,
        acct: c.account_id.as_str().into(),
        arn: c.assumed_role_arn.as_deref().map(Into::into),
    };
    serde_json::to_string(&stored).expect("plain strings serialize")
}

/// Why the cache could not answer (logged at -vv).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    NoEntry,
    Expiring { seconds_left: i64 },
    Corrupt,
    UnknownVersion,
}

impl std::fmt::Display for Miss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Miss::NoEntry => f.write_str("no entry"),
            Miss::Expiring { seconds_left } if *seconds_left <= 0 => {
                write!(f, "expired {}s ago", -seconds_left)
            }
            Miss::Expiring { seconds_left } => {
                write!(f, "expiring in {seconds_left}s (within the refresh margin)")
            }
            Miss::Corrupt => f.write_str("corrupt entry (overwritten on refresh)"),
            Miss::UnknownVersion => f.write_str("entry of another xacct version"),
        }
    }
}

/// Decodes an entry of either version; anything else is a miss.
pub fn decode(text: &str) -> Result<Credentials, Miss> {
    #[derive(Deserialize)]
    struct Version {
        version: u32,
    }
    let version = serde_json::from_str::<Version>(text)
        .map_err(|_| Miss::Corrupt)?
        .version;
    let (id, secret, token, exp, acct, arn) = match version {
        ENTRY_VERSION => {
            let s: Compact<'_> = serde_json::from_str(text).map_err(|_| Miss::Corrupt)?;
            (s.id, s.secret, s.token, s.exp, s.acct, s.arn)
        }
        V1 => {
            let c = serde_json::from_str::<V1Entry<'_>>(text)
                .map_err(|_| Miss::Corrupt)?
                .credentials;
            let (id, secret, token) = (c.access_key_id, c.secret_access_key, c.session_token);
            (
                id,
                secret,
                token,
                c.expiration,
                c.account_id,
                c.assumed_role_arn,
            )
        }
        _ => return Err(Miss::UnknownVersion),
    };
    Ok(Credentials {
        access_key_id: id.into_owned(),
        secret_access_key: Secret::new(secret.into_owned()),
        session_token: Secret::new(token.into_owned()),
        expiration: exp,
        account_id: acct.into_owned(),
        assumed_role_arn: arn.map(Cow::into_owned),
    })
}

/// Reads and decodes the entry of `key`, however close to expiry it is.
pub fn read(
    store: &dyn CredentialStore,
    key: &str,
) -> Result<Result<Credentials, Miss>, StoreError> {
    match store.get(key) {
        Ok(Some(text)) => Ok(decode(&text)),
        Ok(None) => Ok(Err(Miss::NoEntry)),
        Err(StoreError::Corrupt) => Ok(Err(Miss::Corrupt)),
        Err(e) => Err(e),
    }
}

/// Looks `key` up and says whether the entry can be served at `now`.
pub fn lookup(
    store: &dyn CredentialStore,
    key: &str,
    now: DateTime<Utc>,
    margin: u32,
) -> Result<Result<Credentials, Miss>, StoreError> {
    Ok(match read(store, key)? {
        Ok(c) if needs_refresh(c.expiration, now, margin) => Err(Miss::Expiring {
            seconds_left: seconds_left(c.expiration, now),
        }),
        Ok(c) => Ok(c),
        Err(miss) => Err(miss),
    })
}

#[cfg(test)]
mod tests;
