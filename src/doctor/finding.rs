//! One line of doctor's report, and the two forms it is printed in.

use serde::Serialize;

#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
    /// Could not run because an earlier check failed; the detail says which and why.
    Skip,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skip => "skip",
        }
    }
}

/// What one check found. A check may give several findings (one per thing it judged),
/// all under its name, in the order they were judged.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub check: &'static str,
    pub status: Status,
    pub detail: String,
    /// What to do about it; always set for `warn` and `fail`.
    pub fix: Option<String>,
}

impl Finding {
    pub fn ok(check: &'static str, detail: impl Into<String>) -> Finding {
        Finding {
            check,
            status: Status::Ok,
            detail: detail.into(),
            fix: None,
        }
    }
    pub fn warn(check: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding {
            check,
            status: Status::Warn,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
    pub fn fail(check: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding {
            check,
            status: Status::Fail,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
    pub fn skip(check: &'static str, why: impl Into<String>) -> Finding {
        Finding {
            check,
            status: Status::Skip,
            detail: why.into(),
            fix: None,
        }
    }
}

/// 1 when any check failed (warnings allowed), else 0.
pub fn exit_code(findings: &[Finding]) -> u8 {
    u8::from(findings.iter().any(|f| f.status == Status::Fail))
}

/// One line per finding: `status  check  detail; fix: ...`. Control characters in what a
/// check found (a profile name, an AWS message) are escaped so each finding stays one line.
pub fn render_text(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let mut line = format!("{:<5} {:<8} {}", f.status.label(), f.check, f.detail);
        if let Some(fix) = &f.fix {
            line.push_str("; fix: ");
            line.push_str(fix);
        }
        out.push_str(&one_line(&line));
        out.push('\n');
    }
    out
}

/// One JSON array of `{check, status, detail, fix}`.
pub fn render_json(findings: &[Finding]) -> String {
    let mut s = serde_json::to_string_pretty(findings).expect("plain strings serialize");
    s.push('\n');
    s
}

fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_one_line_per_finding_with_the_fix() {
        let findings = [
            Finding::ok("config", "profile \"backup\""),
            Finding::warn("keyring", "12 of 200 keys left", "clear old entries"),
            Finding::fail(
                "assume",
                "AccessDenied\nsecond line",
                "check the trust policy",
            ),
            Finding::skip("cache", "the config check failed"),
        ];
        let text = render_text(&findings);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert_eq!(lines[0], "ok    config   profile \"backup\"");
        assert_eq!(
            lines[1],
            "warn  keyring  12 of 200 keys left; fix: clear old entries"
        );
        assert_eq!(
            lines[2],
            "fail  assume   AccessDenied\\nsecond line; fix: check the trust policy"
        );
        assert_eq!(lines[3], "skip  cache    the config check failed");
    }

    #[test]
    fn json_has_the_same_checks() {
        let findings = [
            Finding::ok("config", "x"),
            Finding::fail("sts", "unreachable", "check the network"),
        ];
        let v: serde_json::Value = serde_json::from_str(&render_json(&findings)).unwrap();
        let arr = v.as_array().unwrap();
        assert_eq!(arr.len(), 2);
        assert_eq!(arr[1]["check"], "sts");
        assert_eq!(arr[1]["status"], "fail");
        assert_eq!(arr[1]["fix"], "check the network");
        assert_eq!(arr[0]["fix"], serde_json::Value::Null);
    }

    #[test]
    fn exit_code_is_one_only_for_a_failure() {
        let table: [(&[Finding], u8); 3] = [
            (&[Finding::ok("a", "")], 0),
            (&[Finding::warn("a", "", "f"), Finding::skip("b", "")], 0),
            (&[Finding::ok("a", ""), Finding::fail("b", "", "f")], 1),
        ];
        for (findings, want) in table {
            assert_eq!(exit_code(findings), want, "{findings:?}");
        }
    }
}
