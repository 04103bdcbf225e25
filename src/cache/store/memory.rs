//! An in-memory store for unit tests of the cache logic.

use super::{CredentialStore, StoreError};
use chrono::{DateTime, Utc};
use std::cell::RefCell;
use std::collections::HashMap;

#[derive(Default)]
pub struct MemoryStore {
    pub entries: RefCell<HashMap<String, String>>,
    /// The `expires_at` each entry was stored with.
    pub expiries: RefCell<HashMap<String, DateTime<Utc>>>,
    /// When set, every call fails as a locked keyring would.
    pub unavailable: bool,
    /// When set, a `set` that would make the stored keys and values longer than this many
    /// bytes fails with `Full`, as the kernel key quota does.
    pub quota: Option<usize>,
}

impl CredentialStore for MemoryStore {
    fn name(&self) -> &'static str {
        "memory"
    }
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.check()?;
        Ok(self.entries.borrow().get(key).cloned())
    }
    fn set(&self, key: &str, value: &str, expires_at: DateTime<Utc>) -> Result<(), StoreError> {
        self.check()?;
        if let Some(quota) = self.quota {
            let others: usize = self
                .entries
                .borrow()
                .iter()
                .filter(|(k, _)| k.as_str() != key)
                .map(|(k, v)| k.len() + v.len())
                .sum();
            if others + key.len() + value.len() > quota {
                return Err(StoreError::Full(format!("memory quota of {quota} bytes")));
            }
        }
        self.entries.borrow_mut().insert(key.into(), value.into());
        self.expiries.borrow_mut().insert(key.into(), expires_at);
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.check()?;
        self.entries.borrow_mut().remove(key);
        self.expiries.borrow_mut().remove(key);
        Ok(())
    }
}

impl MemoryStore {
    fn check(&self) -> Result<(), StoreError> {
        if self.unavailable {
            Err(StoreError::Unavailable("locked".into()))
        } else {
            Ok(())
        }
    }
}
