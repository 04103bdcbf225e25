//! The credential cache: everything that decides where cached credentials live and when
//! they may be served.
//!
//! - `key`: the cache key, a hash of every input that changes what STS would return (pure);
//! - `entry`: the stored format, its decoding, and why a lookup missed;
//! - `store`: the keyring stores (Secret Service, kernel keyutils, ...) behind one trait;
//! - `dir`: the lock and index directory, used only when no other user can change it;
//! - `lock`: the per-key file lock that lets one process at a time refresh;
//! - `key_users`: the kernel's per-user key quota (`/proc/key-users`), parsed;
//! - `index`: the non-secret list of stored keys behind `cache list` and `cache clear`;
//! - `save`: storing fresh credentials, making room in a full store.
//! - `outage`: when a key's refresh last failed, so an STS outage is not retried by every call.
//!
//! The algorithm that uses them (look up, lock, look again, assume, store) is
//! `provider::cached_or_fetch`.

pub mod dir;
pub mod entry;
pub mod index;
pub mod key;
// Read on Linux only (the keyutils store, doctor); elsewhere compiled and tested.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub mod key_users;
pub mod lock;
pub mod outage;
pub mod save;
pub mod store;
