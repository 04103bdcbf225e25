//! Where cached credentials live: the `CredentialStore` trait, the OS keyring adapter, the
//! `auto` fallback, and an in-memory store for tests.
//!
//! A missing or locked keyring must never break `credential-process`: every failure here
//! becomes `StoreError::Unavailable` (or `Full`), and the caller goes on without a cache.

mod keyring;
#[cfg(target_os = "linux")]
mod keyutils;
mod memory;
#[cfg(target_os = "linux")]
mod secret_service;

pub use memory::MemoryStore;

pub use crate::cli::StoreKind;
use chrono::{DateTime, Utc};
use std::cell::RefCell;

/// Why a store could not answer. Never carries a stored value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The store cannot be reached or is locked: go on without a cache.
    Unavailable(String),
    /// The stored bytes are not text: treat as a miss and overwrite.
    Corrupt,
    /// The store refused a new entry for lack of room (the kernel's per-user key quota):
    /// the caller may remove older entries of its own and try again. Says which limits.
    Full(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Unavailable(why) => write!(f, "{why}"),
            StoreError::Corrupt => f.write_str("the stored entry is not valid text"),
            StoreError::Full(why) => write!(f, "{why}"),
        }
    }
}

/// A key-value store for serialized cache entries.
pub trait CredentialStore {
    /// `secret-service`, `keyutils`, `keychain`, `credential-manager` or `memory`.
    fn name(&self) -> &'static str;
    fn get(&self, key: &str) -> Result<Option<String>, StoreError>;
    /// Stores `value` under `key`. A store that can drop entries by itself (the kernel
    /// keyring) drops this one at `expires_at`, when the credentials in it are worthless,
    /// so that an unused entry does not hold the user's key quota.
    fn set(&self, key: &str, value: &str, expires_at: DateTime<Utc>) -> Result<(), StoreError>;
    /// Removes the entry; a missing entry is not an error.
    fn delete(&self, key: &str) -> Result<(), StoreError>;
}

/// Opens the chosen store. `Ok(None)` for `none`; `Err` when the store cannot be opened
/// (the caller warns and continues without a cache).
pub fn open(kind: StoreKind) -> Result<Option<Box<dyn CredentialStore>>, StoreError> {
    match kind {
        StoreKind::None => Ok(None),
        StoreKind::Auto => Ok(Some(Box::new(AutoStore::new(keyring::auto_order())))),
        other => keyring::open(other).map(Some),
    }
}

/// Tries each store in turn: the first that opens and answers serves the run. A store that
/// fails (no bus, locked collection) is dropped for the rest of the run.
struct AutoStore {
    current: RefCell<Option<Box<dyn CredentialStore>>>,
    remaining: RefCell<Vec<StoreKind>>,
    failures: RefCell<Vec<String>>,
}

impl AutoStore {
    fn new(order: Vec<StoreKind>) -> AutoStore {
        let mut remaining = order;
        remaining.reverse();
        AutoStore {
            current: RefCell::new(None),
            remaining: RefCell::new(remaining),
            failures: RefCell::new(Vec::new()),
        }
    }

    /// Runs `op` on the current store, moving to the next store while it is unavailable.
    fn with<T>(
        &self,
        op: impl Fn(&dyn CredentialStore) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        loop {
            if self.current.borrow().is_none() {
                let Some(kind) = self.remaining.borrow_mut().pop() else {
                    let why = self.failures.borrow().join("; ");
                    return Err(StoreError::Unavailable(format!(
                        "no keyring store works ({why})"
                    )));
                };
                match keyring::open(kind) {
                    Ok(store) => *self.current.borrow_mut() = Some(store),
                    Err(e) => self.failures.borrow_mut().push(format!("{kind:?}: {e}")),
                }
                continue;
            }
            let result = op(self.current.borrow().as_deref().expect("checked above"));
            match result {
                Err(StoreError::Unavailable(why)) => {
                    let name = self
                        .current
                        .borrow()
                        .as_ref()
                        .map(|s| s.name())
                        .unwrap_or("");
                    self.failures.borrow_mut().push(format!("{name}: {why}"));
                    *self.current.borrow_mut() = None;
                }
                other => return other,
            }
        }
    }
}

impl CredentialStore for AutoStore {
    fn name(&self) -> &'static str {
        // Resolve the store first so `name` reports the one that answers.
        let _ = self.with(|_| Ok(()));
        self.current
            .borrow()
            .as_ref()
            .map(|s| s.name())
            .unwrap_or("none")
    }
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.with(|s| s.get(key))
    }
    fn set(&self, key: &str, value: &str, expires_at: DateTime<Utc>) -> Result<(), StoreError> {
        self.with(|s| s.set(key, value, expires_at))
    }
    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.with(|s| s.delete(key))
    }
}
