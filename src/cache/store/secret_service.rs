//! The Secret Service (gnome-keyring, KeePassXC) through the `secret-service` crate,
//! with a `plain` session.
//!
//! # Why `plain`
//!
//! The Secret Service API lets a client open its session with a Diffie-Hellman exchange
//! (`dh-ietf1024-sha256-aes128-cbc-pkcs7`), after which secrets cross the bus encrypted,
//! or with `plain`. The exchange is unauthenticated, and the session bus is the user's
//! own: only processes of this user (and root) can connect to it or eavesdrop on it
//! (dbus-daemon allows `BecomeMonitor` to the same uid only), and every one of them can
//! ask the unlocked collection for the same secret, which gnome-keyring hands to any
//! client of the bus. A keyring that asks before it answers (KeePassXC can) does not
//! change that: a process that can watch this user's bus can also rewrite the
//! `credential_process` line in this user's `~/.aws/config`. So the
//! encryption keeps the secret from no one who could read the plain session. What
//! `plain` gives up is that the bytes pass unencrypted through the bus daemon's buffers
//! (memory of this user's own process).
//!
//! What it costs: the exchange was 94 % of a cache hit (30.7 M of 32.8 M instructions: a
//! 1024-bit modular exponentiation on each side; hits took 13 ms), and issue 15 asks
//! for 5 ms.
//! `zbus-secret-service-keyring-store` 1.x hard-codes the encrypted session, so this
//! module talks to the `secret-service` crate (which that store wraps) directly, with
//! the same items: service `xacct`, username the cache key, label
//! `keyring:<key>@xacct`, in the default collection, so entries written by earlier
//! releases are found, replaced and deleted as before.
//!
//! The secret still goes nowhere else: it is read into a `String` that the cache entry
//! decoder turns into `Credentials` (whose secret never prints), and no error here
//! carries it.

use super::{CredentialStore, StoreError};
use chrono::{DateTime, Utc};
use secret_service::blocking::{Item, SecretService};
use secret_service::{EncryptionType, Error as SsError};
use std::collections::HashMap;

/// The keyring service name every xacct entry is filed under.
const SERVICE: &str = super::keyring::SERVICE;
const CONTENT_TYPE: &str = "application/octet-stream";

pub struct SecretServiceStore {
    ss: SecretService<'static>,
}

impl SecretServiceStore {
    /// Connects once: the probe and the store share the connection.
    pub fn open() -> Result<SecretServiceStore, StoreError> {
        let none = || StoreError::Unavailable("no Secret Service on the session bus".into());
        let conn = zbus::blocking::Connection::session().map_err(|_| none())?;
        if !running(&conn) {
            return Err(none());
        }
        let ss =
            SecretService::connect_with_existing(EncryptionType::Plain, conn).map_err(failure)?;
        Ok(SecretServiceStore { ss })
    }

    /// The one item of `key`, unlocking a locked one (which fails fast when unlocking
    /// would need a prompt: nobody is there to answer it).
    fn item(&self, key: &str) -> Result<Option<Item<'_>>, StoreError> {
        let attributes = HashMap::from([("service", SERVICE), ("username", key)]);
        let found = self.ss.search_items(attributes).map_err(failure)?;
        if !found.locked.is_empty() {
            let locked: Vec<&Item> = found.locked.iter().collect();
            self.ss.unlock_all(&locked).map_err(failure)?;
        }
        let mut items: Vec<Item> = found.unlocked.into_iter().chain(found.locked).collect();
        match items.len() {
            0 => Ok(None),
            1 => Ok(items.pop()),
            _ => Err(StoreError::Unavailable(
                "several keyring items match one cache key".into(),
            )),
        }
    }

    /// True when the default collection is locked: a search there finds nothing, and a
    /// store would fail on a dismissed prompt, so `auto` must not settle on it. Asked only
    /// on a miss. A service without the alias or the property counts as unlocked.
    fn default_collection_locked(&self) -> bool {
        self.ss
            .get_default_collection()
            .and_then(|c| c.is_locked())
            .unwrap_or(false)
    }
}

/// Asks the bus whether a Secret Service is running, without D-Bus activation
/// (activating a missing service can block for the bus's 25 s timeout).
fn running(conn: &zbus::blocking::Connection) -> bool {
    let Ok(proxy) = zbus::blocking::fdo::DBusProxy::new(conn) else {
        return false;
    };
    let Ok(name) = zbus::names::BusName::try_from("org.freedesktop.secrets") else {
        return false;
    };
    proxy.name_has_owner(name).unwrap_or(false)
}

/// Maps the crate's error without the stored bytes (it never carries them).
fn failure(e: SsError) -> StoreError {
    match e {
        SsError::Locked | SsError::NoResult | SsError::Prompt | SsError::PromptDisconnected => {
            StoreError::Unavailable(format!("keyring is locked or not accessible: {e}"))
        }
        other => StoreError::Unavailable(format!("keyring failure: {other}")),
    }
}

impl CredentialStore for SecretServiceStore {
    fn name(&self) -> &'static str {
        "secret-service"
    }

    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let Some(item) = self.item(key)? else {
            if self.default_collection_locked() {
                return Err(StoreError::Unavailable(
                    "the Secret Service collection is locked".into(),
                ));
            }
            return Ok(None);
        };
        let bytes = item.get_secret().map_err(failure)?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| StoreError::Corrupt)
    }

    fn set(&self, key: &str, value: &str, _expires_at: DateTime<Utc>) -> Result<(), StoreError> {
        if let Some(item) = self.item(key)? {
            return item
                .set_secret(value.as_bytes(), CONTENT_TYPE)
                .map_err(failure);
        }
        let collection = self.ss.get_default_collection().map_err(failure)?;
        if collection.is_locked().map_err(failure)? {
            collection.unlock().map_err(failure)?;
        }
        let attributes = HashMap::from([("service", SERVICE), ("username", key)]);
        collection
            .create_item(
                &format!("keyring:{key}@{SERVICE}"),
                attributes,
                value.as_bytes(),
                true,
                CONTENT_TYPE,
            )
            .map(drop)
            .map_err(failure)
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self.item(key)? {
            Some(item) => item.delete().map_err(failure),
            None => Ok(()),
        }
    }
}
