//! STS trouble inside the refresh margin (botocore's rule), with a fake clock, store and
//! STS: a failed refresh serves the cached credentials above the minimum validity, and a
//! recent failure (also one recorded by the process this one waited for) is not retried.

use super::*;

/// What the fake STS does.
#[derive(Clone, Copy, Debug)]
enum Sts {
    Answers,
    Unreachable,
    /// A local problem (e.g. no tty for the MFA code): never hidden by the cache.
    RuntimeError,
}

/// One case: the cached entry's seconds left, seconds since a recorded failure, and the
/// fake STS.
struct Case {
    name: &'static str,
    left: Option<i64>,
    failed_ago: Option<i64>,
    sts: Sts,
}

/// What happened.
#[derive(Debug, PartialEq)]
struct Outcome {
    /// The key id served, or "error".
    served: String,
    fetches: u32,
    warnings: usize,
    /// Whether a failure record is left.
    recorded: bool,
}

fn play(c: &Case) -> Outcome {
    let store = MemoryStore::default();
    if let Some(left) = c.left {
        store
            .entries
            .borrow_mut()
            .insert("v1-k".into(), entry(creds("OLD", left)));
    }
    let dir = tempfile::tempdir().unwrap();
    if let Some(ago) = c.failed_ago {
        outage::record_failure(dir.path(), "v1-k", now() - TimeDelta::seconds(ago)).unwrap();
    }
    let s = settings();
    assert_eq!((s.margin, s.min_validity), (900, 600));
    let mut fetches = 0;
    let mut warnings = vec![];
    let got = cached_or_fetch(
        &s,
        "v1-k",
        Some(Cache {
            store: &store,
            lock_dir: Dir::At(dir.path()),
            index_dir: Dir::None,
        }),
        &now,
        &mut || {
            fetches += 1;
            match c.sts {
                Sts::Answers => Ok(creds("NEW", 3600)),
                Sts::Unreachable => Err(Error::Aws("cannot reach STS at region us-east-1".into())),
                Sts::RuntimeError => Err(Error::Runtime("no terminal for the MFA code".into())),
            }
        },
        &mut |w| warnings.push(w.to_string()),
    );
    for w in &warnings {
        assert!(!w.contains("secret-") && !w.contains("token-"), "{w}");
    }
    Outcome {
        served: got.map_or("error".into(), |g| g.credentials.access_key_id),
        fetches,
        warnings: warnings.len(),
        recorded: outage::last_failure(dir.path(), "v1-k").is_some(),
    }
}

fn outcome(served: &str, fetches: u32, warnings: usize, recorded: bool) -> Outcome {
    Outcome {
        served: served.into(),
        fetches,
        warnings,
        recorded,
    }
}

#[test]
fn sts_trouble_table() {
    let case = |name, left, failed_ago, sts| Case {
        name,
        left,
        failed_ago,
        sts,
    };
    // margin 900 s, minimum validity 600 s (the defaults)
    let table = [
        (
            case(
                "inside the margin, STS down: cached, one warning",
                Some(800),
                None,
                Sts::Unreachable,
            ),
            outcome("ASIAOLD", 1, 1, true),
        ),
        (
            case(
                "failed 10 s ago: no STS call",
                Some(800),
                Some(10),
                Sts::Unreachable,
            ),
            outcome("ASIAOLD", 0, 1, true),
        ),
        (
            case(
                "failed 10 s ago, STS back: still no call",
                Some(800),
                Some(10),
                Sts::Answers,
            ),
            outcome("ASIAOLD", 0, 1, true),
        ),
        (
            case(
                "failed 31 s ago, STS back: refreshed, record gone",
                Some(800),
                Some(31),
                Sts::Answers,
            ),
            outcome("ASIANEW", 1, 0, false),
        ),
        (
            case(
                "failed 31 s ago, still down: cached again",
                Some(800),
                Some(31),
                Sts::Unreachable,
            ),
            outcome("ASIAOLD", 1, 1, true),
        ),
        (
            case(
                "below the minimum, STS down: today's error",
                Some(600),
                None,
                Sts::Unreachable,
            ),
            outcome("error", 1, 0, false),
        ),
        (
            case(
                "below the minimum after a failure: STS is asked",
                Some(500),
                Some(5),
                Sts::Answers,
            ),
            outcome("ASIANEW", 1, 0, false),
        ),
        (
            case("expired, STS down", Some(-5), None, Sts::Unreachable),
            outcome("error", 1, 0, false),
        ),
        (
            case("no entry, STS down", None, None, Sts::Unreachable),
            outcome("error", 1, 0, false),
        ),
        (
            case(
                "a local error is not hidden",
                Some(800),
                None,
                Sts::RuntimeError,
            ),
            outcome("error", 1, 0, false),
        ),
        (
            case(
                "fresh entry despite a failure record",
                Some(901),
                Some(1),
                Sts::Unreachable,
            ),
            outcome("ASIAOLD", 0, 0, true),
        ),
    ];
    for (c, want) in table {
        assert_eq!(play(&c), want, "{}", c.name);
    }
}

#[test]
fn the_warning_names_the_role_the_time_left_and_the_cause() {
    let store = MemoryStore::default();
    store
        .entries
        .borrow_mut()
        .insert("v1-k".into(), entry(creds("OLD", 800)));
    let dir = tempfile::tempdir().unwrap();
    let cache = || Cache {
        store: &store,
        lock_dir: Dir::At(dir.path()),
        index_dir: Dir::None,
    };
    let s = settings();
    let mut warnings = vec![];
    let down = || Err(Error::Aws("cannot reach STS at region us-east-1".into()));
    cached_or_fetch(
        &s,
        "v1-k",
        Some(cache()),
        &now,
        &mut down.clone(),
        &mut |w| warnings.push(w.to_string()),
    )
    .unwrap();
    // 20 s later: served without a call, with a warning that says why.
    let later = || now() + TimeDelta::seconds(20);
    cached_or_fetch(
        &s,
        "v1-k",
        Some(cache()),
        &later,
        &mut || panic!("no STS call"),
        &mut |w| warnings.push(w.to_string()),
    )
    .unwrap();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].contains(crate::testing::ROLE),
        "{}",
        warnings[0]
    );
    assert!(warnings[0].contains("13m20s"), "{}", warnings[0]);
    assert!(warnings[0].contains("cannot reach STS"), "{}", warnings[0]);
    assert!(warnings[1].contains("13m0s"), "{}", warnings[1]);
    assert!(warnings[1].contains("less than 30s ago"), "{}", warnings[1]);
}
