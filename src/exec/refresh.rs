//! The credentials `exec --server` holds in memory, and the background task that renews
//! them ahead of time, so that no request ever waits on STS while what is in hand is
//! still good.
//!
//! Why: SDK container providers give up fast (the JS SDK v3 after 1 s with no retry,
//! botocore after 2 s x 3), so an endpoint that calls STS inside a request fails the job
//! whenever STS, the source's own provider or another process's lock is slow.
//!
//! - The holder is seeded with the pre-flight credentials. A request reads it and answers
//!   at once while more than the minimum validity is left (`--min-validity`, botocore's
//!   mandatory window, the same rule `expiry::plan` applies to cached entries).
//!   Below that it may wait up to `REQUEST_WAIT` for a refresh already under way, then
//!   answers with whatever is still valid. Only expired credentials get an error.
//! - The refresher wakes a jittered lead before the refresh margin (`refresh_at`), so
//!   several xacct processes sharing one cache do not all hit STS at once, and asks the
//!   same cache + single-flight path as `credential-process` (`provider::obtain`) with a
//!   margin that makes the credentials in hand count as stale: a newer entry another
//!   process stored is taken as is.
//! - A failed refresh keeps the old credentials, warns once per outage, and is retried
//!   with capped exponential backoff (`backoff`).

use crate::creds::Credentials;
use crate::error::Error;
use crate::expiry::{needs_refresh, seconds_left};
use chrono::{DateTime, TimeDelta, Utc};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// How long a request whose credentials are below the minimum waits for a refresh under
/// way: under the JS SDK's 1 s timeout.
pub const REQUEST_WAIT: Duration = Duration::from_millis(800);
/// The longest pause between two refresh attempts after failures.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// The refresher re-reads the wall clock at least this often: tokio's timers stop while a
/// laptop sleeps, the credentials' expiry does not.
const CLOCK_STEP: Duration = Duration::from_secs(15);

/// How the refresher gets credentials: `provider::obtain` with the given refresh margin
/// (blocking: keyring, file lock, STS).
pub type Refresh = dyn Fn(u32) -> Result<Credentials, Error> + Send + Sync;

/// When to refresh credentials expiring at `expires`, obtained at `now`: a lead before the
/// margin of 5 to 15 % of the time until the margin (`r` in 0..1 picks within), at most
/// one and three minutes. Never before `now`.
pub fn refresh_at(
    expires: DateTime<Utc>,
    now: DateTime<Utc>,
    margin: u32,
    r: f64,
) -> DateTime<Utc> {
    let at_margin = expires - TimeDelta::seconds(i64::from(margin));
    let window = (at_margin - now).num_milliseconds().max(0) as f64;
    let base = (window * 0.05).min(60_000.0);
    let spread = (window * 0.10).min(120_000.0);
    let lead = base + spread * r.clamp(0.0, 1.0);
    (at_margin - TimeDelta::milliseconds(lead as i64)).max(now)
}

/// The pause after `failures` failed attempts in a row: 1 s, 2 s, 4 s ... `MAX_BACKOFF`.
pub fn backoff(failures: u32) -> Duration {
    let secs = 1u64 << failures.saturating_sub(1).min(16);
    Duration::from_secs(secs).min(MAX_BACKOFF)
}

/// The margin that makes credentials expiring at `expires` stale for the cache lookup:
/// only an entry newer than what is in hand is good enough.
pub fn stale_margin(expires: DateTime<Utc>, now: DateTime<Utc>, margin: u32) -> u32 {
    let left = seconds_left(expires, now).saturating_add(1).max(0);
    u32::try_from(left).unwrap_or(u32::MAX).max(margin)
}

/// A uniform number in 0..1 from the OS RNG (0.5 if it cannot be read: jitter is a
/// nicety, not a safeguard).
fn jitter() -> f64 {
    let mut b = [0u8; 4];
    match getrandom::fill(&mut b) {
        Ok(()) => f64::from(u32::from_le_bytes(b)) / f64::from(u32::MAX),
        Err(_) => 0.5,
    }
}

/// Why a request gets no credentials.
#[derive(Debug, PartialEq, Eq)]
pub struct Unavailable(pub String);

/// The credentials in hand, shared by the requests and the refresher.
pub struct Holder {
    tx: watch::Sender<Arc<Credentials>>,
    nudge: Notify,
    /// Set while the refresher waits out a backoff: a request then has nothing to wait for.
    backing_off: AtomicBool,
    min_validity: u32,
    last_error: std::sync::Mutex<Option<String>>,
}

