//! Desired state vs what IAM holds -> the ordered list of changes. Pure.
//!
//! The order is the one AWS requires for the chicken-and-egg pair: role B first (its ARN
//! must exist before a trust policy can name it), then role A trusting role B, then A's
//! permissions, and only then B's permission to assume A. Ownership is decided here too:
//! the whole plan is refused before any change when a role lacks the `xacct:managed` tag
//! and `--adopt` was not given.
//!
//! The instance profile is xacct's when it carries the tag, or when it holds role B and
//! nothing else while role B carries the tag. CloudFormation cannot tag an
//! `AWS::IAM::InstanceProfile` (the resource has no `Tags`), and a profile grants nothing
//! but the role in it: one that holds only xacct's role B is part of the pair.

pub use super::change::{Change, Side};
pub use super::change::{MANAGED_TAG_KEY, MANAGED_TAG_VALUE};
pub use super::iam::{ProfileState, RoleState};
use super::policy;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Role B's inline policy that allows assuming role A.
pub const ASSUME_POLICY_NAME: &str = "xacct-assume-target";
/// IAM's MaxSessionDuration when none is set.
pub const DEFAULT_MAX_SESSION: i32 = 3600;

/// What both accounts hold now (`None`: does not exist).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Actual {
    pub source: Option<RoleState>,
    pub target: Option<RoleState>,
    pub profile: Option<ProfileState>,
}

/// What the arguments ask for.
#[derive(Clone, Debug, PartialEq)]
pub struct Desired {
    pub source_name: String,
    /// Role B's ARN: the one IAM returns when it exists (a path shows there), else the
    /// one a role created at path `/` gets.
    pub source_arn: String,
    pub source_trust: Value,
    /// `ASSUME_POLICY_NAME`'s document: assume role A only.
    pub source_permissions: Value,
    /// An instance profile named like role B, holding it (`--source-trust ec2`).
    pub instance_profile: bool,
    pub target_name: String,
    pub target_arn: String,
    pub target_trust: Value,
    pub target_max_session: i32,
    pub target_attached: BTreeSet<String>,
    pub target_inline: BTreeMap<String, Value>,
}

/// Whether the instance profile named like role B is xacct's (see the module doc).
pub fn profile_owned(p: &ProfileState, role_b: &str, role_b_state: Option<&RoleState>) -> bool {
    p.managed || (p.roles == [role_b] && role_b_state.is_some_and(|r| r.managed))
}

fn refuse(what: &str, name: &str, verb: &str) -> String {
    format!(
        "{what} {name} exists and is not managed by xacct (no tag {MANAGED_TAG_KEY}={MANAGED_TAG_VALUE}); bootstrap will not {verb} it: pass --adopt to take it over, or choose another name"
    )
}

/// Creates the role, or brings an existing one's tag, trust and session length in line.
fn ensure_role(
    out: &mut Vec<Change>,
    side: Side,
    name: &str,
    trust: &Value,
    max_session: Option<i32>,
    actual: Option<&RoleState>,
    adopt: bool,
) -> Result<(), String> {
    let Some(r) = actual else {
        out.push(Change::CreateRole {
            side,
            name: name.into(),
            trust: trust.clone(),
            max_session,
        });
        return Ok(());
    };
    if !r.managed {
        if !adopt {
            return Err(refuse(side.label(), name, "modify"));
        }
        out.push(Change::TagRole {
            side,
            name: name.into(),
        });
    }
    if !policy::same(&r.trust, trust) {
        out.push(Change::UpdateTrust {
            side,
            name: name.into(),
            trust: trust.clone(),
            stale: policy::stale_principals(&r.trust),
        });
    }
    if let Some(want) = max_session
        && r.max_session.unwrap_or(DEFAULT_MAX_SESSION) != want
    {
        out.push(Change::SetMaxSession {
            side,
            name: name.into(),
            seconds: want,
        });
    }
    Ok(())
}

fn put_if_changed(
    out: &mut Vec<Change>,
    side: Side,
    role: &str,
    current: Option<&RoleState>,
    policy_name: &str,
    doc: &Value,
) {
    let have = current.and_then(|r| r.inline.get(policy_name));
    if !have.is_some_and(|h| policy::same(h, doc)) {
        out.push(Change::PutInline {
            side,
            role: role.into(),
            policy_name: policy_name.into(),
            doc: doc.clone(),
        });
    }
}

