use super::*;
use crate::cache::store::MemoryStore;
use crate::doctor::Status;
use chrono::TimeDelta;

const KEY: &str = "v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn now() -> DateTime<Utc> {
    crate::testing::now()
}

fn row(found: Found, indexed: Option<DateTime<Utc>>, in_use: bool) -> Row {
    Row {
        what: "role session",
        key: KEY.into(),
        store: "keyutils".into(),
        indexed,
        found,
        in_use,
    }
}

/// (case, row, status, what the detail says)
#[test]
fn cache_rows() {
    let in_52m = now() + TimeDelta::minutes(52);
    let in_10m = now() + TimeDelta::minutes(10);
    let ago = now() - TimeDelta::minutes(3);
    let table = [
        (
            "fresh",
            row(Found::Entry(in_52m), Some(in_52m), true),
            Status::Ok,
            "role session v1-012345678 in keyutils: expires in 52m (",
        ),
        (
            "within the margin",
            row(Found::Entry(in_10m), Some(in_10m), true),
            Status::Ok,
            "within the 15m refresh margin; the next run assumes the role again",
        ),
        (
            "expired",
            row(Found::Entry(ago), Some(ago), true),
            Status::Ok,
            "expired at ",
        ),
        (
            "gone from the store",
            row(Found::Missing, Some(ago), true),
            Status::Ok,
            "listed in the index (until ",
        ),
        (
            "never cached",
            row(Found::Missing, None, true),
            Status::Ok,
            "in keyutils: no entry; the next run assumes the role",
        ),
        (
            "another version",
            row(Found::Unreadable, None, true),
            Status::Ok,
            "another xacct version or a corrupt one",
        ),
        (
            "another store",
            row(Found::Entry(in_52m), Some(in_52m), false),
            Status::Ok,
            "not the store runs with this --keyring use",
        ),
        (
            "store unreachable",
            row(Found::Unknown("locked".into()), Some(in_52m), false),
            Status::Warn,
            "the store cannot be asked (locked)",
        ),
    ];
    for (case, r, status, want) in table {
        let f = judge(&r, now(), 900);
        assert_eq!(f.status, status, "{case}: {f:?}");
        assert!(f.detail.contains(want), "{case}: {}", f.detail);
        assert!(!f.detail.contains(KEY), "{case}: the short key only");
    }
}

fn indexed(key: &str, store: &str) -> IndexEntry {
    IndexEntry {
        key: key.into(),
        role_arn: "arn:aws:iam::111111111111:role/r".into(),
        session_name: "s".into(),
        source: "profile:src".into(),
        expiration: now(),
        store: store.into(),
    }
}

#[test]
fn rows_come_from_the_index_and_the_store_in_use() {
    let keys = [
        ("role session", KEY.to_string()),
        ("MFA session", "v1-mfa".to_string()),
    ];
    let index = [
        indexed(KEY, "secret-service"),
        indexed("v1-other", "keyutils"),
    ];
    let mut asked = Vec::new();
    let mut ask = |store: &str, key: &str| {
        asked.push(format!("{store} {key}"));
        Found::Missing
    };
    let got = rows(&keys, &index, Some("keyutils"), &mut ask);
    let got: Vec<(&str, &str, bool, bool)> = got
        .iter()
        .map(|r| (r.what, r.store.as_str(), r.indexed.is_some(), r.in_use))
        .collect();
    // No row for another role's key; no MFA row when there is no MFA session.
    assert_eq!(
        got,
        vec![
            ("role session", "secret-service", true, false),
            ("role session", "keyutils", false, true),
        ]
    );
    assert_eq!(asked.len(), 3, "{asked:?}");
}

#[test]
fn the_check_reads_the_expiry_and_never_shows_a_secret() {
    let s = crate::testing::settings();
    let m = MemoryStore::default();
    let c = crate::testing::creds("doctor");
    let key = crate::cache::key::cache_key(&s);
    m.set(&key, &entry::encode(&c), c.expiration).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let f = check(Some(&s), StoreKind::Auto, Some(&m), Some(dir.path()));
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].status, Status::Ok);
    assert!(
        f[0].detail.contains(&crate::output::rfc3339(c.expiration)),
        "{f:?}"
    );
    assert!(f[0].detail.contains(&index::short(&key)), "{f:?}");
    let text = format!("{f:?}");
    assert!(
        !text.contains(c.secret_access_key.expose()) && !text.contains(c.session_token.expose())
    );
    // Nothing cached: one ok line.
    let empty = MemoryStore::default();
    let f = check(Some(&s), StoreKind::Auto, Some(&empty), None);
    assert_eq!(f[0].status, Status::Ok);
    assert!(
        f[0].detail
            .ends_with("no entry; the next run assumes the role"),
        "{f:?}"
    );
    // No role (the config check failed) and no cache: skipped, saying why.
    assert_eq!(
        check(None, StoreKind::Auto, None, None)[0].status,
        Status::Skip
    );
    assert_eq!(
        check(Some(&s), StoreKind::None, None, None)[0].status,
        Status::Skip
    );
}
