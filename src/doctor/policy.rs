//! Whether a role's own inline policy lets it call sts:AssumeRole on the target role.
//! A best-effort reading for a hint, not IAM's evaluation: conditions, NotAction,
//! NotResource, managed policies, boundaries and SCPs are not evaluated.

use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// An Allow statement matches (its conditions, if any, not evaluated).
    Allowed,
    /// A Deny statement matches.
    Denied,
    NotAllowed,
}

/// The verdict of one policy document for `sts:AssumeRole` on `role_arn`.
pub fn assume_verdict(doc: &Value, role_arn: &str) -> Verdict {
    let statements: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => vec![],
    };
    let mut allowed = false;
    for st in statements {
        let hits = any(st.get("Action"), |a| {
            glob(&a.to_ascii_lowercase(), "sts:assumerole")
        }) && any(st.get("Resource"), |r| glob(r, role_arn));
        match st.get("Effect").and_then(Value::as_str) {
            Some("Deny") if hits => return Verdict::Denied,
            Some("Allow") if hits => allowed = true,
            _ => {}
        }
    }
    if allowed {
        Verdict::Allowed
    } else {
        Verdict::NotAllowed
    }
}

/// True when `v` (a string or a list of strings) has an element `f` accepts.
fn any(v: Option<&Value>, f: impl Fn(&str) -> bool) -> bool {
    match v {
        Some(Value::String(s)) => f(s),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).any(f),
        _ => false,
    }
}

/// IAM's wildcards: `*` any run of characters, `?` one character.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // Classic two-pointer matching with backtracking to the last `*`.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ROLE: &str = "arn:aws:iam::111111111111:role/backup-reader";

    #[test]
    fn statements_are_read_for_assume_role_on_the_target() {
        let table = [
            (
                json!({"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ROLE}}),
                Verdict::Allowed,
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": ["s3:*", "STS:assume*"], "Resource": ["arn:aws:iam::111111111111:role/*"]}]}),
                Verdict::Allowed,
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
                Verdict::Allowed,
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111111111111:role/other"}]}),
                Verdict::NotAllowed,
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "sts:TagSession", "Resource": ROLE}]}),
                Verdict::NotAllowed,
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::11111111111?:role/backup-*"},
                                     {"Effect": "Deny", "Action": "sts:*", "Resource": ROLE}]}),
                Verdict::Denied,
            ),
            (json!({"Version": "2012-10-17"}), Verdict::NotAllowed),
        ];
        for (doc, want) in table {
            assert_eq!(assume_verdict(&doc, ROLE), want, "{doc}");
        }
    }

    #[test]
    fn wildcards_match_as_iam_documents_them() {
        for (p, t, want) in [
            ("a*c", "abbbc", true),
            ("a*c", "abbbd", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("*", "", true),
            ("", "x", false),
            ("*b*", "aaba", true),
        ] {
            assert_eq!(glob(p, t), want, "{p} {t}");
        }
    }
}
