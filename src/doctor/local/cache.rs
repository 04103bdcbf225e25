//! Check 8, the cache: this role's cached entries (its role session and, with an MFA
//! serial, its MFA session): short key, store, time left, and whether the store still has
//! it. Never a secret: an entry is read only for its expiry, as a run reads it.
//!
//! The index (`cache::index`) says which stores hold the key; the store runs use is asked
//! too, since the index is only a hint. An expired or missing entry is fine: the next run
//! assumes the role.

use crate::cache::entry::{self, Miss};
use crate::cache::index::{self, IndexEntry};
use crate::cache::key;
use crate::cache::store::{self, CredentialStore, StoreError, StoreKind};
use crate::doctor::Finding;
use crate::report::time_left;
use crate::settings::Settings;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::path::Path;

const CHECK: &str = "cache";

/// What the store said about one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// A readable entry, expiring then.
    Entry(DateTime<Utc>),
    /// Corrupt, or another xacct version's: a miss that the next store overwrites.
    Unreadable,
    Missing,
    /// The store could not be asked.
    Unknown(String),
}

/// One (key, store) pair to report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// `role session` or `MFA session`.
    pub what: &'static str,
    pub key: String,
    pub store: String,
    /// The index's expiry, when the index lists the pair.
    pub indexed: Option<DateTime<Utc>>,
    pub found: Found,
    /// The store runs with this keyring choice use (entries elsewhere are not seen).
    pub in_use: bool,
}

fn at(t: DateTime<Utc>) -> String {
    crate::output::rfc3339(t)
}

/// Judges one row at `now` with the refresh margin (seconds).
pub fn judge(r: &Row, now: DateTime<Utc>, margin: u32) -> Finding {
    let head = format!("{} {} in {}", r.what, index::short(&r.key), r.store);
    let elsewhere = if r.in_use {
        ""
    } else {
        " (not the store runs with this --keyring use, so they do not see it)"
    };
    let detail = match &r.found {
        Found::Entry(exp) if crate::expiry::needs_refresh(*exp, now, margin) => {
            let when = match time_left(*exp, now).as_str() {
                "expired" => format!("expired at {}", at(*exp)),
                left => format!(
                    "expires {left} ({}), within the {}m refresh margin",
                    at(*exp),
                    margin / 60
                ),
            };
            format!("{head}: {when}; the next run assumes the role again{elsewhere}")
        }
        Found::Entry(exp) => format!(
            "{head}: expires {} ({}); runs serve it until {}m before that{elsewhere}",
            time_left(*exp, now),
            at(*exp),
            margin / 60
        ),
        Found::Unreadable => format!(
            "{head}: an entry of another xacct version or a corrupt one; the next run replaces it{elsewhere}"
        ),
        Found::Missing => match r.indexed {
            Some(exp) => format!(
                "{head}: listed in the index (until {}) but no longer in the store (expired or removed); the next run assumes the role",
                at(exp)
            ),
            None => format!("{head}: no entry; the next run assumes the role"),
        },
        Found::Unknown(why) => {
            return Finding::warn(
                CHECK,
                format!("{head}: the store cannot be asked ({why})"),
                "see the keyring check",
            );
        }
    };
    Finding::ok(CHECK, detail)
}

/// The rows of `keys` (what, key): every store the index lists the key in, plus the
/// store in use. `ask(store, key)` reads one.
pub fn rows(
    keys: &[(&'static str, String)],
    indexed: &[IndexEntry],
    in_use: Option<&str>,
    ask: &mut dyn FnMut(&str, &str) -> Found,
) -> Vec<Row> {
    let mut out = Vec::new();
    for (what, key) in keys {
        let mut stores: Vec<(String, Option<DateTime<Utc>>)> = indexed
            .iter()
            .filter(|e| &e.key == key)
            .map(|e| (e.store.clone(), Some(e.expiration)))
            .collect();
        if let Some(name) = in_use
            && !stores.iter().any(|(s, _)| s == name)
        {
            stores.push((name.to_string(), None));
        }
        for (name, exp) in stores {
            let found = ask(&name, key);
            // An MFA session is reported only when there is one.
            if *what != "role session" && found == Found::Missing && exp.is_none() {
                continue;
            }
            out.push(Row {
                what,
                key: key.clone(),
                in_use: in_use == Some(name.as_str()),
                store: name,
                indexed: exp,
                found,
            });
        }
    }
    out
}

fn read(store: &dyn CredentialStore, key: &str) -> Found {
    match entry::read(store, key) {
        Ok(Ok(c)) => Found::Entry(c.expiration),
        Ok(Err(Miss::NoEntry)) => Found::Missing,
        Ok(Err(_)) => Found::Unreadable,
        Err(StoreError::Unavailable(why) | StoreError::Full(why)) => Found::Unknown(why),
        Err(StoreError::Corrupt) => Found::Unreadable,
    }
}

/// The cache check. `in_use`: the store the keyring check found working; `index_dir`: the
/// lock directory when it exists.
pub fn check(
    settings: Option<&Settings>,
    kind: StoreKind,
    in_use: Option<&dyn CredentialStore>,
    index_dir: Option<&Path>,
) -> Vec<Finding> {
    let Some(s) = settings else {
        return vec![Finding::skip(
            CHECK,
            "no role to look up: the role options did not resolve (see the config check)",
        )];
    };
    if s.no_cache {
        return vec![Finding::skip(
            CHECK,
            "--no-cache: runs with these options do not use the cache",
        )];
    }
    if kind == StoreKind::None {
        return vec![Finding::skip(
            CHECK,
            "no cache with --keyring none (see the keyring check)",
        )];
    }
    let mut keys = vec![("role session", key::cache_key(s))];
    if let Some(k) = key::mfa_session_key(s) {
        keys.push(("MFA session", k));
    }
    let indexed = index_dir
        .map(|d| index::load(d).entries)
        .unwrap_or_default();
    let in_use_name = in_use.map(|st| st.name());
    let mut opened: BTreeMap<String, Option<Box<dyn CredentialStore>>> = BTreeMap::new();
    let mut ask = |name: &str, key: &str| -> Found {
        if Some(name) == in_use_name
            && let Some(st) = in_use
        {
            return read(st, key);
        }
        let st = opened.entry(name.to_string()).or_insert_with(|| {
            let kind = <StoreKind as clap::ValueEnum>::from_str(name, false).ok()?;
            store::open(kind).ok().flatten()
        });
        match st {
            Some(st) => read(st.as_ref(), key),
            None => Found::Unknown(format!("the {name} store cannot be opened")),
        }
    };
    let rows = rows(&keys, &indexed, in_use_name, &mut ask);
    if rows.is_empty() {
        let why = if in_use.is_none() {
            "no working store to ask (see the keyring check) and none in the index"
        } else {
            "no entry"
        };
        return vec![Finding::ok(
            CHECK,
            format!(
                "{} session {}: {why}; the next run assumes the role",
                s.role.as_str(),
                s.session_name
            ),
        )];
    }
    let now = Utc::now();
    rows.iter().map(|r| judge(r, now, s.margin)).collect()
}

#[cfg(test)]
mod tests;
