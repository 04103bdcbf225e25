use super::*;
use crate::testing::{creds, creds_left, now};

fn entry(tag: &str) -> CacheEntry {
    CacheEntry {
        credentials: creds(tag),
        role_arn: crate::testing::ROLE.into(),
        session_name: "s".into(),
        source: "profile:src".into(),
    }
}

#[test]
fn entries_round_trip() {
    let e = entry("RT");
    assert_eq!(decode(&e.encode()), Ok(e));
    let with_arn = CacheEntry {
        credentials: Credentials {
            assumed_role_arn: Some("arn:aws:sts::111111111111:assumed-role/r/s".into()),
            ..creds("RT")
        },
        ..entry("RT")
    };
    assert_eq!(decode(&with_arn.encode()), Ok(with_arn));
}

/// The stored format is a contract with every cache already in a keyring: an entry
/// written by an earlier release (this literal) must still decode.
#[test]
fn entries_of_the_first_release_still_decode() {
    let v1 = r#"{"version":1,"credentials":{"access_key_id":"ASIAOLD","secret_access_key":"s\"1","session_token":"t1","expiration":"2033-05-18T03:33:20Z","account_id":"111111111111","assumed_role_arn":null},"role_arn":"arn:aws:iam::111111111111:role/r","session_name":"s","source":"profile:src"}"#;
    let e = decode(v1).unwrap();
    assert_eq!(e.credentials.access_key_id, "ASIAOLD");
    assert_eq!(e.credentials.secret_access_key.expose(), "s\"1");
    assert_eq!(e.credentials.assumed_role_arn, None);
    assert_eq!(e.source, "profile:src");
    // And what this release writes is that format (same fields, same order).
    let again = CacheEntry {
        credentials: Credentials {
            access_key_id: "ASIAOLD".into(),
            secret_access_key: Secret::new("s\"1"),
            session_token: Secret::new("t1"),
            ..creds("OLD")
        },
        ..entry("OLD")
    }
    .encode();
    assert_eq!(again, v1);
    // Entries from before `assumed_role_arn` existed lack the field.
    let older = v1.replace(r#","assumed_role_arn":null"#, "");
    assert_eq!(decode(&older).unwrap().credentials.assumed_role_arn, None);
}

#[test]
fn decoder_never_panics_on_junk() {
    let junk = [
        "",
        "null",
        "[]",
        "{}",
        "{\"version\":\"1\"}",
        "{\"version\":1}",
        "\u{0}",
        "{\"version\":1,\"credentials\":{}}",
    ];
    for j in junk {
        assert!(decode(j).is_err(), "{j:?}");
    }
    assert_eq!(
        decode(
            &entry("V")
                .encode()
                .replace("\"version\":1", "\"version\":9")
        ),
        Err(Miss::UnknownVersion)
    );
}

#[test]
fn misses_describe_themselves() {
    let table = [
        (Miss::NoEntry, "no entry"),
        (Miss::Expiring { seconds_left: 42 }, "expiring in 42s"),
        (Miss::Expiring { seconds_left: -5 }, "expired 5s ago"),
        (Miss::Corrupt, "corrupt entry"),
        (Miss::UnknownVersion, "another xacct version"),
    ];
    for (miss, want) in table {
        assert!(miss.to_string().contains(want), "{miss:?}");
    }
}

#[test]
fn lookup_serves_only_outside_the_margin() {
    let store = crate::cache::store::MemoryStore::default();
    let put = |left| {
        let e = CacheEntry {
            credentials: creds_left("L", left),
            ..entry("L")
        };
        store.entries.borrow_mut().insert("k".into(), e.encode());
    };
    // (seconds left, margin, served)
    for (left, margin, served) in [(901, 900, true), (900, 900, false), (-1, 0, false)] {
        put(left);
        let got = lookup(&store, "k", now(), margin).unwrap();
        assert_eq!(got.is_ok(), served, "{left} {margin}");
    }
    store.entries.borrow_mut().clear();
    assert_eq!(lookup(&store, "k", now(), 900).unwrap(), Err(Miss::NoEntry));
}
