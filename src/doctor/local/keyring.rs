//! Check 6, the keyring: which store runs use and why, a store, read and delete round trip
//! of a probe entry through that store (the same `cache::store` a run opens, so `auto`
//! moves on from a locked Secret Service exactly as a run does), and for the kernel
//! keyring the quota left (`quota`).
//!
//! The probe's key (`xacct-doctor-probe-<pid>-<random>`) cannot be a cache key (those are
//! `v1-<sha256>`), its value is a fixed non-secret marker, and it is stored with a one
//! minute expiry, so a doctor killed halfway leaves nothing that lasts in the kernel
//! keyring. Decision: a store that cannot do the round trip is a `fail` (every run then
//! warns and calls STS); a working store with something to know is a `warn`.

use super::bus::Bus;
use super::quota;
use crate::cache::store::{self, CredentialStore, StoreError, StoreKind};
use crate::creds::{Credentials, Secret};
use crate::doctor::Finding;
use crate::settings::Settings;

const CHECK: &str = "keyring";
const MARKER: &str = "xacct doctor probe (not a credential)";

/// How a round trip of the probe went.
#[derive(Debug, PartialEq, Eq)]
pub enum Trip {
    Ok,
    /// `step` (`read`, `store`, `read back`, `delete`) failed.
    Failed {
        step: &'static str,
        error: StoreError,
    },
    /// The store answered, wrongly.
    Wrong(&'static str),
}

pub fn kind_name(kind: StoreKind) -> String {
    clap::ValueEnum::to_possible_value(&kind)
        .map(|v| v.get_name().to_string())
        .unwrap_or_else(|| format!("{kind:?}"))
}

/// Where an explicit choice came from: XACCT_KEYRING when it names the same store (a
/// flag would win over it), else the flag.
fn how_chosen(kind: StoreKind, env: Option<&str>) -> String {
    let name = kind_name(kind);
    match env {
        Some(v) if v == name => format!("XACCT_KEYRING={v}"),
        _ => format!("--keyring {name}"),
    }
}

/// The first finding: the store in use and why. `picked` is the name of the store that
/// answered the round trip (`none` when `auto` found none).
pub fn choice(kind: StoreKind, env: Option<&str>, picked: &str, bus: Option<&Bus>) -> Finding {
    let why_not = bus.and_then(Bus::why_not);
    if kind != StoreKind::Auto {
        let but = match (kind, why_not) {
            (StoreKind::SecretService, Some(why)) => format!(", but {why}"),
            _ => String::new(),
        };
        return Finding::ok(
            CHECK,
            format!("{picked}, chosen with {}{but}", how_chosen(kind, env)),
        );
    }
    match (picked, bus, why_not) {
        ("secret-service", Some(Bus::Service { address, .. }), _) => Finding::ok(
            CHECK,
            format!(
                "auto uses secret-service: the Secret Service on {address} answers and its collection is unlocked"
            ),
        ),
        ("keyutils", Some(Bus::Service { locked: true, .. }), Some(why)) => Finding::warn(
            CHECK,
            format!(
                "auto uses keyutils: {why}; entries cached in the Secret Service are not seen meanwhile"
            ),
            "unlock the login keyring (log in to the desktop, or `gnome-keyring-daemon --unlock` with the password on stdin) to cache there, or choose --keyring keyutils (XACCT_KEYRING=keyutils) to stay in the kernel keyring",
        ),
        ("keyutils", _, Some(why)) => Finding::ok(CHECK, format!("auto uses keyutils: {why}")),
        ("none", _, _) => Finding::fail(
            CHECK,
            "auto found no keyring store that works: runs go without a cache and call STS every time",
            "see the next line for why; choose a store with --keyring (XACCT_KEYRING)",
        ),
        (other, _, _) => Finding::ok(CHECK, format!("auto uses {other}")),
    }
}

/// The second finding: the probe's round trip in `picked`.
pub fn trip_finding(kind: StoreKind, picked: &str, trip: &Trip, bus: Option<&Bus>) -> Finding {
    let uncached = "runs warn and call STS every time";
    match trip {
        Trip::Ok => Finding::ok(
            CHECK,
            format!("a probe entry was stored, read back and deleted in {picked}"),
        ),
        Trip::Failed {
            error: StoreError::Full(_),
            ..
        } => Finding::warn(
            CHECK,
            format!(
                "{picked} is full: the probe entry could not be stored; a run removes its own older entries to make room, and when there are none, {uncached}"
            ),
            "`xacct cache clear --all`, or raise the kernel key quota (see the quota line)",
        ),
        Trip::Failed { step, error } => {
            let locked = matches!(bus, Some(Bus::Service { locked: true, .. }))
                && picked == "secret-service";
            let detail = match *step {
                "opened" => format!("the {picked} store could not be opened: {error}; {uncached}"),
                step => {
                    format!("the probe entry could not be {step} in {picked}: {error}; {uncached}")
                }
            };
            // The other store of this platform, or none (no cache, but no warning per run).
            let other = match (cfg!(target_os = "linux"), kind, picked) {
                (false, _, _) => "none",
                (true, StoreKind::Keyutils, _) | (true, _, "keyutils") => "secret-service",
                (true, _, _) => "keyutils",
            };
            if locked {
                Finding::fail(
                    CHECK,
                    format!("the Secret Service collection is locked: {detail}"),
                    "unlock the login keyring (log in to the desktop, or `gnome-keyring-daemon --unlock` with the password on stdin), or use --keyring keyutils (XACCT_KEYRING=keyutils)",
                )
            } else {
                Finding::fail(
                    CHECK,
                    detail,
                    format!(
                        "make the store reachable, or use --keyring {other} (XACCT_KEYRING={other})"
                    ),
                )
            }
        }
        Trip::Wrong(what) => Finding::fail(
            CHECK,
            format!("{picked} answered the probe wrongly: {what}"),
            format!(
                "report this with `xacct -vv doctor`; meanwhile try another --keyring than {picked}"
            ),
        ),
    }
}

fn probe_key() -> String {
    let mut b = [0u8; 8];
    // Without randomness the pid alone still keeps it apart from cache keys.
    let _ = getrandom::fill(&mut b);
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("xacct-doctor-probe-{}-{hex}", std::process::id())
}

/// Stores, reads back and deletes a probe entry. The first read (a miss) is where a
/// locked Secret Service shows, as on a run's first lookup.
pub fn round_trip(store: &dyn CredentialStore) -> Trip {
    let key = probe_key();
    let failed = |step, error| Trip::Failed { step, error };
    if let Err(e) = store.get(&key) {
        return failed("read", e);
    }
    let expires = chrono::Utc::now() + chrono::TimeDelta::minutes(1);
    if let Err(e) = store.set(&key, MARKER, expires) {
        return failed("stored", e);
    }
    let back = store.get(&key);
    let deleted = store.delete(&key);
    match back {
        Err(e) => return failed("read back", e),
        Ok(v) if v.as_deref() != Some(MARKER) => {
            return Trip::Wrong("the entry read back is not the one stored");
        }
        Ok(_) => {}
    }
    if let Err(e) = deleted {
        return failed("deleted", e);
    }
    match store.get(&key) {
        Ok(None) => Trip::Ok,
        Ok(Some(_)) => Trip::Wrong("the entry is still there after its deletion"),
        Err(e) => failed("read after deletion", e),
    }
}

/// The quota one cache entry of the role takes, and what the number is based on: this
/// role's current entry when the store has one, else a typical session token.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub fn entry_estimate(settings: Option<&Settings>, store: &dyn CredentialStore) -> (u64, String) {
    let key = settings.map(crate::cache::key::cache_key);
    if let Some(key) = &key
        && let Ok(Some(text)) = store.get(key)
    {
        return (
            quota::entry_bytes(key.len(), text.len()),
            "measured on this role's current entry".into(),
        );
    }
    let (account, name, session) = match settings {
        Some(s) => (s.role.account(), s.role.name(), s.session_name.as_str()),
        None => (
            "123456789012",
            "a-role-name-of-32-characters-xyz",
            "a-session-name-of-32-characters-",
        ),
    };
    let placeholder = Credentials {
        access_key_id: "A".repeat(20),
        secret_access_key: Secret::new("s".repeat(40)),
        session_token: Secret::new("t".repeat(quota::TOKEN_GUESS)),
        expiration: chrono::Utc::now(),
        account_id: account.to_string(),
        assumed_role_arn: Some(format!(
            "arn:aws:sts::{account}:assumed-role/{name}/{session}"
        )),
    };
    let text = crate::cache::entry::encode(&placeholder);
    let key_len = key.map_or(67, |k| k.len());
    (
        quota::entry_bytes(key_len, text.len()),
        format!("for a {}-character session token", quota::TOKEN_GUESS),
    )
}