impl Holder {
    pub fn new(seed: Credentials, min_validity: u32) -> Arc<Holder> {
        Arc::new(Holder {
            tx: watch::Sender::new(Arc::new(seed)),
            nudge: Notify::new(),
            backing_off: AtomicBool::new(false),
            min_validity,
            last_error: std::sync::Mutex::new(None),
        })
    }

    pub fn current(&self) -> Arc<Credentials> {
        self.tx.borrow().clone()
    }

    fn set(&self, c: Credentials) {
        self.tx.send_replace(Arc::new(c));
    }

    /// The credentials for one request (never calls STS itself).
    pub async fn for_request(
        &self,
        now: impl Fn() -> DateTime<Utc>,
    ) -> Result<Arc<Credentials>, Unavailable> {
        let mut rx = self.tx.subscribe();
        let c = rx.borrow_and_update().clone();
        if !needs_refresh(c.expiration, now(), self.min_validity) {
            return Ok(c);
        }
        if !self.backing_off.load(Ordering::Relaxed) {
            self.nudge.notify_one();
            // A refresh that finishes in time is served; otherwise what is in hand.
            let _ = tokio::time::timeout(REQUEST_WAIT, rx.changed()).await;
        }
        let c = self.current();
        if c.expiration > now() {
            return Ok(c);
        }
        let why = self
            .last_error
            .lock()
            .ok()
            .and_then(|e| e.clone())
            .unwrap_or_else(|| "no refresh has succeeded yet".into());
        Err(Unavailable(format!(
            "the credentials expired at {} and could not be refreshed: {why}",
            crate::output::rfc3339(c.expiration)
        )))
    }
}

/// Renews the holder's credentials until the runtime stops. Warnings go to `warn`.
pub async fn run(holder: Arc<Holder>, refresh: Arc<Refresh>, margin: u32, warn: fn(&str)) {
    let mut failures = 0u32;
    let mut due = refresh_at(holder.current().expiration, Utc::now(), margin, jitter());
    loop {
        wait_until(&holder, due, failures == 0).await;
        let in_hand = holder.current();
        let now = Utc::now();
        let stale = stale_margin(in_hand.expiration, now, margin);
        let f = refresh.clone();
        let got = tokio::task::spawn_blocking(move || f(stale))
            .await
            .unwrap_or_else(|e| Err(Error::Runtime(format!("the refresh task failed: {e}"))));
        match got {
            Ok(new) if new.expiration > in_hand.expiration => {
                if failures > 0 {
                    tracing::info!(
                        "credential endpoint: refreshed again after {failures} failed attempts"
                    );
                }
                failures = 0;
                holder.backing_off.store(false, Ordering::Relaxed);
                if let Ok(mut e) = holder.last_error.lock() {
                    *e = None;
                }
                due = refresh_at(new.expiration, Utc::now(), margin, jitter());
                holder.set(new);
            }
            other => {
                let why = match other {
                    Err(e) => e.to_string(),
                    Ok(_) => "the refresh returned no newer credentials".into(),
                };
                if failures == 0 {
                    warn(&format!(
                        "credential endpoint: refresh failed ({why}); still serving the current credentials (valid until {}) and retrying with backoff",
                        crate::output::rfc3339(in_hand.expiration)
                    ));
                }
                if let Ok(mut e) = holder.last_error.lock() {
                    *e = Some(why);
                }
                failures = failures.saturating_add(1);
                holder.backing_off.store(true, Ordering::Relaxed);
                due = Utc::now() + TimeDelta::from_std(backoff(failures)).unwrap_or_default();
            }
        }
    }
}

/// Sleeps until `due` by the wall clock, or until a request asks for a refresh
/// (`nudgeable`: not during a backoff, so requests cannot hammer a failing STS).
async fn wait_until(holder: &Holder, due: DateTime<Utc>, nudgeable: bool) {
    loop {
        let left = (due - Utc::now()).to_std().unwrap_or_default();
        if left.is_zero() {
            return;
        }
        let step = left.min(CLOCK_STEP);
        if nudgeable {
            tokio::select! {
                () = tokio::time::sleep(step) => {}
                // A nudge stored while a refresh was under way may be out of date.
                () = holder.nudge.notified() => {
                    let c = holder.current();
                    if needs_refresh(c.expiration, Utc::now(), holder.min_validity) {
                        return;
                    }
                }
            }
        } else {
            tokio::time::sleep(step).await;
        }
    }
}

#[cfg(test)]
mod tests;