/// The changes that make both accounts match `d`, in the order IAM needs them.
///
/// Role A's permissions are exactly the ones asked for (others are detached or deleted);
/// role B keeps any policy it has besides xacct's own, since an adopted instance role may
/// carry the permissions its workload needs.
pub fn plan_apply(d: &Desired, a: &Actual, adopt: bool) -> Result<Vec<Change>, String> {
    let mut out = Vec::new();
    ensure_role(
        &mut out,
        Side::Source,
        &d.source_name,
        &d.source_trust,
        None,
        a.source.as_ref(),
        adopt,
    )?;

    let profile = &d.source_name;
    match (&a.profile, d.instance_profile) {
        (None, true) => {
            out.push(Change::CreateInstanceProfile {
                name: profile.clone(),
            });
            out.push(Change::AddToInstanceProfile {
                profile: profile.clone(),
                role: profile.clone(),
            });
        }
        (Some(p), true) => {
            if !profile_owned(p, profile, a.source.as_ref()) {
                if !adopt {
                    return Err(refuse("instance profile", profile, "modify"));
                }
                out.push(Change::TagInstanceProfile {
                    name: profile.clone(),
                });
            }
            if !p.roles.contains(profile) {
                // An instance profile holds at most one role.
                for other in &p.roles {
                    out.push(Change::RemoveFromInstanceProfile {
                        profile: profile.clone(),
                        role: other.clone(),
                    });
                }
                out.push(Change::AddToInstanceProfile {
                    profile: profile.clone(),
                    role: profile.clone(),
                });
            }
        }
        // `ec2` was dropped from --source-trust: remove only a profile xacct made.
        (Some(p), false) if profile_owned(p, profile, a.source.as_ref()) => {
            for role in &p.roles {
                out.push(Change::RemoveFromInstanceProfile {
                    profile: profile.clone(),
                    role: role.clone(),
                });
            }
            out.push(Change::DeleteInstanceProfile {
                name: profile.clone(),
            });
        }
        (Some(_), false) | (None, false) => {}
    }

    let target = a.target.as_ref();
    ensure_role(
        &mut out,
        Side::Target,
        &d.target_name,
        &d.target_trust,
        Some(d.target_max_session),
        target,
        adopt,
    )?;
    let role = &d.target_name;
    let attached = target.map(|r| r.attached.clone()).unwrap_or_default();
    for arn in d.target_attached.difference(&attached) {
        out.push(Change::AttachPolicy {
            side: Side::Target,
            role: role.clone(),
            policy_arn: arn.clone(),
        });
    }
    for (name, doc) in &d.target_inline {
        put_if_changed(&mut out, Side::Target, role, target, name, doc);
    }
    for arn in attached.difference(&d.target_attached) {
        out.push(Change::DetachPolicy {
            side: Side::Target,
            role: role.clone(),
            policy_arn: arn.clone(),
        });
    }
    for name in target.iter().flat_map(|r| r.inline.keys()) {
        if !d.target_inline.contains_key(name) {
            out.push(Change::DeleteInline {
                side: Side::Target,
                role: role.clone(),
                policy_name: name.clone(),
            });
        }
    }

    put_if_changed(
        &mut out,
        Side::Source,
        &d.source_name,
        a.source.as_ref(),
        ASSUME_POLICY_NAME,
        &d.source_permissions,
    );
    Ok(out)
}

fn remove_role(out: &mut Vec<Change>, side: Side, name: &str, r: &RoleState) {
    for arn in &r.attached {
        out.push(Change::DetachPolicy {
            side,
            role: name.into(),
            policy_arn: arn.clone(),
        });
    }
    for policy_name in r.inline.keys() {
        out.push(Change::DeleteInline {
            side,
            role: name.into(),
            policy_name: policy_name.clone(),
        });
    }
    out.push(Change::DeleteRole {
        side,
        name: name.into(),
    });
}

/// The changes that remove the pair: role A first (nothing can use it any more), then
/// the instance profile and role B. Missing pieces are skipped; anything untagged refuses
/// the whole plan unless `adopt`.
pub fn plan_delete(
    source_name: &str,
    target_name: &str,
    a: &Actual,
    adopt: bool,
) -> Result<Vec<Change>, String> {
    let owned = |managed: bool, what: &str, name: &str| {
        if managed || adopt {
            Ok(())
        } else {
            Err(refuse(what, name, "delete"))
        }
    };
    if let Some(r) = &a.target {
        owned(r.managed, Side::Target.label(), target_name)?;
    }
    if let Some(p) = &a.profile {
        owned(
            profile_owned(p, source_name, a.source.as_ref()),
            "instance profile",
            source_name,
        )?;
    }
    if let Some(r) = &a.source {
        owned(r.managed, Side::Source.label(), source_name)?;
    }
    let mut out = Vec::new();
    if let Some(r) = &a.target {
        remove_role(&mut out, Side::Target, target_name, r);
    }
    if let Some(p) = &a.profile {
        for role in &p.roles {
            out.push(Change::RemoveFromInstanceProfile {
                profile: source_name.into(),
                role: role.clone(),
            });
        }
        out.push(Change::DeleteInstanceProfile {
            name: source_name.into(),
        });
    }
    if let Some(r) = &a.source {
        remove_role(&mut out, Side::Source, source_name, r);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
