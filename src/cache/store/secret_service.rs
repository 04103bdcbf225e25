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

    /// The unlocked items of `key`. Never unlocks: an Unlock can show a prompt and wait
    /// for its answer with no timeout, which would hang a cron job on a host whose desktop
    /// session is locked. An entry that exists only locked is `Unavailable`, so `auto`
    /// moves on to the kernel keyring. Several matches (the same attributes in two
    /// collections) are all returned: reads take the first, writes and deletes tidy them.
    fn items(&self, key: &str) -> Result<Vec<Item<'_>>, StoreError> {
        let attributes = HashMap::from([("service", SERVICE), ("username", key)]);
        let found = self.ss.search_items(attributes).map_err(failure)?;
        if found.unlocked.is_empty() && !found.locked.is_empty() {
            return Err(locked());
        }
        Ok(found.unlocked)
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

fn locked() -> StoreError {
    StoreError::Unavailable(
        "the Secret Service collection is locked (xacct never prompts to unlock it)".into(),
    )
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
        let items = self.items(key)?;
        let Some(item) = items.first() else {
            if self.default_collection_locked() {
                return Err(locked());
            }
            return Ok(None);
        };
        let bytes = item.get_secret().map_err(failure)?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| StoreError::Corrupt)
    }

    fn set(&self, key: &str, value: &str, _expires_at: DateTime<Utc>) -> Result<(), StoreError> {
        let items = self.items(key)?;
        if let Some((item, extra)) = items.split_first() {
            item.set_secret(value.as_bytes(), CONTENT_TYPE)
                .map_err(failure)?;
            for other in extra {
                let _ = other.delete();
            }
            return Ok(());
        }
        let collection = self.ss.get_default_collection().map_err(failure)?;
        if collection.is_locked().map_err(failure)? {
            return Err(locked());
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
        for item in self.items(key)? {
            item.delete().map_err(failure)?;
        }
        Ok(())
    }
}