/// The keyring check, and the store it found working (the cache check asks it).
pub fn check(
    settings: Option<&Settings>,
    kind: StoreKind,
) -> (Vec<Finding>, Option<Box<dyn CredentialStore>>) {
    let env = std::env::var("XACCT_KEYRING").ok();
    if kind == StoreKind::None {
        let how = how_chosen(kind, env.as_deref());
        let f = Finding::warn(
            CHECK,
            format!("no cache: {how}; every run calls STS"),
            "leave --keyring at auto (unset XACCT_KEYRING) to cache credentials in the OS keyring",
        );
        return (vec![f], None);
    }
    #[cfg(target_os = "linux")]
    let bus = Some(super::bus::facts());
    #[cfg(not(target_os = "linux"))]
    let bus: Option<Bus> = None;
    let store = match store::open(kind) {
        Ok(Some(s)) => s,
        Ok(None) => return (vec![], None),
        Err(e) => {
            let picked = kind_name(kind);
            let trip = Trip::Failed {
                step: "opened",
                error: e,
            };
            let f = vec![
                choice(kind, env.as_deref(), &picked, bus.as_ref()),
                trip_finding(kind, &picked, &trip, bus.as_ref()),
            ];
            return (f, None);
        }
    };
    #[cfg(target_os = "linux")]
    let key_users = std::fs::read_to_string("/proc/key-users").unwrap_or_default();
    let trip = round_trip(store.as_ref());
    let picked = store.name();
    let mut out = vec![
        choice(kind, env.as_deref(), picked, bus.as_ref()),
        trip_finding(kind, picked, &trip, bus.as_ref()),
    ];
    #[cfg(target_os = "linux")]
    if picked == "keyutils" {
        let uid = rustix::process::geteuid().as_raw();
        let (entry, basis) = entry_estimate(settings, store.as_ref());
        out.push(quota::finding(
            quota::parse(&key_users, uid),
            uid,
            entry,
            &basis,
        ));
    }
    #[cfg(not(target_os = "linux"))]
    let _ = settings;
    let works = trip == Trip::Ok
        || matches!(
            trip,
            Trip::Failed {
                error: StoreError::Full(_),
                ..
            }
        );
    (out, works.then_some(store))
}

#[cfg(test)]
mod tests;
