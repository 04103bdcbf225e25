use super::*;
use crate::testing::{creds, creds_left, now};

#[test]
fn entries_round_trip() {
    let c = creds("RT");
    assert_eq!(decode(&encode(&c)), Ok(c));
    let with_arn = Credentials {
        assumed_role_arn: Some("arn:aws:sts::111111111111:assumed-role/r/s".into()),
        ..creds("RT")
    };
    assert_eq!(decode(&encode(&with_arn)), Ok(with_arn));
}

/// The literal a version 1 entry of the first release held.
const V1_ENTRY: &str = r#"{"version":1,"credentials":{"access_key_id":"ASIAOLD","secret_access_key":"s\"1","session_token":"t1","expiration":"2033-05-18T03:33:20Z","account_id":"111111111111","assumed_role_arn":null},"role_arn":"arn:aws:iam::111111111111:role/r","session_name":"s","source":"profile:src"}"#;

/// The stored format is a contract with every cache already in a keyring: an entry
/// written by an earlier release (this literal) must still decode, so an upgrade keeps
/// the cache.
#[test]
fn entries_of_the_first_release_still_decode() {
    let c = decode(V1_ENTRY).unwrap();
    assert_eq!(c.access_key_id, "ASIAOLD");
    assert_eq!(c.secret_access_key.expose(), "s\"1");
    assert_eq!(c.session_token.expose(), "t1");
    assert_eq!(c.expiration, creds("X").expiration);
    assert_eq!(c.account_id, "111111111111");
    assert_eq!(c.assumed_role_arn, None);
    // Entries from before `assumed_role_arn` existed lack the field.
    let older = V1_ENTRY.replace(r#","assumed_role_arn":null"#, "");
    assert_eq!(decode(&older).unwrap().assumed_role_arn, None);
}

/// What this release writes, byte for byte: version 2, short names, no whitespace, no
/// role, session or source, no `arn` when STS named none.
#[test]
fn entries_are_written_compactly() {
    let c = Credentials {
        access_key_id: "ASIAOLD".into(),
        secret_access_key: Secret::new("s\"1"),
        session_token: Secret::new("t1"),
        ..creds("OLD")
    };
    let v2 = r#"{"version":2,"id":"ASIAOLD","secret":"s\"1","token":"t1","exp":"2033-05-18T03:33:20Z","acct":"111111111111"}"#;
    assert_eq!(encode(&c), v2);
    // The same credentials cost fewer bytes of the kernel key quota than in version 1.
    assert!(
        V1_ENTRY.len() - v2.len() >= 150,
        "{} {}",
        V1_ENTRY.len(),
        v2.len()
    );
}

/// An older xacct reads `version` as a number first: a version 2 entry is "another xacct
/// version" to it (a clean miss it overwrites), and a newer version is one to us.
#[test]
fn other_versions_are_a_clean_miss() {
    for v in [0, 3, 9] {
        let text = encode(&creds("V")).replace("\"version\":2", &format!("\"version\":{v}"));
        assert_eq!(decode(&text), Err(Miss::UnknownVersion), "{v}");
    }
    // The first release's decoder took exactly this shape from the version field.
    #[derive(serde::Deserialize)]
    struct OldVersion {
        version: u32,
    }
    let old: OldVersion = serde_json::from_str(&encode(&creds("V"))).unwrap();
    assert_ne!(old.version, V1);
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
        "{\"version\":2}",
        "{\"version\":2,\"id\":\"A\"}",
        "\u{0}",
        "{\"version\":1,\"credentials\":{}}",
    ];
    for j in junk {
        assert_eq!(decode(j), Err(Miss::Corrupt), "{j:?}");
    }
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
        let text = encode(&creds_left("L", left));
        store.entries.borrow_mut().insert("k".into(), text);
    };
    // (seconds left, margin, served)
    for (left, margin, served) in [(901, 900, true), (900, 900, false), (-1, 0, false)] {
        put(left);
        let got = lookup(&store, "k", now(), margin).unwrap();
        assert_eq!(got.is_ok(), served, "{left} {margin}");
    }
    store.entries.borrow_mut().clear();
    assert_eq!(lookup(&store, "k", now(), 900).unwrap(), Err(Miss::NoEntry));
    // A version 1 entry is served as well.
    store
        .entries
        .borrow_mut()
        .insert("k".into(), V1_ENTRY.into());
    let got = lookup(&store, "k", now(), 900).unwrap().unwrap();
    assert_eq!(got.access_key_id, "ASIAOLD");
}
