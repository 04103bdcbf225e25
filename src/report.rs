//! What `whoami` and `cache list` print. Pure: values and the current time in, text out.
//! Neither ever receives a secret: whoami gets the caller identity and the expiry, cache
//! list the index entries.

use crate::cache::index::IndexEntry;
use crate::output::rfc3339;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// `in 59m`, `in 2h05m`, `in 30s`, or `expired`.
pub fn time_left(expires: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (expires - now).num_seconds();
    match secs {
        ..=0 => "expired".into(),
        1..60 => format!("in {secs}s"),
        60..3600 => format!("in {}m", secs / 60),
        _ => format!("in {}h{:02}m", secs / 3600, secs % 3600 / 60),
    }
}

/// What whoami shows.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct Whoami {
    pub account: String,
    pub arn: String,
    pub user_id: String,
    #[serde(serialize_with = "ser_rfc3339")]
    pub expiration: DateTime<Utc>,
    pub from_cache: bool,
    /// The keyring store that served or now holds the credentials.
    pub store: Option<String>,
}

fn ser_rfc3339<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(*t))
}

pub fn whoami_json(w: &Whoami) -> String {
    serde_json::to_string_pretty(w).expect("plain strings serialize")
}

pub fn whoami_text(w: &Whoami, now: DateTime<Utc>) -> String {
    let cached = match (w.from_cache, &w.store) {
        (true, Some(store)) => format!("yes ({store})"),
        (true, None) => "yes".into(),
        (false, Some(store)) => format!("no (assumed now, stored in {store})"),
        (false, None) => "no (assumed now, not cached)".into(),
    };
    format!(
        "Account     {}\nArn         {}\nUserId      {}\nExpiration  {} ({})\nFromCache   {cached}\n",
        w.account,
        w.arn,
        w.user_id,
        rfc3339(w.expiration),
        time_left(w.expiration, now)
    )
}

/// A row of `cache list`, with `present` saying whether its store still has it
/// (`None`: the store could not be asked).
pub struct Row<'a> {
    pub entry: &'a IndexEntry,
    pub present: Option<bool>,
}

/// Left-aligned columns: ROLE ARN, SESSION, SOURCE, EXPIRES, STORE.
pub fn cache_table(rows: &[Row<'_>], now: DateTime<Utc>) -> String {
    let mut cells: Vec<[String; 5]> = vec![[
        "ROLE ARN".into(),
        "SESSION".into(),
        "SOURCE".into(),
        "EXPIRES".into(),
        "STORE".into(),
    ]];
    for r in rows {
        let e = r.entry;
        let store = match r.present {
            Some(true) => e.store.clone(),
            Some(false) => format!("{} (gone)", e.store),
            None => format!("{} (unavailable)", e.store),
        };
        cells.push([
            e.role_arn.clone(),
            e.session_name.clone(),
            e.source.clone(),
            format!(
                "{} ({})",
                rfc3339(e.expiration),
                time_left(e.expiration, now)
            ),
            store,
        ]);
    }
    let mut widths = [0usize; 5];
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for row in &cells {
        let mut line = String::new();
        for (i, c) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(c);
            } else {
                line.push_str(&format!("{c:<w$}  ", w = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    #[test]
    fn time_left_table() {
        let table = [
            (-5, "expired"),
            (0, "expired"),
            (30, "in 30s"),
            (59 * 60 + 59, "in 59m"),
            (3600 + 5 * 60, "in 1h05m"),
            (12 * 3600, "in 12h00m"),
        ];
        for (secs, want) in table {
            assert_eq!(time_left(now() + TimeDelta::seconds(secs), now()), want);
        }
    }

    fn who(from_cache: bool, store: Option<&str>) -> Whoami {
        Whoami {
            account: "111111111111".into(),
            arn: "arn:aws:sts::111111111111:assumed-role/r/s".into(),
            user_id: "AROAEXAMPLE:s".into(),
            expiration: now() + TimeDelta::seconds(3000),
            from_cache,
            store: store.map(String::from),
        }
    }

    #[test]
    fn whoami_forms() {
        let v: serde_json::Value =
            serde_json::from_str(&whoami_json(&who(true, Some("keyutils")))).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "Account": "111111111111",
                "Arn": "arn:aws:sts::111111111111:assumed-role/r/s",
                "UserId": "AROAEXAMPLE:s",
                "Expiration": "2027-01-15T08:50:00Z",
                "FromCache": true,
                "Store": "keyutils",
            })
        );
        let table = [
            (true, Some("keyutils"), "FromCache   yes (keyutils)"),
            (
                false,
                Some("keyutils"),
                "no (assumed now, stored in keyutils)",
            ),
            (false, None, "no (assumed now, not cached)"),
        ];
        for (cached, store, want) in table {
            let text = whoami_text(&who(cached, store), now());
            assert!(text.contains(want), "{text}");
            assert!(
                text.contains("Expiration  2027-01-15T08:50:00Z (in 50m)"),
                "{text}"
            );
        }
    }

    #[test]
    fn cache_table_aligns_and_marks_gone_entries() {
        let e = |session: &str, store: &str| IndexEntry {
            key: "v1-x".into(),
            role_arn: "arn:aws:iam::111111111111:role/r".into(),
            session_name: session.into(),
            source: "profile:src".into(),
            expiration: now() + TimeDelta::seconds(600),
            store: store.into(),
        };
        let (a, b) = (
            e("short", "keyutils"),
            e("a-longer-session", "secret-service"),
        );
        let rows = [
            Row {
                entry: &a,
                present: Some(true),
            },
            Row {
                entry: &b,
                present: Some(false),
            },
        ];
        let text = cache_table(&rows, now());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("ROLE ARN"));
        let col = |l: &str| l.find("profile:src").unwrap_or(usize::MAX);
        assert_eq!(col(lines[1]), col(lines[2]), "{text}");
        assert!(lines[1].ends_with("keyutils"), "{text}");
        assert!(lines[2].ends_with("secret-service (gone)"), "{text}");
        assert!(lines[1].contains("(in 10m)"), "{text}");
    }
}
