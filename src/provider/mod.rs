//! Cached-or-assume: the one path every command uses to get credentials.
//!
//! Like aws-vault's cached session provider: look the key up and return the entry if more
//! than the refresh margin is left; otherwise take the key's lock, look again (another
//! process may have refreshed meanwhile), assume the role, store. So any number of
//! processes with a cold cache make one AssumeRole. On a hit nothing here loads the AWS
//! SDK config, starts TLS or reads a CA bundle.
//!
//! `assume` holds the AssumeRole logic itself (role-chaining retry, error wording),
//! written against the `aws::sts::Sts` trait; `mfa_session` the MFA session a role with
//! `mfa_serial` is assumed from, cached under its own key.

pub mod assume;
pub mod mfa_session;

use crate::cache::entry::{Miss, lookup, read};
use crate::cache::index;
use crate::cache::key::cache_key;
use crate::cache::lock;
use crate::cache::store::{self, CredentialStore, StoreError};
use crate::cache::{outage, save};
use crate::cli::StoreKind;
use crate::creds::Credentials;
use crate::error::Error;
use crate::expiry::{self, Plan};
use crate::settings::Settings;
use chrono::{DateTime, Utc};
use std::borrow::Cow;
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
#[derive(Clone, Copy)]
pub struct Cache<'a> {
    pub store: &'a dyn CredentialStore,
    /// Where lock files go; `Dir::None` runs without single flight.
    pub lock_dir: Dir<'a>,
    /// Where the `cache list` index lives; `Dir::None` keeps no index.
    pub index_dir: Dir<'a>,
}

/// A directory the cache needs on a miss only (lock files, the index).
#[derive(Clone, Copy, Debug)]
pub enum Dir<'a> {
    None,
    At(&'a Path),
    /// The trusted default (`lock::default_dir`), chosen when first asked for: choosing
    /// it stats the directory and each of its parents, which a cache hit has no use for.
    Default,
}

impl<'a> Dir<'a> {
    pub fn get(self) -> Option<Cow<'a, Path>> {
        match self {
            Dir::None => None,
            Dir::At(p) => Some(Cow::Borrowed(p)),
            Dir::Default => lock::default_dir().map(Cow::Owned),
        }
    }
}

impl<'a> From<Option<&'a Path>> for Dir<'a> {
    fn from(p: Option<&'a Path>) -> Dir<'a> {
        p.map_or(Dir::None, Dir::At)
    }
}

