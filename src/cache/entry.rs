//! The cache entry: what the keyring holds for one key, how it is encoded, and why a
//! lookup missed.
//!
//! The entry is written through its own serde types (`Stored`), not through
//! `Credentials`: `Secret` has no `Serialize`, so the two `expose()` calls in
//! `CacheEntry::encode` are the only way a secret reaches the keyring.

use super::store::{CredentialStore, StoreError};
use crate::creds::{Credentials, Secret};
use crate::expiry::{needs_refresh, seconds_left};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Version of the serialized cache entry; an entry of another version is a miss.
pub const ENTRY_VERSION: u32 = 1;

/// What the keyring holds for one key. Non-secret fields let `cache list` describe it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheEntry {
    pub credentials: Credentials,
    pub role_arn: String,
    pub session_name: String,
    pub source: String,
}

/// The wire form of an entry (version 1). Field names are the stored format: renaming one
/// invalidates every cache.
#[derive(Serialize, Deserialize)]
struct Stored<'a> {
    version: u32,
    credentials: StoredCredentials<'a>,
    #[serde(borrow)]
    role_arn: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    session_name: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    source: std::borrow::Cow<'a, str>,
}

#[derive(Serialize, Deserialize)]
struct StoredCredentials<'a> {
    #[serde(borrow)]
    access_key_id: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    secret_access_key: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    session_token: std::borrow::Cow<'a, str>,
    expiration: DateTime<Utc>,
    #[serde(borrow)]
    account_id: std::borrow::Cow<'a, str>,
    #[serde(default, borrow)]
    assumed_role_arn: Option<std::borrow::Cow<'a, str>>,
}

impl CacheEntry {
    /// The text stored in the keyring.
    pub fn encode(&self) -> String {
        let c = &self.credentials;
        let stored = Stored {
            version: ENTRY_VERSION,
            credentials: StoredCredentials {
                access_key_id: c.access_key_id.as_str().into(),
                secret_access_key: c.secret_access_key.expose().into(),
                session_token: c.session_token.expose().into(),
                expiration: c.expiration,
                account_id: c.account_id.as_str().into(),
                assumed_role_arn: c.assumed_role_arn.as_deref().map(Into::into),
            },
            role_arn: self.role_arn.as_str().into(),
            session_name: self.session_name.as_str().into(),
            source: self.source.as_str().into(),
        };
        serde_json::to_string(&stored).expect("plain strings serialize")
    }
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

/// Decodes an entry; anything but a current, well-formed entry is a miss.
pub fn decode(text: &str) -> Result<CacheEntry, Miss> {
    #[derive(Deserialize)]
    struct Version {
        version: u32,
    }
    match serde_json::from_str::<Version>(text) {
        Ok(v) if v.version != ENTRY_VERSION => return Err(Miss::UnknownVersion),
        Ok(_) => {}
        Err(_) => return Err(Miss::Corrupt),
    }
    let s: Stored<'_> = serde_json::from_str(text).map_err(|_| Miss::Corrupt)?;
    let c = s.credentials;
    Ok(CacheEntry {
        credentials: Credentials {
            access_key_id: c.access_key_id.into_owned(),
            secret_access_key: Secret::new(c.secret_access_key.into_owned()),
            session_token: Secret::new(c.session_token.into_owned()),
            expiration: c.expiration,
            account_id: c.account_id.into_owned(),
            assumed_role_arn: c.assumed_role_arn.map(|a| a.into_owned()),
        },
        role_arn: s.role_arn.into_owned(),
        session_name: s.session_name.into_owned(),
        source: s.source.into_owned(),
    })
}

/// Reads and decodes the entry of `key`, however close to expiry it is.
pub fn read(
    store: &dyn CredentialStore,
    key: &str,
) -> Result<Result<CacheEntry, Miss>, StoreError> {
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
        Ok(entry) if needs_refresh(entry.credentials.expiration, now, margin) => {
            Err(Miss::Expiring {
                seconds_left: seconds_left(entry.credentials.expiration, now),
            })
        }
        Ok(entry) => Ok(entry.credentials),
        Err(miss) => Err(miss),
    })
}

#[cfg(test)]
mod tests;
