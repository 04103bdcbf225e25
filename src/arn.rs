//! Role ARNs, account ids and the STS name charsets.
//!
//! Everything here is pure: it checks strings against the limits in the STS and IAM API
//! models so that a typo is reported locally, before any network call, with the fix.

use std::fmt;

/// AWS partitions a role ARN may name.
const PARTITIONS: [&str; 3] = ["aws", "aws-cn", "aws-us-gov"];

/// A validated IAM role ARN: `arn:<partition>:iam::<12 digits>:role/<path/><name>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleArn {
    arn: String,
    partition: String,
    account: String,
    name: String,
}

impl RoleArn {
    /// Parses and validates a role ARN; the error says what a role ARN looks like.
    pub fn parse(input: &str) -> Result<RoleArn, String> {
        let fail = |why: &str| {
            Err(format!(
                "role arn {:?} is not an IAM role ARN ({why}; expected arn:aws:iam::<12 digits>:role/<name>)",
                truncate(input, 120)
            ))
        };
        let parts: Vec<&str> = input.splitn(6, ':').collect();
        if parts.len() != 6 || parts[0] != "arn" {
            return fail("not an ARN");
        }
        let (partition, service, region, account, resource) =
            (parts[1], parts[2], parts[3], parts[4], parts[5]);
        if !PARTITIONS.contains(&partition) {
            return fail("unknown partition");
        }
        if service != "iam" || !region.is_empty() {
            return fail("not an IAM ARN");
        }
        if let Err(why) = check_account_id(account) {
            return fail(&why);
        }
        let Some(path_and_name) = resource.strip_prefix("role/") else {
            return fail("not a role");
        };
        let (path, name) = match path_and_name.rsplit_once('/') {
            Some((path, name)) => (Some(path), name),
            None => (None, path_and_name),
        };
        if let Err(why) = check_role_name(name) {
            return fail(&why);
        }
        if let Some(path) = path {
            // IAM paths are `/` or `/segment/.../`, printable ASCII, at most 512 chars.
            if path.len() > 510
                || path.split('/').any(|seg| seg.is_empty())
                || !path.bytes().all(|b| (0x21..=0x7e).contains(&b))
            {
                return fail("bad role path");
            }
        }
        Ok(RoleArn {
            arn: input.to_string(),
            partition: partition.to_string(),
            account: account.to_string(),
            name: name.to_string(),
        })
    }

    /// Builds the ARN of a role named `name` at path `/` in `account`.
    pub fn from_parts(partition: &str, account: &str, name: &str) -> Result<RoleArn, String> {
        RoleArn::parse(&format!("arn:{partition}:iam::{account}:role/{name}"))
    }

    pub fn as_str(&self) -> &str {
        &self.arn
    }
    pub fn partition(&self) -> &str {
        &self.partition
    }
    /// The 12-digit account id the role lives in (account A).
    pub fn account(&self) -> &str {
        &self.account
    }
    /// The role's name, without its path.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for RoleArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.arn)
    }
}

/// An account id is exactly 12 ASCII digits.
pub fn check_account_id(s: &str) -> Result<(), String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err("the account id must be 12 digits".to_string())
    }
}

/// Role names: 1..64 chars of `[\w+=,.@-]`.
pub fn check_role_name(s: &str) -> Result<(), String> {
    if s.is_empty() || s.len() > 64 || !s.bytes().all(is_name_byte) {
        return Err("the role name must be 1-64 characters of letters, digits and +=,.@_-".into());
    }
    Ok(())
}

/// `[\w+=,.@-]`: the charset of RoleSessionName, SourceIdentity and role names.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b)
}

/// RoleSessionName: 2..64 chars of `[\w+=,.@-]`.
pub fn check_session_name(s: &str) -> Result<(), String> {
    if s.len() < 2 || s.len() > 64 || !s.bytes().all(is_name_byte) {
        return Err(format!(
            "session name {:?} is invalid (use 2-64 characters of letters, digits and +=,.@_-)",
            truncate(s, 80)
        ));
    }
    Ok(())
}

