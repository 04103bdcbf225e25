//! Trust and permission policy documents for `xacct bootstrap`, and the comparison that
//! decides whether what IAM holds already matches them.
//!
//! Pure: names and ARNs in, `serde_json::Value` out. IAM hands documents back URL-encoded
//! and may turn a one-element list into a string (or keep it), so documents are compared
//! after `normalize`, never as text.

use serde_json::{Value, json};

const VERSION: &str = "2012-10-17";

/// Who may assume the source role (role B), from `--source-trust`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trustee {
    /// The EC2 service: an instance profile carries role B onto instances.
    Ec2,
    /// The Lambda service: functions run as role B.
    Lambda,
    /// Account B's root: any IAM principal of account B whose own policy allows it.
    Account,
    /// One IAM principal ARN (`arn:aws:iam::<12 digits>:root|user/..|role/..`).
    Principal(String),
}

impl Trustee {
    pub fn parse(s: &str) -> Result<Trustee, String> {
        match s {
            "ec2" => Ok(Trustee::Ec2),
            "lambda" => Ok(Trustee::Lambda),
            "account" => Ok(Trustee::Account),
            _ if s.starts_with("arn:") => {
                check_principal_arn(s)?;
                Ok(Trustee::Principal(s.to_string()))
            }
            _ => Err(format!(
                "--source-trust {:?} is not ec2, lambda, account or an IAM principal ARN (arn:aws:iam::<12 digits>:root, user/<name> or role/<name>)",
                crate::arn::truncate(s, 80)
            )),
        }
    }
}

/// IAM principal ARNs a trust policy may name: an account root, a user or a role.
pub fn check_principal_arn(s: &str) -> Result<(), String> {
    let bad = |why: &str| {
        Err(format!(
            "principal {:?} is not an IAM principal ARN ({why}; expected arn:aws:iam::<12 digits>:root, user/<name> or role/<name>)",
            crate::arn::truncate(s, 120)
        ))
    };
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || parts[2] != "iam" || !parts[3].is_empty() {
        return bad("not an IAM ARN");
    }
    if !["aws", "aws-cn", "aws-us-gov"].contains(&parts[1]) {
        return bad("unknown partition");
    }
    if let Err(why) = crate::arn::check_account_id(parts[4]) {
        return bad(&why);
    }
    let resource = parts[5];
    if resource == "root" {
        return Ok(());
    }
    let name = match (
        resource.strip_prefix("user/"),
        resource.strip_prefix("role/"),
    ) {
        (Some(rest), _) | (_, Some(rest)) => rest.rsplit('/').next().unwrap_or(""),
        _ => return bad("not root, a user or a role"),
    };
    crate::arn::check_role_name(name).or_else(|_| bad("bad name"))
}

/// Managed policy ARNs: `arn:aws:iam::aws:policy/<name>` or `arn:aws:iam::<12 digits>:policy/<name>`.
pub fn check_policy_arn(s: &str) -> Result<(), String> {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && ["aws", "aws-cn", "aws-us-gov"].contains(&parts[1])
        && parts[2] == "iam"
        && parts[3].is_empty()
        && (parts[4] == "aws" || crate::arn::check_account_id(parts[4]).is_ok())
        && parts[5]
            .strip_prefix("policy/")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| (0x21..=0x7e).contains(&b)));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "--target-policy-arn {:?} is not a managed policy ARN (expected arn:aws:iam::aws:policy/<name> or arn:aws:iam::<12 digits>:policy/<name>)",
            crate::arn::truncate(s, 120)
        ))
    }
}

/// Role B's trust policy: the services and principals given by `--source-trust`.
pub fn source_trust(trustees: &[Trustee], partition: &str, account_b: &str) -> Value {
    let mut services = Vec::new();
    let mut principals = Vec::new();
    for t in trustees {
        match t {
            Trustee::Ec2 => services.push("ec2.amazonaws.com".to_string()),
            Trustee::Lambda => services.push("lambda.amazonaws.com".to_string()),
            Trustee::Account => principals.push(format!("arn:{partition}:iam::{account_b}:root")),
            Trustee::Principal(arn) => principals.push(arn.clone()),
        }
    }
    let mut principal = serde_json::Map::new();
    if !services.is_empty() {
        principal.insert("Service".into(), json!(services));
    }
    if !principals.is_empty() {
        principal.insert("AWS".into(), json!(principals));
    }
    json!({
        "Version": VERSION,
        "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]
    })
}

