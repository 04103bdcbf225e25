//! An in-memory store for unit tests of the cache logic.

use super::{CredentialStore, StoreError};
use std::cell::RefCell;
use std::collections::HashMap;

#[derive(Default)]
pub struct MemoryStore {
    pub entries: RefCell<HashMap<String, String>>,
    /// When set, every call fails as a locked keyring would.
    pub unavailable: bool,
}

impl CredentialStore for MemoryStore {
    fn name(&self) -> &'static str {
        "memory"
    }
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.check()?;
        Ok(self.entries.borrow().get(key).cloned())
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.check()?;
        self.entries.borrow_mut().insert(key.into(), value.into());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.check()?;
        self.entries.borrow_mut().remove(key);
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
