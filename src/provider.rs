//! Cached-or-assume: the one path every command uses to get credentials.
//!
//! Like aws-vault's cached session provider: look the key up and return the entry if more
//! than the refresh margin is left; otherwise take the key's lock, look again (another
//! process may have refreshed meanwhile), assume the role, store. So any number of
//! processes with a cold cache make one AssumeRole. On a hit nothing here loads the AWS
//! SDK config, starts TLS or reads a CA bundle.

use crate::cache_key::cache_key;
use crate::creds::Credentials;
use crate::error::Error;
use crate::expiry::{needs_refresh, seconds_left};
use crate::lock;
use crate::settings::Settings;
use crate::store::{self, CredentialStore, StoreError, StoreKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Version of the serialized cache entry; an entry of another version is a miss.
pub const ENTRY_VERSION: u32 = 1;

/// What the keyring holds for one key. Non-secret fields let `cache list` describe it.
#[derive(Serialize, Deserialize)]
pub struct CacheEntry {
    pub version: u32,
    pub credentials: Credentials,
    pub role_arn: String,
    pub session_name: String,
    pub source: String,
}

impl CacheEntry {
    pub fn new(s: &Settings, credentials: Credentials) -> CacheEntry {
        CacheEntry {
            version: ENTRY_VERSION,
            credentials,
            role_arn: s.role.as_str().to_string(),
            session_name: s.session_name.clone(),
            source: s.source.describe(),
        }
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
    serde_json::from_str(text).map_err(|_| Miss::Corrupt)
}

/// Looks `key` up and says whether the entry can be served at `now`.
pub fn lookup(
    store: &dyn CredentialStore,
    key: &str,
    now: DateTime<Utc>,
    margin: u32,
) -> Result<Result<Credentials, Miss>, StoreError> {
    let text = match store.get(key) {
        Ok(Some(text)) => text,
        Ok(None) => return Ok(Err(Miss::NoEntry)),
        Err(StoreError::Corrupt) => return Ok(Err(Miss::Corrupt)),
        Err(e) => return Err(e),
    };
    Ok(match decode(&text) {
        Ok(entry) if needs_refresh(entry.credentials.expiration, now, margin) => {
            Err(Miss::Expiring {
                seconds_left: seconds_left(entry.credentials.expiration, now),
            })
        }
        Ok(entry) => Ok(entry.credentials),
        Err(miss) => Err(miss),
    })
}

/// Where the credentials came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Cache,
    Sts,
}

/// Credentials and where they came from.
#[derive(Clone, Debug)]
pub struct Obtained {
    pub credentials: Credentials,
    pub origin: Origin,
    /// The store that served or stored them, if any.
    pub store: Option<&'static str>,
}

/// The cache a lookup may use.
pub struct Cache<'a> {
    pub store: &'a dyn CredentialStore,
    /// Where lock files go; `None` runs without single flight.
    pub lock_dir: Option<&'a Path>,
    /// Where the `cache list` index lives; `None` keeps no index.
    pub index_dir: Option<&'a Path>,
}

/// Logs why the cache missed (-vv). The index is read only when debug logging is on, so
/// a plain run pays nothing for the explanation.
fn log_miss(s: &Settings, key: &str, miss: &Miss, index_dir: Option<&Path>) {
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return;
    }
    let changed = match (miss, index_dir) {
        (Miss::NoEntry, Some(dir)) => {
            crate::cache_index::load(dir).key_changed(key, s.role.as_str(), &s.session_name)
        }
        _ => None,
    };
    let why = changed.unwrap_or_else(|| miss.to_string());
    tracing::debug!(
        "cache miss for {} ({}): {why}",
        s.role.as_str(),
        crate::cache_index::short(key)
    );
}

/// Records a stored entry in the `cache list` index.
fn index_stored(s: &Settings, key: &str, store: &str, c: &Credentials, dir: &Path) {
    let entry = crate::cache_index::IndexEntry {
        key: key.to_string(),
        role_arn: s.role.as_str().to_string(),
        session_name: s.session_name.clone(),
        source: s.source.describe(),
        expiration: c.expiration,
        store: store.to_string(),
    };
    crate::cache_index::update(dir, |i| i.upsert(entry));
}