/// What role B may do to role A besides `sts:AssumeRole`: pass session tags
/// (`--allow-session-tags`) and set a source identity (`--allow-source-identity`).
/// Both default to off, so a pair stays least-privilege unless asked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionActions {
    pub tags: bool,
    pub source_identity: bool,
}

impl SessionActions {
    /// The `Action` of role A's trust statement and role B's permission: a plain string
    /// when it is `sts:AssumeRole` alone, as IAM shows a one-action statement.
    pub fn action(self) -> Value {
        let mut actions = vec!["sts:AssumeRole"];
        if self.source_identity {
            actions.push("sts:SetSourceIdentity");
        }
        if self.tags {
            actions.push("sts:TagSession");
        }
        match actions.as_slice() {
            [one] => json!(one),
            many => json!(many),
        }
    }
}

/// Role A's trust policy: role B by ARN only, with the external id condition when set.
pub fn target_trust(role_b_arn: &str, external_id: Option<&str>, session: SessionActions) -> Value {
    let mut statement = json!({
        "Effect": "Allow",
        "Principal": {"AWS": role_b_arn},
        "Action": session.action(),
    });
    if let Some(id) = external_id {
        statement["Condition"] = json!({"StringEquals": {"sts:ExternalId": id}});
    }
    json!({"Version": VERSION, "Statement": [statement]})
}

/// Role B's only permission: assume role A, plus the session actions role A's trust
/// allows (an AssumeRole that passes tags or a source identity needs both sides to allow
/// them).
pub fn source_permissions(role_a_arn: &str, session: SessionActions) -> Value {
    json!({
        "Version": VERSION,
        "Statement": [{"Effect": "Allow", "Action": session.action(), "Resource": role_a_arn}]
    })
}

/// A permission policy from a file: a JSON object with a `Statement`.
pub fn parse_permission_policy(text: &str) -> Result<Value, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("is not JSON ({e})"))?;
    match v.get("Statement") {
        Some(Value::Array(a)) if !a.is_empty() => Ok(v),
        Some(Value::Object(_)) => Ok(v),
        _ => Err("is not an IAM policy (a JSON object with a Statement)".into()),
    }
}

/// Parses a document as IAM returns it: URL-encoded JSON (or plain JSON, as some
/// emulators return it).
pub fn decode_document(raw: &str) -> Result<Value, String> {
    let text = if raw.trim_start().starts_with('{') {
        raw.to_string()
    } else {
        percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .map_err(|e| format!("policy document is not UTF-8 after URL-decoding: {e}"))?
            .into_owned()
    };
    serde_json::from_str(&text).map_err(|e| format!("policy document is not JSON: {e}"))
}

/// A canonical form: list order and duplicates do not matter to IAM, and a one-element
/// list means the same as its element.
pub fn normalize(v: &Value) -> Value {
    match v {
        Value::Array(items) => {
            let mut out: Vec<Value> = items.iter().map(normalize).collect();
            out.sort_by_key(|x| x.to_string());
            out.dedup();
            if out.len() == 1 {
                out.pop().unwrap_or(Value::Null)
            } else {
                Value::Array(out)
            }
        }
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), normalize(v))).collect())
        }
        other => other.clone(),
    }
}

/// True when two policy documents grant the same thing (up to `normalize`).
pub fn same(a: &Value, b: &Value) -> bool {
    normalize(a) == normalize(b)
}

fn statements(doc: &Value) -> Vec<&Value> {
    match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => vec![],
    }
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// Unique ids (`AROA...`, `AIDA...`) in the trust's AWS principals. IAM shows these in
/// place of an ARN whose role or user was deleted: the trust no longer matches the
/// re-created principal until it is written again.
pub fn stale_principals(trust: &Value) -> Vec<String> {
    statements(trust)
        .into_iter()
        .flat_map(|s| strings(s.get("Principal").and_then(|p| p.get("AWS"))))
        .filter(|p| {
            (p.starts_with("AROA") || p.starts_with("AIDA"))
                && p.len() > 4
                && p.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
        .map(str::to_string)
        .collect()
}

/// The `sts:ExternalId` a trust policy requires, if any (so `--external-id auto` can keep it).
pub fn external_id(trust: &Value) -> Option<String> {
    statements(trust).into_iter().find_map(|s| {
        let cond = s
            .get("Condition")?
            .get("StringEquals")?
            .get("sts:ExternalId")?;
        strings(Some(cond)).first().map(|s| s.to_string())
    })
}

#[cfg(test)]
mod tests;
