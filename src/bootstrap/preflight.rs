//! A permission pre-check before the first change: asks IAM's policy simulator whether each
//! profile may make the changes the plan holds for its account, so a profile that can read
//! IAM but not write it fails before anything is half-created.
//!
//! Best effort by design: the simulator sees identity policies and permission boundaries
//! but not SCPs, cannot simulate the root user, and needs `iam:SimulatePrincipalPolicy`
//! itself (moto does not implement it). When it cannot answer, the check is skipped with a
//! note, and a denied write still fails with a message naming the profile.

use super::change::{Change, Side};
use super::iam::{Caller, Iam};
use crate::error::Error;
use std::collections::BTreeMap;

/// The IAM principal to simulate for a caller: users as they are, an assumed role as its
/// role (at path `/`: the session ARN does not show the path). `None` for the root user
/// (allowed everything IAM asks of an account owner) and anything else.
pub fn simulation_principal(caller_arn: &str) -> Option<String> {
    let parts: Vec<&str> = caller_arn.splitn(6, ':').collect();
    let [_, partition, service, _, account, resource] = parts.as_slice() else {
        return None;
    };
    match *service {
        "iam" if resource.starts_with("user/") => Some(caller_arn.to_string()),
        "sts" => {
            let role = resource.strip_prefix("assumed-role/")?.split('/').next()?;
            (!role.is_empty()).then(|| format!("arn:{partition}:iam::{account}:role/{role}"))
        }
        _ => None,
    }
}

/// The actions (and the resource each acts on) one change needs. `known` maps the names
/// of roles that exist to the ARN IAM returns (a role at a path has the path in it); a
/// role about to be created gets path `/`.
pub fn required(
    change: &Change,
    partition: &str,
    account: &str,
    known: &BTreeMap<String, String>,
) -> Vec<(&'static str, String)> {
    let role = |name: &str| {
        known
            .get(name)
            .cloned()
            .unwrap_or_else(|| format!("arn:{partition}:iam::{account}:role/{name}"))
    };
    let profile = |name: &str| format!("arn:{partition}:iam::{account}:instance-profile/{name}");
    match change {
        // Tags given to CreateRole need iam:TagRole as well.
        Change::CreateRole { name, .. } => {
            vec![("iam:CreateRole", role(name)), ("iam:TagRole", role(name))]
        }
        Change::TagRole { name, .. } => vec![("iam:TagRole", role(name))],
        Change::UpdateTrust { name, .. } => vec![("iam:UpdateAssumeRolePolicy", role(name))],
        Change::SetMaxSession { name, .. } => vec![("iam:UpdateRole", role(name))],
        Change::AttachPolicy { role: r, .. } => vec![("iam:AttachRolePolicy", role(r))],
        Change::DetachPolicy { role: r, .. } => vec![("iam:DetachRolePolicy", role(r))],
        Change::PutInline { role: r, .. } => vec![("iam:PutRolePolicy", role(r))],
        Change::DeleteInline { role: r, .. } => vec![("iam:DeleteRolePolicy", role(r))],
        Change::CreateInstanceProfile { name } => vec![
            ("iam:CreateInstanceProfile", profile(name)),
            ("iam:TagInstanceProfile", profile(name)),
        ],
        Change::TagInstanceProfile { name } => vec![("iam:TagInstanceProfile", profile(name))],
        // Putting a role in an instance profile passes the role.
        Change::AddToInstanceProfile {
            profile: p,
            role: r,
        } => vec![
            ("iam:AddRoleToInstanceProfile", profile(p)),
            ("iam:PassRole", role(r)),
        ],
        Change::RemoveFromInstanceProfile { profile: p, .. } => {
            vec![("iam:RemoveRoleFromInstanceProfile", profile(p))]
        }
        Change::DeleteInstanceProfile { name } => {
            vec![("iam:DeleteInstanceProfile", profile(name))]
        }
        Change::DeleteRole { name, .. } => vec![("iam:DeleteRole", role(name))],
    }
}

/// What the check found for one account.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Allowed,
    /// The simulator could not answer (why), so nothing is known.
    Skipped(String),
    /// `action on resource` lines the simulator denies.
    Denied(Vec<String>),
}

/// Simulates every action `changes` need on `side` for `caller`.
pub async fn check(
    iam: &impl Iam,
    caller: &Caller,
    partition: &str,
    side: Side,
    changes: &[Change],
    known: &BTreeMap<String, String>,
) -> Outcome {
    let Some(principal) = simulation_principal(&caller.arn) else {
        return Outcome::Skipped(format!("{} cannot be simulated", caller.arn));
    };
    // One simulation per resource, with every action needed on it.
    let mut by_resource: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in changes.iter().filter(|c| c.side() == side) {
        for (action, resource) in required(c, partition, &caller.account, known) {
            let actions = by_resource.entry(resource).or_default();
            if !actions.iter().any(|a| a == action) {
                actions.push(action.to_string());
            }
        }
    }
    let mut denied = Vec::new();
    for (resource, actions) in &by_resource {
        match iam.denied_actions(&principal, resource, actions).await {
            Ok(d) => denied.extend(d.into_iter().map(|a| format!("{a} on {resource}"))),
            Err(f) => {
                let msg = crate::arn::truncate(f.message.trim(), 120);
                return Outcome::Skipped(match (f.code.as_str(), msg.is_empty()) {
                    ("Unknown", true) => "it gave no recognisable answer".into(),
                    (code, true) => code.to_string(),
                    (code, false) => format!("{code}: {msg}"),
                });
            }
        }
    }
    if denied.is_empty() {
        Outcome::Allowed
    } else {
        Outcome::Denied(denied)
    }
}

/// The error for denied actions: before any change, naming the profile and each action.
pub fn denied_error(side: Side, profile: &str, denied: &[String]) -> Error {
    let flag = match side {
        Side::Source => "--source-profile",
        Side::Target => "--target-profile",
    };
    Error::Aws(format!(
        "{flag} {profile:?} is not allowed to {} (IAM policy simulator); nothing was changed: grant these actions or use an admin profile",
        denied.join(", ")
    ))
}

#[cfg(test)]
mod tests;
