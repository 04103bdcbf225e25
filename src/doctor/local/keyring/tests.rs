use super::*;
use crate::cache::store::MemoryStore;
use crate::doctor::Status;

fn service(locked: bool) -> Bus {
    Bus::Service {
        address: "unix:path=/run/user/1001/bus".into(),
        locked,
    }
}

#[test]
fn the_round_trip_leaves_nothing_and_reports_each_failing_step() {
    let m = MemoryStore::default();
    assert_eq!(round_trip(&m), Trip::Ok);
    assert!(m.entries.borrow().is_empty(), "the probe was deleted");
    let locked = MemoryStore {
        unavailable: true,
        ..MemoryStore::default()
    };
    assert!(
        matches!(
            round_trip(&locked),
            Trip::Failed {
                step: "read",
                error: StoreError::Unavailable(_)
            }
        ),
        "{:?}",
        round_trip(&locked)
    );
    let full = MemoryStore {
        quota: Some(10),
        ..MemoryStore::default()
    };
    assert!(matches!(
        round_trip(&full),
        Trip::Failed {
            step: "stored",
            error: StoreError::Full(_)
        }
    ));
    // The probe key can never be a cache key, and the value is the marker, not a secret.
    let key = probe_key();
    assert!(key.starts_with("xacct-doctor-probe-") && !key.starts_with("v1-"));
    assert_ne!(key, probe_key());
}

/// (kind, XACCT_KEYRING, store that answered, bus, status, detail wanted)
type ChoiceCase = (
    StoreKind,
    Option<&'static str>,
    &'static str,
    Option<Bus>,
    Status,
    &'static str,
);

#[test]
fn which_store_and_why() {
    let no_bus = Bus::NoAddress {
        runtime_bus: "/run/user/1001/bus".into(),
    };
    let table: Vec<ChoiceCase> = vec![
        (
            StoreKind::Auto,
            None,
            "keyutils",
            Some(no_bus.clone()),
            Status::Ok,
            "auto uses keyutils: no session bus (DBUS_SESSION_BUS_ADDRESS unset, no /run/user/1001/bus)",
        ),
        (
            StoreKind::Auto,
            None,
            "secret-service",
            Some(service(false)),
            Status::Ok,
            "auto uses secret-service: the Secret Service on unix:path=/run/user/1001/bus answers",
        ),
        (
            StoreKind::Auto,
            None,
            "keyutils",
            Some(service(true)),
            Status::Warn,
            "auto uses keyutils: the Secret Service on unix:path=/run/user/1001/bus has its default collection locked",
        ),
        (
            StoreKind::Auto,
            None,
            "none",
            Some(no_bus.clone()),
            Status::Fail,
            "auto found no keyring store that works",
        ),
        (
            StoreKind::Keyutils,
            Some("keyutils"),
            "keyutils",
            Some(no_bus.clone()),
            Status::Ok,
            "keyutils, chosen with XACCT_KEYRING=keyutils",
        ),
        (
            StoreKind::Keyutils,
            Some("auto"),
            "keyutils",
            None,
            Status::Ok,
            "keyutils, chosen with --keyring keyutils",
        ),
        (
            StoreKind::SecretService,
            None,
            "secret-service",
            Some(no_bus),
            Status::Ok,
            "secret-service, chosen with --keyring secret-service, but no session bus",
        ),
    ];
    for (kind, env, picked, bus, status, want) in table {
        let f = choice(kind, env, picked, bus.as_ref());
        assert_eq!(f.status, status, "{kind:?} {picked}: {f:?}");
        assert!(
            f.detail.starts_with(want),
            "{kind:?} {picked}: {}",
            f.detail
        );
        assert_eq!(f.fix.is_some(), status != Status::Ok, "{f:?}");
    }
}

#[test]
fn a_failed_round_trip_fails_with_the_fix() {
    let locked = Trip::Failed {
        step: "read",
        error: StoreError::Unavailable("the Secret Service collection is locked".into()),
    };
    let f = trip_finding(
        StoreKind::SecretService,
        "secret-service",
        &locked,
        Some(&service(true)),
    );
    assert_eq!(f.status, Status::Fail);
    assert!(f.detail.starts_with("the Secret Service collection is locked: the probe entry could not be read in secret-service"), "{}", f.detail);
    let fix = f.fix.unwrap();
    assert!(
        fix.contains("unlock the login keyring") && fix.contains("--keyring keyutils"),
        "{fix}"
    );
    let gone = Trip::Failed {
        step: "opened",
        error: StoreError::Unavailable("kernel keyring: cannot join a session keyring".into()),
    };
    let f = trip_finding(StoreKind::Keyutils, "keyutils", &gone, None);
    assert_eq!(f.status, Status::Fail);
    assert!(
        f.detail
            .starts_with("the keyutils store could not be opened: kernel keyring"),
        "{}",
        f.detail
    );
    assert!(f.fix.unwrap().contains("--keyring secret-service"));
    let full = Trip::Failed {
        step: "stored",
        error: StoreError::Full("quota".into()),
    };
    let f = trip_finding(StoreKind::Auto, "keyutils", &full, None);
    assert_eq!(f.status, Status::Warn);
    assert!(f.fix.unwrap().contains("xacct cache clear --all"));
    let ok = trip_finding(StoreKind::Auto, "keyutils", &Trip::Ok, None);
    assert_eq!(ok.status, Status::Ok);
    let wrong = trip_finding(StoreKind::Auto, "keyutils", &Trip::Wrong("x"), None);
    assert_eq!(wrong.status, Status::Fail);
}

#[test]
fn an_entry_is_estimated_from_the_role_entry_when_there_is_one() {
    let s = crate::testing::settings();
    let m = MemoryStore::default();
    let (guess, basis) = entry_estimate(Some(&s), &m);
    assert!(basis.contains("1000-character session token"), "{basis}");
    // Description (82) + the compact entry around a 1000-character token.
    assert!((1150..1400).contains(&guess), "{guess}");
    let key = crate::cache::key::cache_key(&s);
    m.entries.borrow_mut().insert(key.clone(), "x".repeat(500));
    let (measured, basis) = entry_estimate(Some(&s), &m);
    assert_eq!(basis, "measured on this role's current entry");
    assert_eq!(measured, quota::entry_bytes(key.len(), 500));
    let (no_role, _) = entry_estimate(None, &m);
    assert!((1150..1400).contains(&no_role), "{no_role}");
}
