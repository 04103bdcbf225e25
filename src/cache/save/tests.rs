use super::*;
use crate::cache::store::MemoryStore;
use crate::testing::{creds_left, settings};

/// Credentials whose entry is `len`-ish bytes, expiring `left` seconds after `now()`.
fn creds(tag: &str, left: i64) -> Credentials {
    creds_left(tag, left)
}

fn entry_len(tag: &str) -> usize {
    encode(&creds(tag, 3600)).len() + "k0".len()
}

fn stored_keys(store: &MemoryStore) -> Vec<String> {
    let mut k: Vec<String> = store.entries.borrow().keys().cloned().collect();
    k.sort();
    k
}

fn indexed_keys(dir: &Path) -> Vec<String> {
    let mut k: Vec<String> = index::load(dir)
        .entries
        .into_iter()
        .map(|e| e.key)
        .collect();
    k.sort();
    k
}

#[test]
fn a_full_store_drops_the_entries_that_expire_first_without_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryStore {
        quota: Some(3 * entry_len("A")),
        ..MemoryStore::default()
    };
    let s = settings();
    // k1 expires last although it is stored first: k2 and k3 go before it.
    let table = [
        ("k1", 9000),
        ("k2", 3600),
        ("k3", 3700),
        ("k4", 3800),
        ("k5", 3900),
    ];
    for (key, left) in table {
        let got = save(&s, &store, key, &creds(&key[1..], left), Some(dir.path()));
        assert_eq!(got, Ok(()), "{key}");
    }
    assert_eq!(stored_keys(&store), ["k1", "k4", "k5"]);
    assert_eq!(indexed_keys(dir.path()), ["k1", "k4", "k5"]);
}

#[test]
fn the_entry_is_given_the_credentials_expiry() {
    let store = MemoryStore::default();
    let c = creds("E", 1234);
    save(&settings(), &store, "k", &c, None).unwrap();
    assert_eq!(store.expiries.borrow()["k"], c.expiration);
}

#[test]
fn entries_of_other_stores_and_the_key_itself_are_never_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let s = settings();
    let other = IndexEntry {
        key: "k-other".into(),
        role_arn: s.role.as_str().into(),
        session_name: "s".into(),
        source: "x".into(),
        expiration: creds("O", 1).expiration,
        store: "keyutils".into(),
    };
    index::update(dir.path(), |i| i.upsert(other.clone()));
    let store = MemoryStore {
        quota: Some(entry_len("A") + 10),
        ..MemoryStore::default()
    };
    store
        .entries
        .borrow_mut()
        .insert("k-other".into(), "x".repeat(entry_len("A")));
    let warning = save(&s, &store, "k", &creds("A", 3600), Some(dir.path())).unwrap_err();
    assert!(
        warning.contains("no older xacct entry to remove"),
        "{warning}"
    );
    assert!(store.entries.borrow().contains_key("k-other"));
    assert_eq!(index::load(dir.path()).entries, vec![other]);
}

#[test]
fn what_cannot_fit_is_one_warning_that_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let s = settings();
    let store = MemoryStore {
        quota: Some(entry_len("A") + 10),
        ..MemoryStore::default()
    };
    save(&s, &store, "k1", &creds("A", 3600), Some(dir.path())).unwrap();
    // A token too long for the whole quota: k1 goes, and it still does not fit.
    let big = Credentials {
        session_token: crate::creds::Secret::new("t".repeat(entry_len("A"))),
        ..creds("B", 3600)
    };
    let warning = save(&s, &store, "k2", &big, Some(dir.path())).unwrap_err();
    assert!(!warning.contains('\n'), "{warning}");
    for want in [
        "even after removing 1 older xacct entry (",
        "not cached",
        "memory quota of",
    ] {
        assert!(warning.contains(want), "{want}: {warning}");
    }
    assert!(stored_keys(&store).is_empty());
    assert!(indexed_keys(dir.path()).is_empty());
    // Without an index nothing can be removed: still the one warning.
    let store = MemoryStore {
        quota: Some(1),
        ..MemoryStore::default()
    };
    let warning = save(&s, &store, "k", &creds("C", 3600), None).unwrap_err();
    assert!(
        warning.contains("no older xacct entry to remove"),
        "{warning}"
    );
}

#[test]
fn other_failures_are_not_evictions() {
    let dir = tempfile::tempdir().unwrap();
    let s = settings();
    let ok = MemoryStore::default();
    save(&s, &ok, "k1", &creds("A", 3600), Some(dir.path())).unwrap();
    let locked = MemoryStore {
        unavailable: true,
        ..MemoryStore::default()
    };
    let warning = save(&s, &locked, "k2", &creds("B", 3600), Some(dir.path())).unwrap_err();
    assert!(warning.contains("(locked)"), "{warning}");
    assert_eq!(indexed_keys(dir.path()), ["k1"]);
}
