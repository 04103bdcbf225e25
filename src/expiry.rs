//! Expiry arithmetic and duration parsing. Pure: "now" is always passed in.
//!
//! `plan` is botocore's refresh rule (credentials.py, `_protected_refresh`): inside the
//! refresh margin (its advisory window) a failed refresh keeps the current credentials;
//! below the minimum validity (its mandatory window) it is an error.

use chrono::{DateTime, TimeDelta, Utc};

/// STS's DurationSeconds range.
pub const MIN_DURATION: u32 = 900;
pub const MAX_DURATION: u32 = 43_200;
/// STS caps a chained role session (a role session assuming another role) at one hour.
pub const CHAINED_MAX_DURATION: u32 = 3600;

/// True when credentials expiring at `expires` must not be handed out any more: a client
/// such as botocore re-runs the helper on every call once 15 minutes or less are left, so
/// credentials are served only while strictly more than `margin` seconds remain.
pub fn needs_refresh(expires: DateTime<Utc>, now: DateTime<Utc>, margin: u32) -> bool {
    expires - now <= TimeDelta::seconds(i64::from(margin))
}

/// botocore's mandatory refresh window: cached credentials with this little left are never
/// served in place of a failed refresh.
pub const DEFAULT_MIN_VALIDITY: u32 = 600;
/// After a failed refresh, callers serve the cached credentials this long without asking
/// STS again, so an outage does not turn every SDK call into an AssumeRole attempt.
pub const RETRY_PAUSE: TimeDelta = TimeDelta::seconds(30);

/// What to do with a cached entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    /// More than the refresh margin left: serve it.
    Serve,
    /// Inside the margin, above the minimum, and a refresh failed less than `RETRY_PAUSE`
    /// ago: serve it without asking STS.
    ServeAfterFailure,
    /// Ask STS. With `fallback`, a failed refresh may still serve the entry (more than the
    /// minimum validity left); without, the failure is the answer.
    Refresh { fallback: bool },
}

/// Decides what to do with credentials expiring at `expires`, given the refresh margin,
/// the minimum validity (both in seconds, `min_validity` < `margin`) and when a refresh of
/// this entry last failed. A failure time in the future (the clock went back) is ignored.
pub fn plan(
    expires: DateTime<Utc>,
    now: DateTime<Utc>,
    margin: u32,
    min_validity: u32,
    last_failure: Option<DateTime<Utc>>,
) -> Plan {
    if !needs_refresh(expires, now, margin) {
        return Plan::Serve;
    }
    if needs_refresh(expires, now, min_validity) {
        return Plan::Refresh { fallback: false };
    }
    match last_failure {
        Some(at) if at <= now && now - at < RETRY_PAUSE => Plan::ServeAfterFailure,
        _ => Plan::Refresh { fallback: true },
    }
}

/// Seconds left until `expires` (negative when expired).
pub fn seconds_left(expires: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (expires - now).num_seconds()
}

/// Parses `3600`, `900s`, `15m`, `1h`, `1h30m` into seconds.
pub fn parse_duration(input: &str) -> Result<u32, String> {
    let bad = || {
        format!(
            "duration {:?} is not a duration (use seconds like 3600, or 15m, 1h, 1h30m)",
            crate::arn::truncate(input, 40)
        )
    };
    let s = input.trim();
    if s.is_empty() {
        return Err(bad());
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<u32>().map_err(|_| bad());
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    let mut last_unit = u64::MAX;
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return Err(bad()),
        };
        // Units must be given once each, largest first (`1h30m`, not `30m1h`).
        if digits.is_empty() || unit >= last_unit {
            return Err(bad());
        }
        last_unit = unit;
        let n: u64 = digits.parse().map_err(|_| bad())?;
        total = total.saturating_add(n.saturating_mul(unit));
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(bad());
    }
    u32::try_from(total).map_err(|_| bad())
}

/// Checks a session duration against STS's range.
pub fn check_duration(seconds: u32) -> Result<(), String> {
    if (MIN_DURATION..=MAX_DURATION).contains(&seconds) {
        Ok(())
    } else {
        Err(format!(
            "duration {seconds}s is out of range (STS accepts 900s to 43200s, i.e. 15m to 12h)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let table: &[(&str, Option<u32>)] = &[
            ("3600", Some(3600)),
            ("900s", Some(900)),
            ("15m", Some(900)),
            ("1h", Some(3600)),
            ("12h", Some(43200)),
            ("1h30m", Some(5400)),
            ("1h0m5s", Some(3605)),
            (" 2h ", Some(7200)),
            ("", None),
            ("h", None),
            ("1d", None),
            ("-5", None),
            ("1.5h", None),
            ("30m1h", None),
            ("1h1h", None),
            ("5m3", None),
            ("99999999999", None),
            ("99999999999h", None),
        ];
        for (input, want) in table {
            assert_eq!(parse_duration(input).ok(), *want, "{input:?}");
        }
    }

    #[test]
    fn duration_range() {
        for (secs, ok) in [
            (899, false),
            (900, true),
            (43200, true),
            (43201, false),
            (0, false),
        ] {
            assert_eq!(check_duration(secs).is_ok(), ok, "{secs}");
        }
    }

    #[test]
    fn refresh_margin() {
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let at = |s: i64| now + TimeDelta::seconds(s);
        // (seconds left, margin, needs refresh)
        let table = [
            (901, 900, false),
            (900, 900, true),
            (899, 900, true),
            (-5, 900, true),
            (3600, 0, false),
            (0, 0, true),
        ];
        for (left, margin, want) in table {
            assert_eq!(
                needs_refresh(at(left), now, margin),
                want,
                "{left} {margin}"
            );
        }
        assert_eq!(seconds_left(at(42), now), 42);
    }

    #[test]
    fn refresh_plan() {
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let at = |s: i64| now + TimeDelta::seconds(s);
        let fallback = Plan::Refresh { fallback: true };
        let no_fallback = Plan::Refresh { fallback: false };
        // (case, seconds left, seconds since the last failure, want), margin 900, min 600
        let table = [
            ("fresh", 901, None, Plan::Serve),
            ("fresh despite a recent failure", 901, Some(1), Plan::Serve),
            ("margin reached", 900, None, fallback),
            ("just above the minimum", 601, None, fallback),
            ("at the minimum", 600, None, no_fallback),
            ("expired", -5, None, no_fallback),
            ("failed just now", 800, Some(0), Plan::ServeAfterFailure),
            ("failed 29 s ago", 800, Some(29), Plan::ServeAfterFailure),
            ("failed 30 s ago: ask again", 800, Some(30), fallback),
            ("failure in the future", 800, Some(-5), fallback),
            (
                "failed just now, below the minimum",
                600,
                Some(1),
                no_fallback,
            ),
        ];
        for (case, left, since, want) in table {
            let failed = since.map(|s| now - TimeDelta::seconds(s));
            assert_eq!(plan(at(left), now, 900, 600, failed), want, "{case}");
        }
        // With the minimum at the margin there is no grace window at all.
        assert_eq!(plan(at(800), now, 900, 900, None), no_fallback);
    }
}
