//! The OS keyring through keyring-core 1.x and one store crate per platform. The
//! platform-specific part is only the store constructor. The Secret Service is the
//! exception: `secret_service` talks to it with a plain session (its doc says why).

use super::{CredentialStore, StoreError, StoreKind};
use chrono::{DateTime, Utc};
use keyring_core::{Entry, Error as KError};
use std::sync::Arc;

/// The keyring service name every xacct entry is filed under.
pub const SERVICE: &str = "xacct";

#[cfg(target_os = "linux")]
pub const CHOICES: &str = "auto, secret-service, keyutils or none";
#[cfg(target_os = "macos")]
pub const CHOICES: &str = "auto, keychain or none";
#[cfg(windows)]
pub const CHOICES: &str = "auto, credential-manager or none";
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
pub const CHOICES: &str = "none";

struct KeyringStore {
    store: Arc<keyring_core::CredentialStore>,
    name: &'static str,
}

/// Which stores `auto` tries, in order.
pub fn auto_order() -> Vec<StoreKind> {
    if cfg!(target_os = "linux") {
        #[cfg(target_os = "linux")]
        if !platform::session_bus_may_exist() {
            return vec![StoreKind::Keyutils];
        }
        vec![StoreKind::SecretService, StoreKind::Keyutils]
    } else if cfg!(target_os = "macos") {
        vec![StoreKind::Keychain]
    } else if cfg!(windows) {
        vec![StoreKind::CredentialManager]
    } else {
        vec![]
    }
}

pub fn open(kind: StoreKind) -> Result<Box<dyn CredentialStore>, StoreError> {
    #[cfg(target_os = "linux")]
    if kind == StoreKind::SecretService {
        return Ok(Box::new(super::secret_service::SecretServiceStore::open()?));
    }
    let (store, name) = platform::open(kind)?;
    Ok(Box::new(KeyringStore { store, name }))
}

#[cfg(target_os = "linux")]
mod platform {
    use super::*;
    use linux_keyutils::{KeyRing, KeyRingIdentifier};

    pub fn open(
        kind: StoreKind,
    ) -> Result<(Arc<keyring_core::CredentialStore>, &'static str), StoreError> {
        match kind {
            StoreKind::Keyutils => {
                // Outside a login session (cron, systemd services) the process has no
                // session keyring and the store fails with AccessDenied: join one first.
                // Entries live in the persistent keyring linked to it, so they outlive
                // this process.
                KeyRing::from_special_id(KeyRingIdentifier::Session, true).map_err(|e| {
                    StoreError::Unavailable(format!(
                        "kernel keyring: cannot join a session keyring: {e}"
                    ))
                })?;
                let store = linux_keyutils_keyring_store::Store::new().map_err(unavailable)?;
                Ok((store, "keyutils"))
            }
            other => Err(StoreError::Unavailable(format!(
                "{other:?} is not available on Linux; use {CHOICES}"
            ))),
        }
    }

    /// False when there can be no session bus: `DBUS_SESSION_BUS_ADDRESS` unset and no
    /// socket where zbus would then look (`$XDG_RUNTIME_DIR/bus`, else
    /// `/run/user/<euid>/bus`). Cron jobs and services on a headless host then decide for
    /// the kernel keyring with one stat, instead of the zbus probe's two threads and a
    /// socket on every run, hits included (issue 15).
    pub fn session_bus_may_exist() -> bool {
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
            return true;
        }
        let runtime_dir = std::env::var("XDG_RUNTIME_DIR")
            .unwrap_or_else(|_| format!("/run/user/{}", rustix::process::geteuid().as_raw()));
        std::path::Path::new(&runtime_dir).join("bus").exists()
    }
}

#[cfg(target_os = "macos")]
mod platform {
    use super::*;
    pub fn open(
        kind: StoreKind,
    ) -> Result<(Arc<keyring_core::CredentialStore>, &'static str), StoreError> {
        match kind {
            StoreKind::Keychain => Ok((
                apple_native_keyring_store::keychain::Store::new().map_err(unavailable)?,
                "keychain",
            )),
            other => Err(StoreError::Unavailable(format!(
                "{other:?} is not available on macOS; use {CHOICES}"
            ))),
        }
    }
}

#[cfg(windows)]
mod platform {
    use super::*;
    pub fn open(
        kind: StoreKind,
    ) -> Result<(Arc<keyring_core::CredentialStore>, &'static str), StoreError> {
        match kind {
            StoreKind::CredentialManager => Ok((
                windows_native_keyring_store::Store::new().map_err(unavailable)?,
                "credential-manager",
            )),
            other => Err(StoreError::Unavailable(format!(
                "{other:?} is not available on Windows; use {CHOICES}"
            ))),
        }
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
mod platform {
    use super::*;
    pub fn open(
        _: StoreKind,
    ) -> Result<(Arc<keyring_core::CredentialStore>, &'static str), StoreError> {
        Err(StoreError::Unavailable(
            "no keyring store on this platform".into(),
        ))
    }
}

/// Maps a keyring error to ours without ever formatting the stored bytes that
/// `BadEncoding`/`BadDataFormat` carry.
fn map_err(e: KError) -> StoreError {
    #[cfg(target_os = "linux")]
    if super::keyutils::is_quota(&e) {
        return super::keyutils::full();
    }
    match e {
        KError::BadEncoding(_) | KError::BadDataFormat(_, _) => StoreError::Corrupt,
        KError::NoStorageAccess(inner) => {
            StoreError::Unavailable(format!("keyring is locked or not accessible: {inner}"))
        }
        KError::PlatformFailure(inner) => {
            StoreError::Unavailable(format!("keyring failure: {inner}"))
        }
        KError::NoDefaultStore => StoreError::Unavailable("no keyring store".into()),
        KError::Ambiguous(_) => {
            StoreError::Unavailable("several keyring items match one cache key".into())
        }
        KError::TooLong(what, max) => {
            StoreError::Unavailable(format!("keyring {what} longer than {max}"))
        }
        KError::Invalid(what, why) => {
            StoreError::Unavailable(format!("keyring rejected {what}: {why}"))
        }
        KError::BadStoreFormat(why) => {
            StoreError::Unavailable(format!("keyring store format: {why}"))
        }
        KError::NotSupportedByStore(why) => StoreError::Unavailable(format!("keyring: {why}")),
        KError::NoEntry => StoreError::Unavailable("no entry".into()),
        _ => StoreError::Unavailable("keyring error".into()),
    }
}

fn unavailable(e: KError) -> StoreError {
    map_err(e)
}

impl KeyringStore {
    fn entry(&self, key: &str) -> Result<Entry, StoreError> {
        Entry::new_in_store(&self.store, SERVICE, key).map_err(map_err)
    }
}

impl CredentialStore for KeyringStore {
    fn name(&self) -> &'static str {
        self.name
    }
    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        match self.entry(key)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(KError::NoEntry) => Ok(None),
            Err(e) => Err(map_err(e)),
        }
    }
    fn set(&self, key: &str, value: &str, expires_at: DateTime<Utc>) -> Result<(), StoreError> {
        let entry = self.entry(key)?;
        entry.set_password(value).map_err(map_err)?;
        #[cfg(target_os = "linux")]
        if self.name == "keyutils" {
            // The entry is stored and servable; without a timeout it only holds its quota
            // longer (eviction still frees it), so a failure here is not the caller's.
            if let Err(e) = super::keyutils::set_timeout(&entry, expires_at) {
                tracing::info!("kernel keyring entry stored without a timeout: {e}");
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = expires_at;
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(KError::NoEntry) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }
}