/// The cache-or-assume algorithm, with every dependency passed in.
pub fn cached_or_fetch(
    s: &Settings,
    key: &str,
    cache: Option<Cache<'_>>,
    now: &dyn Fn() -> DateTime<Utc>,
    fetch: &mut dyn FnMut() -> Result<Credentials, Error>,
    warn: &mut dyn FnMut(&str),
) -> Result<Obtained, Error> {
    let from_sts = |credentials, store| Obtained {
        credentials,
        origin: Origin::Sts,
        store,
    };
    let Some(cache) = cache else {
        return Ok(from_sts(fetch()?, None));
    };
    let uncached = |why: &StoreError, warn: &mut dyn FnMut(&str)| {
        warn(&format!(
            "credential cache unavailable ({why}); continuing without a cache"
        ));
    };
    match lookup(cache.store, key, now(), s.margin) {
        Ok(Ok(credentials)) => {
            return Ok(Obtained {
                credentials,
                origin: Origin::Cache,
                store: Some(cache.store.name()),
            });
        }
        Ok(Err(miss)) => log_miss(s, key, &miss, cache.index_dir),
        Err(e) => {
            uncached(&e, warn);
            return Ok(from_sts(fetch()?, None));
        }
    }
    let _guard = match cache.lock_dir {
        Some(dir) => match lock::acquire(dir, key, lock::WAIT) {
            Ok(guard) => Some(guard),
            Err(lock::LockError::Busy(msg)) => return Err(Error::Runtime(msg)),
            Err(lock::LockError::Unusable(msg)) => {
                warn(&format!("{msg}; refreshing without the cross-process lock"));
                None
            }
        },
        None => None,
    };
    // Another process may have refreshed while this one waited for the lock.
    if let Ok(Ok(credentials)) = lookup(cache.store, key, now(), s.margin) {
        return Ok(Obtained {
            credentials,
            origin: Origin::Cache,
            store: Some(cache.store.name()),
        });
    }
    let credentials = fetch()?;
    let entry = serde_json::to_string(&CacheEntry::new(s, credentials.clone()))
        .map_err(|e| Error::Runtime(format!("cannot encode cache entry: {e}")))?;
    match cache.store.set(key, &entry) {
        Ok(()) => {
            tracing::debug!(
                "stored in {} under {}",
                cache.store.name(),
                crate::cache_index::short(key)
            );
            if let Some(dir) = cache.index_dir {
                index_stored(s, key, cache.store.name(), &credentials, dir);
            }
            Ok(from_sts(credentials, Some(cache.store.name())))
        }
        Err(e) => {
            warn(&format!(
                "could not store the credentials in the keyring ({e}); they are not cached"
            ));
            Ok(from_sts(credentials, None))
        }
    }
}

/// Gets credentials for `s` with the real keyring, lock directory, clock and STS.
pub fn obtain(s: &Settings, kind: StoreKind) -> Result<Obtained, Error> {
    let mut warn = |m: &str| crate::ui::warn(m);
    for w in &s.warnings {
        warn(w);
    }
    let key = cache_key(s);
    let store = if s.no_cache {
        None
    } else {
        store::open(kind).unwrap_or_else(|e| {
            warn(&format!(
                "credential cache unavailable ({e}); continuing without a cache"
            ));
            None
        })
    };
    let lock_dir = lock::default_dir();
    let cache = store.as_deref().map(|store| Cache {
        store,
        lock_dir: lock_dir.as_deref(),
        index_dir: lock_dir.as_deref(),
    });
    // The MFA code is asked for here, on a miss only: a cached session never prompts.
    let mut fetch = || {
        let s = crate::mfa::with_token_code(s)?;
        tracing::info!(
            "assuming {} as {} with credentials from {}",
            s.role.as_str(),
            s.session_name,
            s.source.describe()
        );
        assume_blocking(&s)
    };
    let got = cached_or_fetch(s, &key, cache, &Utc::now, &mut fetch, &mut warn)?;
    tracing::info!(
        "credentials for {} from {}, expiring {}",
        s.role.as_str(),
        match (got.origin, got.store) {
            (Origin::Cache, Some(store)) => format!("the cache ({store})"),
            (Origin::Sts, Some(store)) => format!("STS (stored in {store})"),
            _ => "STS (not cached)".to_string(),
        },
        crate::output::rfc3339(got.credentials.expiration)
    );
    Ok(got)
}

/// Runs AssumeRole through the SDK on a runtime started only now (cache misses only).
pub fn assume_blocking(s: &Settings) -> Result<Credentials, Error> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Runtime(format!("cannot start runtime: {e}")))?;
    rt.block_on(async {
        let sts = crate::aws::sts::SdkSts::new(s).await;
        crate::aws::sts::assume(&sts, s, &mut |m| crate::ui::warn(m)).await
    })
}

#[cfg(test)]
#[path = "provider_tests.rs"]
mod tests;