/// ExternalId: 2..1224 chars of `[\w+=,.@:/-]`. The value is not echoed: it guards the
/// role against the confused-deputy problem and belongs to the role's owner.
pub fn check_external_id(s: &str) -> Result<(), String> {
    let ok_byte = |b: u8| is_name_byte(b) || b == b':' || b == b'/';
    if s.len() < 2 || s.len() > 1224 || !s.bytes().all(ok_byte) {
        return Err(format!(
            "external id is invalid ({} characters; use 2-1224 characters of letters, digits and +=,.@:/_-)",
            s.chars().count()
        ));
    }
    Ok(())
}

/// Maps any string to a valid session name: invalid characters become `-`, the result is
/// cut to 64 characters and padded to at least 2.
pub fn sanitize_session_name(raw: &str) -> String {
    let mut out: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii() && is_name_byte(c as u8) {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    while out.len() < 2 {
        out.push('-');
    }
    out
}

/// Shortens user input quoted in an error so one bad flag cannot flood the terminal.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}...")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns() {
        let ok = [
            (
                "arn:aws:iam::111111111111:role/backup-reader",
                "111111111111",
                "backup-reader",
            ),
            (
                "arn:aws-cn:iam::222222222222:role/a/b/r_1",
                "222222222222",
                "r_1",
            ),
            (
                "arn:aws-us-gov:iam::333333333333:role/x+=,.@-y",
                "333333333333",
                "x+=,.@-y",
            ),
        ];
        for (input, account, name) in ok {
            let arn = RoleArn::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!((arn.account(), arn.name()), (account, name), "{input}");
            assert_eq!(arn.as_str(), input);
        }
        let bad = [
            ("", "not an ARN"),
            ("arn:aws:s3:::b", "not an IAM ARN"),
            ("arn:aws:iam::11111111111:role/r", "12 digits"),
            ("arn:aws:iam::1111111111111:role/r", "12 digits"),
            ("arn:aws:iam::11111111111a:role/r", "12 digits"),
            ("arn:aws:iam::111111111111:user/r", "not a role"),
            ("arn:aws:iam::111111111111:role/", "role name"),
            ("arn:aws:iam::111111111111:role/a b", "role name"),
            ("arn:aws:iam::111111111111:role//r", "bad role path"),
            (
                "arn:aws:iam:us-east-1:111111111111:role/r",
                "not an IAM ARN",
            ),
            ("arn:azure:iam::111111111111:role/r", "unknown partition"),
            ("arn:aws:iam::111111111111:role/r\u{e9}", "role name"),
        ];
        for (input, why) in bad {
            let err = RoleArn::parse(input).expect_err(input);
            assert!(err.contains(why), "{input}: {err}");
            assert!(
                err.contains("expected arn:aws:iam::<12 digits>:role/<name>"),
                "{err}"
            );
        }
        let long = format!("arn:aws:iam::111111111111:role/{}", "r".repeat(65));
        assert!(RoleArn::parse(&long).is_err());
    }

    #[test]
    fn session_names_and_external_ids() {
        for ok in ["ab", "xacct-root@host.example", &"a".repeat(64)] {
            check_session_name(ok).unwrap();
        }
        for bad in ["a", "", "a b", "a/b", &"a".repeat(65)] {
            assert!(check_session_name(bad).is_err(), "{bad}");
        }
        for ok in ["ab", "4f1c:x/y=z", &"e".repeat(1224)] {
            check_external_id(ok).unwrap();
        }
        for bad in ["a", "a b", "a#b", &"e".repeat(1225)] {
            let err = check_external_id(bad).expect_err(bad);
            assert!(
                !err.contains(bad) || bad.len() < 2,
                "external id echoed: {err}"
            );
        }
    }

    #[test]
    fn sanitized_session_names_are_valid() {
        let cases = [
            ("xacct-root@host", "xacct-root@host"),
            ("xacct-j\u{f6}rg@my host", "xacct-j-rg@my-host"),
            ("", "--"),
            ("x", "x-"),
        ];
        for (raw, want) in cases {
            assert_eq!(sanitize_session_name(raw), want);
        }
        let long = sanitize_session_name(&"h".repeat(100));
        assert_eq!(long.len(), 64);
        check_session_name(&long).unwrap();
    }
}
