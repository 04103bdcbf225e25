//! Storing fresh credentials: the entry, its index line, and room for it when the store
//! is full.
//!
//! The kernel keyring gives a non-root user 20000 bytes. Entries expire by themselves
//! (see `store::keyutils`), but a user who works through many roles within an hour
//! still fills the quota. Then xacct removes its own entries, those that expire first
//! (the index knows them), until the new one fits: the roles used last stay cached.
//! Only when that cannot make room is there a warning, and it names the sysctl.

use super::entry::encode;
use super::index::{self, IndexEntry};
use super::store::{CredentialStore, StoreError};
use crate::creds::Credentials;
use crate::settings::Settings;
use std::path::Path;
use std::time::Duration;

/// At most this many entries are removed to make room for one (an STS token is at most a
/// few KB, an entry at least a few hundred bytes).
const MAX_EVICTIONS: usize = 32;
/// The kernel frees a removed key's quota in its garbage collector, a moment after the
/// removal returns (about a millisecond here): retry the store after these pauses.
const RETRY_PAUSES_MS: [u64; 5] = [1, 2, 4, 8, 16];

/// Stores `c` under `key` and records it in the index in `index_dir`. `Err` is the one
/// warning to print; the credentials are then served uncached.
pub fn save(
    s: &Settings,
    store: &dyn CredentialStore,
    key: &str,
    c: &Credentials,
    index_dir: Option<&Path>,
) -> Result<(), String> {
    let text = encode(c);
    let put = || store.set(key, &text, c.expiration);
    let mut result = put();
    let mut evicted: Vec<String> = Vec::new();
    if let (Err(StoreError::Full(_)), Some(dir)) = (&result, index_dir) {
        let victims = eviction_order(&index::load(dir).entries, store.name(), key);
        for victim in victims.into_iter().take(MAX_EVICTIONS) {
            if let Err(e) = store.delete(&victim) {
                tracing::info!("could not remove {}: {e}", index::short(&victim));
                continue;
            }
            tracing::info!(
                "removed cache entry {} to make room in {}",
                index::short(&victim),
                store.name()
            );
            evicted.push(victim);
            result = put();
            for pause in RETRY_PAUSES_MS {
                if !matches!(result, Err(StoreError::Full(_))) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(pause));
                result = put();
            }
            if !matches!(result, Err(StoreError::Full(_))) {
                break;
            }
        }
    }
    if let Some(dir) = index_dir
        && (result.is_ok() || !evicted.is_empty())
    {
        let stored = result.is_ok().then(|| IndexEntry {
            key: key.to_string(),
            role_arn: s.role.as_str().to_string(),
            session_name: s.session_name.clone(),
            source: s.source.describe(),
            expiration: c.expiration,
            store: store.name().to_string(),
        });
        index::update(dir, |i| {
            for k in &evicted {
                i.remove(k, store.name());
            }
            if let Some(e) = stored {
                i.upsert(e);
            }
        });
    }
    match result {
        Ok(()) => {
            tracing::debug!("stored in {} under {}", store.name(), index::short(key));
            Ok(())
        }
        Err(StoreError::Full(why)) => {
            let removed = match evicted.len() {
                0 => "which holds no older xacct entry to remove".to_string(),
                1 => "even after removing 1 older xacct entry".to_string(),
                n => format!("even after removing {n} older xacct entries"),
            };
            Err(format!(
                "could not store the credentials in the {} keyring, {removed} ({why}); they are not cached, so every run calls STS",
                store.name()
            ))
        }
        Err(e) => Err(format!(
            "could not store the credentials in the keyring ({e}); they are not cached"
        )),
    }
}

/// The keys of `store` in the index that may go to make room for `keep`: those that
/// expire first, first.
fn eviction_order(entries: &[IndexEntry], store: &str, keep: &str) -> Vec<String> {
    let mut mine: Vec<&IndexEntry> = entries
        .iter()
        .filter(|e| e.store == store && e.key != keep)
        .collect();
    mine.sort_by_key(|e| e.expiration);
    mine.into_iter().map(|e| e.key.clone()).collect()
}

#[cfg(test)]
mod tests;