/// Logs why the cache missed (-vv). The index is read only when debug logging is on, so
/// a plain run pays nothing for the explanation.
fn log_miss(s: &Settings, key: &str, miss: &Miss, index_dir: Dir<'_>) {
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return;
    }
    let changed = match (miss, index_dir.get()) {
        (Miss::NoEntry, Some(dir)) => {
            index::load(&dir).key_changed(key, s.role.as_str(), &s.session_name)
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
///
/// Inside the refresh margin, while more than the minimum validity is left, STS trouble
/// does not fail the caller (botocore's rule): a failed refresh serves the cached
/// credentials with one warning, and for `expiry::RETRY_PAUSE` after a failure STS is not
/// asked again (callers that waited for the failing holder's lock included).
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
    let lock_dir = cache.lock_dir.get();
    let lock_dir = lock_dir.as_deref();
    let _guard = match lock_dir {
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
    // Another process may have refreshed, or failed to, while this one waited for the lock.
    let cached = read(cache.store, key).ok().and_then(Result::ok);
    let plan = match &cached {
        Some(entry) => {
            let failed = lock_dir.and_then(|dir| outage::last_failure(dir, key));
            expiry::plan(entry.expiration, now(), s.margin, s.min_validity, failed)
        }
        None => Plan::Refresh { fallback: false },
    };
    let fallback = match (plan, cached) {
        (Plan::Serve, Some(entry)) => return Ok(from_cache(entry, cache.store)),
        (Plan::ServeAfterFailure, Some(entry)) => {
            warn(&format!(
                "serving cached credentials for {} that expire in {}: their refresh failed less than {}s ago, and STS is not asked again before then",
                s.role.as_str(),
                left(&entry, now()),
                expiry::RETRY_PAUSE.num_seconds()
            ));
            return Ok(from_cache(entry, cache.store));
        }
        (Plan::Refresh { fallback: true }, Some(entry)) => Some(entry),
        _ => None,
    };
    let credentials = match (fetch(), fallback) {
        (Ok(credentials), _) => credentials,
        (Err(e @ Error::Aws(_)), Some(entry)) => {
            if let Some(dir) = lock_dir
                && let Err(io) = outage::record_failure(dir, key, now())
            {
                tracing::debug!(
                    "cannot record the failed refresh in {}: {io}",
                    dir.display()
                );
            }
            warn(&format!(
                "serving cached credentials for {} that expire in {}, because refreshing them failed: {e}",
                s.role.as_str(),
                left(&entry, now())
            ));
            return Ok(from_cache(entry, cache.store));
        }
        (Err(e), _) => return Err(e),
    };
    if let Some(dir) = lock_dir {
        outage::clear(dir, key);
    }
    let index_dir = cache.index_dir.get();
    match save::save(s, cache.store, key, &credentials, index_dir.as_deref()) {
        Ok(()) => Ok(from_sts(credentials, Some(cache.store.name()))),
        Err(warning) => {
            warn(&warning);
            Ok(from_sts(credentials, None))
        }
    }
}

/// "14m5s (at 2030-01-01T00:00:00Z)".
fn left(c: &Credentials, now: DateTime<Utc>) -> String {
    let secs = expiry::seconds_left(c.expiration, now).max(0);
    format!(
        "{}m{}s (at {})",
        secs / 60,
        secs % 60,
        crate::output::rfc3339(c.expiration)
    )
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
    obtain_as(s, s, kind)
}

/// `obtain` for `exec --server`'s refresh ahead: the cached role session counts as stale
/// with `stale_margin` seconds left or fewer (so the keys in hand are never handed back),
/// and a failed refresh is an error rather than the cached entry served again: the
/// endpoint keeps serving what it holds and warns once, itself. The MFA session is still
/// looked up with the settings' own margin.
pub fn obtain_refresh(s: &Settings, kind: StoreKind, stale_margin: u32) -> Result<Obtained, Error> {
    let role = Settings {
        margin: stale_margin,
        min_validity: stale_margin,
        warnings: vec![],
        ..s.clone()
    };
    obtain_as(s, &role, kind)
}

/// Looks the role session up with `role`'s margins, assumes the role with `s`.
fn obtain_as(s: &Settings, role: &Settings, kind: StoreKind) -> Result<Obtained, Error> {
    for w in &role.warnings {
        crate::ui::warn(w);
    }
    let key = cache_key(s);
    let store = open_store(s, kind);
    let cache = store.as_deref().map(|store| Cache {
        store,
        lock_dir: Dir::Default,
        index_dir: Dir::Default,
    });
    // The MFA session is looked at on a miss only: a cached role session needs no code.
    let mut code = s.token_code.clone();
    let mut fetch = || {
        let session = match s.mfa_serial {
            Some(_) => Some(mfa_session::session(s, &mut code, cache, &Utc::now)?),
            None => None,
        };
        tracing::info!(
            "assuming {} as {} with credentials from {}",
            s.role.as_str(),
            s.session_name,
            match session {
                Some(_) => "the MFA session".to_string(),
                None => s.source.describe(),
            }
        );
        assume::assume_blocking(s, session.as_ref())
    };
    let mut warn = |m: &str| crate::ui::warn(m);
    let got = cached_or_fetch(role, &key, cache, &Utc::now, &mut fetch, &mut warn)?;
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
