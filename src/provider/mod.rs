//! Cached-or-assume: the one path every command uses to get credentials.
//!
//! Like aws-vault's cached session provider: look the key up and return the entry if more
//! than the refresh margin is left; otherwise take the key's lock, look again (another
//! process may have refreshed meanwhile), assume the role, store. So any number of
//! processes with a cold cache make one AssumeRole. On a hit nothing here loads the AWS
//! SDK config, starts TLS or reads a CA bundle.
//!
//! `assume` holds the AssumeRole logic itself (role-chaining retry, error wording),
//! written against the `aws::sts::Sts` trait.

pub mod assume;

use crate::cache::entry::{Miss, lookup};
use crate::cache::index;
use crate::cache::key::cache_key;
use crate::cache::lock;
use crate::cache::save;
use crate::cache::store::{self, CredentialStore, StoreError};
use crate::cli::StoreKind;
use crate::creds::Credentials;
use crate::error::Error;
use crate::settings::Settings;
use chrono::{DateTime, Utc};
use std::path::Path;

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
            index::load(dir).key_changed(key, s.role.as_str(), &s.session_name)
        }
        _ => None,
    };
    let why = changed.unwrap_or_else(|| miss.to_string());
    tracing::debug!(
        "cache miss for {} ({}): {why}",
        s.role.as_str(),
        index::short(key)
    );
}

fn from_cache(credentials: Credentials, store: &dyn CredentialStore) -> Obtained {
    Obtained {
        credentials,
        origin: Origin::Cache,
        store: Some(store.name()),
    }
}

fn from_sts(credentials: Credentials, store: Option<&'static str>) -> Obtained {
    Obtained {
        credentials,
        origin: Origin::Sts,
        store,
    }
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
    let Some(cache) = cache else {
        return Ok(from_sts(fetch()?, None));
    };
    match lookup(cache.store, key, now(), s.margin) {
        Ok(Ok(credentials)) => return Ok(from_cache(credentials, cache.store)),
        Ok(Err(miss)) => log_miss(s, key, &miss, cache.index_dir),
        Err(e) => {
            warn(&format!(
                "credential cache unavailable ({e}); continuing without a cache"
            ));
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
        return Ok(from_cache(credentials, cache.store));
    }
    let credentials = fetch()?;
    match save::save(s, cache.store, key, &credentials, cache.index_dir) {
        Ok(()) => Ok(from_sts(credentials, Some(cache.store.name()))),
        Err(warning) => {
            warn(&warning);
            Ok(from_sts(credentials, None))
        }
    }
}

/// Opens the store `kind` names, or none for `--no-cache`; a store that cannot be opened
/// is a warning, never a failure (the run goes on without a cache).
pub fn open_store(s: &Settings, kind: StoreKind) -> Option<Box<dyn CredentialStore>> {
    if s.no_cache {
        return None;
    }
    store::open(kind).unwrap_or_else(|e: StoreError| {
        crate::ui::warn(&format!(
            "credential cache unavailable ({e}); continuing without a cache"
        ));
        None
    })
}

/// Gets credentials for `s` with the real keyring, lock directory, clock and STS.
pub fn obtain(s: &Settings, kind: StoreKind) -> Result<Obtained, Error> {
    for w in &s.warnings {
        crate::ui::warn(w);
    }
    let key = cache_key(s);
    let store = open_store(s, kind);
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
        assume::assume_blocking(&s)
    };
    let mut warn = |m: &str| crate::ui::warn(m);
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

#[cfg(test)]
mod tests;
