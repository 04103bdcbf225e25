use super::*;
use std::sync::Mutex;
use std::sync::atomic::AtomicUsize;
use std::time::Instant;

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_000_000 + secs, 0).unwrap()
}

fn creds(name: &str, expires: DateTime<Utc>) -> Credentials {
    Credentials {
        expiration: expires,
        ..crate::testing::creds(name)
    }
}

#[test]
fn refresh_at_leads_the_margin_by_a_bounded_jitter() {
    // (expires in, margin, r, refresh at): 3600/900 leaves 2700 s to the margin, so the
    // lead is 60 s (5 % capped) plus 0..120 s (10 % capped).
    let table = [
        (3600, 900, 0.0, 2700 - 60),
        (3600, 900, 1.0, 2700 - 180),
        (3600, 900, 0.5, 2700 - 120),
        // 900/885: 15 s to the margin, lead 0.75 s .. 2.25 s.
        (900, 885, 0.0, 14),
        (900, 885, 1.0, 12),
        // Already inside the margin: now.
        (800, 900, 0.5, 0),
        (-5, 900, 0.5, 0),
    ];
    for (expires, margin, r, want) in table {
        let got = refresh_at(at(expires), at(0), margin, r);
        assert_eq!(
            got.timestamp() - at(0).timestamp(),
            want,
            "{expires} {margin} {r}"
        );
    }
}

#[test]
fn backoff_doubles_and_is_capped() {
    let got: Vec<u64> = (1..=8).map(|n| backoff(n).as_secs()).collect();
    assert_eq!(got, [1, 2, 4, 8, 16, 30, 30, 30]);
    assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
}

#[test]
fn stale_margin_makes_the_credentials_in_hand_stale() {
    // (seconds left, margin, stale margin)
    for (left, margin, want) in [(890, 885, 891), (100, 885, 885), (-30, 900, 900)] {
        let m = stale_margin(at(left), at(0), margin);
        assert_eq!(m, want, "{left} {margin}");
        assert!(crate::expiry::needs_refresh(at(left), at(0), m));
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn requests_never_wait_for_a_slow_refresh_and_get_the_new_keys_after_it() {
    let calls = Arc::new(Mutex::new(Vec::<u32>::new()));
    let seen = calls.clone();
    // Slow STS: two seconds per refresh.
    let refresh: Arc<Refresh> = Arc::new(move |margin| {
        seen.lock().unwrap().push(margin);
        std::thread::sleep(Duration::from_secs(2));
        Ok(creds("NEW", Utc::now() + TimeDelta::seconds(3600)))
    });
    // 901 s left with a 900 s margin: the refresh is due within a second.
    let holder = Holder::new(creds("OLD", Utc::now() + TimeDelta::seconds(901)), 600);
    rt().block_on(async {
        tokio::spawn(run(holder.clone(), refresh, 900, |_| {}));
        let started = Instant::now();
        let mut keys = vec![];
        while started.elapsed() < Duration::from_millis(4500) {
            let t = Instant::now();
            let c = holder.for_request(Utc::now).await.unwrap();
            assert!(t.elapsed() < Duration::from_millis(50), "{:?}", t.elapsed());
            keys.push(c.access_key_id.clone());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(keys.first().map(String::as_str), Some("ASIAOLD"));
        assert_eq!(keys.last().map(String::as_str), Some("ASIANEW"), "{keys:?}");
    });
    let calls = calls.lock().unwrap();
    assert_eq!(calls.len(), 1, "one refresh: {calls:?}");
    assert!(
        calls[0] > 900,
        "the old credentials must count as stale: {calls:?}"
    );
}

static WARNINGS: AtomicUsize = AtomicUsize::new(0);

#[test]
fn a_failing_refresh_keeps_serving_warns_once_and_backs_off() {
    let calls = Arc::new(AtomicUsize::new(0));
    let n = calls.clone();
    let refresh: Arc<Refresh> = Arc::new(move |_| {
        n.fetch_add(1, Ordering::SeqCst);
        Err(Error::Aws("STS is down".into()))
    });
    let holder = Holder::new(creds("OLD", Utc::now() + TimeDelta::seconds(901)), 600);
    rt().block_on(async {
        tokio::spawn(run(holder.clone(), refresh, 900, |m| {
            assert!(m.contains("STS is down"), "{m}");
            WARNINGS.fetch_add(1, Ordering::SeqCst);
        }));
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(4500) {
            let c = holder.for_request(Utc::now).await.unwrap();
            assert_eq!(c.access_key_id, "ASIAOLD");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    // Due after ~0.9 s, then 1 s and 2 s of backoff: three attempts in 4.5 s, not dozens.
    let n = calls.load(Ordering::SeqCst);
    assert!((2..=4).contains(&n), "{n} attempts");
    assert_eq!(WARNINGS.load(Ordering::SeqCst), 1);
}

#[test]
fn below_the_minimum_valid_credentials_are_served_and_expired_ones_are_an_error() {
    let holder = Holder::new(creds("LOW", at(500)), 600);
    // No refresher runs: the request waits REQUEST_WAIT for nothing, then serves.
    let got = rt().block_on(holder.for_request(|| at(0))).unwrap();
    assert_eq!(got.access_key_id, "ASIALOW");
    let err = rt().block_on(holder.for_request(|| at(501))).unwrap_err();
    assert!(err.0.contains("expired at"), "{err:?}");
}
