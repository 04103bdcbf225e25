use super::*;

mod grace;
use crate::cache::entry::decode;
use crate::cache::store::MemoryStore;
use crate::testing::{creds_left as creds, now, settings};
use chrono::TimeDelta;

fn entry(c: Credentials) -> String {
    crate::cache::entry::encode(&c)
}

/// Runs the algorithm against `store` with a fetch that counts its calls.
fn run(
    store: &MemoryStore,
    lock_dir: Option<&Path>,
) -> (Result<Obtained, Error>, u32, Vec<String>) {
    let s = settings();
    let mut fetches = 0;
    let mut warnings = vec![];
    let mut fetch = || {
        fetches += 1;
        Ok(creds("NEW", 3600))
    };
    let got = cached_or_fetch(
        &s,
        "v1-k",
        Some(Cache {
            store,
            lock_dir: lock_dir.into(),
            index_dir: Dir::None,
        }),
        &now,
        &mut fetch,
        &mut |w| warnings.push(w.to_string()),
    );
    (got, fetches, warnings)
}

#[test]
fn cache_table() {
    let dir = tempfile::tempdir().unwrap();
    // (case, stored value, want origin, want fetches, want key id)
    let table: Vec<(&str, Option<String>, Origin, u32, &str)> = vec![
        (
            "fresh entry is served",
            Some(entry(creds("OLD", 901))),
            Origin::Cache,
            0,
            "ASIAOLD",
        ),
        (
            "margin reached",
            Some(entry(creds("OLD", 900))),
            Origin::Sts,
            1,
            "ASIANEW",
        ),
        (
            "expired",
            Some(entry(creds("OLD", -10))),
            Origin::Sts,
            1,
            "ASIANEW",
        ),
        ("no entry", None, Origin::Sts, 1, "ASIANEW"),
        (
            "corrupt json",
            Some("{not json".into()),
            Origin::Sts,
            1,
            "ASIANEW",
        ),
        (
            "truncated entry",
            Some(entry(creds("OLD", 3000))[..40].to_string()),
            Origin::Sts,
            1,
            "ASIANEW",
        ),
        (
            "unknown version",
            Some(entry(creds("OLD", 3000)).replace(
                &format!("\"version\":{}", crate::cache::entry::ENTRY_VERSION),
                "\"version\":9",
            )),
            Origin::Sts,
            1,
            "ASIANEW",
        ),
    ];
    for (case, stored, origin, fetches, key_id) in table {
        let store = MemoryStore::default();
        if let Some(v) = stored {
            store.entries.borrow_mut().insert("v1-k".into(), v);
        }
        let (got, n, warnings) = run(&store, Some(dir.path()));
        let got = got.unwrap();
        assert_eq!(
            (got.origin, n, got.credentials.access_key_id.as_str()),
            (origin, fetches, key_id),
            "{case}"
        );
        assert!(warnings.is_empty(), "{case}: {warnings:?}");
        // Whatever was there, the store now holds a servable entry.
        let after =
            decode(&store.entries.borrow()["v1-k"]).unwrap_or_else(|m| panic!("{case}: {m:?}"));
        assert_eq!(after.access_key_id, key_id, "{case}");
    }
}

#[test]
fn unavailable_store_fetches_with_one_warning() {
    let store = MemoryStore {
        unavailable: true,
        ..MemoryStore::default()
    };
    let (got, n, warnings) = run(&store, None);
    assert_eq!((got.unwrap().origin, n), (Origin::Sts, 1));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("continuing without a cache"));
}

#[test]
fn no_cache_never_touches_the_store() {
    let s = settings();
    let mut n = 0;
    let got = cached_or_fetch(
        &s,
        "k",
        None,
        &now,
        &mut || {
            n += 1;
            Ok(creds("X", 3600))
        },
        &mut |_| {},
    )
    .unwrap();
    assert_eq!((got.origin, n), (Origin::Sts, 1));
}

#[test]
fn fetch_errors_pass_through_and_store_nothing() {
    let store = MemoryStore::default();
    let s = settings();
    let got = cached_or_fetch(
        &s,
        "k",
        Some(Cache {
            store: &store,
            lock_dir: Dir::None,
            index_dir: Dir::None,
        }),
        &now,
        &mut || Err(Error::Aws("denied".into())),
        &mut |_| {},
    );
    assert_eq!(got.unwrap_err().to_string(), "denied");
    assert!(store.entries.borrow().is_empty());
}

#[test]
fn a_stored_entry_is_indexed_without_its_secret() {
    let store = MemoryStore::default();
    let dir = tempfile::tempdir().unwrap();
    let s = settings();
    let got = cached_or_fetch(
        &s,
        "v1-k",
        Some(Cache {
            store: &store,
            lock_dir: Dir::None,
            index_dir: Dir::At(dir.path()),
        }),
        &now,
        &mut || Ok(creds("NEW", 3600)),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(got.origin, Origin::Sts);
    let text = std::fs::read_to_string(dir.path().join(index::FILE)).unwrap();
    assert!(
        !text.contains("secret-NEW") && !text.contains("token-NEW"),
        "{text}"
    );
    let index = index::load(dir.path());
    assert_eq!(index.entries.len(), 1);
    let e = &index.entries[0];
    assert_eq!((e.key.as_str(), e.store.as_str()), ("v1-k", "memory"));
    assert_eq!(e.role_arn, s.role.as_str());
    assert_eq!(e.expiration, now() + TimeDelta::seconds(3600));
    // A hit leaves the index alone (no write on the fast path).
    std::fs::remove_file(dir.path().join(index::FILE)).unwrap();
    let again = cached_or_fetch(
        &s,
        "v1-k",
        Some(Cache {
            store: &store,
            lock_dir: Dir::None,
            index_dir: Dir::At(dir.path()),
        }),
        &now,
        &mut || panic!("hit expected"),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(again.origin, Origin::Cache);
    assert!(!dir.path().join(index::FILE).exists());
}
