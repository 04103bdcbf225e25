//! The `clock` check: this host's clock against the `Date` header of STS's answer. SigV4
//! signatures are refused beyond 5 minutes of skew, and the expiry arithmetic (refresh
//! margins, cached entries) is off by the skew long before that.

use super::Finding;
use super::remote::StsCall;

const CHECK: &str = "clock";
/// Above this (seconds) the skew is worth a warning.
pub const WARN_ABOVE: i64 = 60;
/// Above this SigV4 requests are refused (RequestExpired, SignatureDoesNotMatch).
pub const FAIL_ABOVE: i64 = 300;

pub fn judge(call: &StsCall) -> Finding {
    let (Some(date), Some(received)) = (call.date, call.received) else {
        return Finding::skip(
            CHECK,
            if call.answered() {
                "STS's answer had no Date header"
            } else {
                "no answer from STS to compare with (see the sts check)"
            },
        );
    };
    // The Date header has whole seconds: a skew of 1 s is noise.
    let skew = (received - date).num_seconds();
    let how = match skew {
        0 => "this host's clock agrees with STS".to_string(),
        s if s > 0 => format!("this host's clock is {s} s ahead of STS"),
        s => format!("this host's clock is {} s behind STS", -s),
    };
    let detail = format!("{how} (skew {skew} s)");
    let fix = "synchronise the clock (timedatectl set-ntp true, or chrony/ntpd; on EC2 the Amazon Time Sync Service at 169.254.169.123)";
    match skew.abs() {
        a if a > FAIL_ABOVE => Finding::fail(
            CHECK,
            format!("{detail}: over {FAIL_ABOVE} s, STS refuses signed requests"),
            fix,
        ),
        a if a > WARN_ABOVE => Finding::warn(
            CHECK,
            format!("{detail}: over {WARN_ABOVE} s, expiry times are off by as much"),
            fix,
        ),
        _ => Finding::ok(CHECK, detail),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Status;
    use super::super::remote::{Proxy, StsCall};
    use super::*;
    use crate::aws::failure::AwsFailure;
    use chrono::{DateTime, TimeDelta};

    fn call(skew: Option<i64>) -> StsCall {
        let received = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        StsCall {
            with_source: true,
            url: None,
            status: skew.map(|_| 200),
            date: skew.map(|s| received - TimeDelta::seconds(s)),
            received: skew.map(|_| received),
            result: Err(AwsFailure::other("x", "y")),
            proxy: Proxy::default(),
        }
    }

    #[test]
    fn skew_is_judged_in_seconds_with_warn_and_fail_thresholds() {
        let table = [
            (0, Status::Ok, "agrees with STS (skew 0 s)"),
            (60, Status::Ok, "60 s ahead"),
            (61, Status::Warn, "61 s ahead"),
            (-90, Status::Warn, "90 s behind STS (skew -90 s)"),
            (300, Status::Warn, "300 s ahead"),
            (301, Status::Fail, "301 s ahead"),
            (600, Status::Fail, "600 s ahead of STS (skew 600 s)"),
            (-600, Status::Fail, "600 s behind"),
        ];
        for (skew, status, want) in table {
            let f = judge(&call(Some(skew)));
            assert_eq!(f.status, status, "{skew}: {f:?}");
            assert!(f.detail.contains(want), "{skew}: {}", f.detail);
            assert_eq!(f.fix.is_some(), status != Status::Ok);
        }
    }

    #[test]
    fn no_answer_is_a_skip_pointing_at_sts() {
        let f = judge(&call(None));
        assert_eq!(f.status, Status::Skip);
        assert!(f.detail.contains("see the sts check"), "{}", f.detail);
    }
}
