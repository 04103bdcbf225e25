//! One IAM mutation of the plan: which account it goes to, the document it writes, and
//! the line that tells the operator about it.

use serde_json::Value;

/// The tag that marks what bootstrap created (or adopted).
pub const MANAGED_TAG_KEY: &str = "xacct:managed";
pub const MANAGED_TAG_VALUE: &str = "true";

/// Which account's IAM a change goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Account B: role B (source) and its instance profile.
    Source,
    /// Account A: role A (target).
    Target,
}

impl Side {
    pub fn label(self) -> &'static str {
        match self {
            Side::Source => "role B",
            Side::Target => "role A",
        }
    }
}

/// One IAM mutation.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    CreateRole {
        side: Side,
        name: String,
        trust: Value,
        max_session: Option<i32>,
    },
    TagRole {
        side: Side,
        name: String,
    },
    /// `stale`: unique ids the old trust named instead of an ARN (drift repair).
    UpdateTrust {
        side: Side,
        name: String,
        trust: Value,
        stale: Vec<String>,
    },
    SetMaxSession {
        side: Side,
        name: String,
        seconds: i32,
    },
    AttachPolicy {
        side: Side,
        role: String,
        policy_arn: String,
    },
    DetachPolicy {
        side: Side,
        role: String,
        policy_arn: String,
    },
    PutInline {
        side: Side,
        role: String,
        policy_name: String,
        doc: Value,
    },
    DeleteInline {
        side: Side,
        role: String,
        policy_name: String,
    },
    CreateInstanceProfile {
        name: String,
    },
    TagInstanceProfile {
        name: String,
    },
    AddToInstanceProfile {
        profile: String,
        role: String,
    },
    RemoveFromInstanceProfile {
        profile: String,
        role: String,
    },
    DeleteInstanceProfile {
        name: String,
    },
    DeleteRole {
        side: Side,
        name: String,
    },
}

impl Change {
    pub fn side(&self) -> Side {
        match self {
            Change::CreateRole { side, .. }
            | Change::TagRole { side, .. }
            | Change::UpdateTrust { side, .. }
            | Change::SetMaxSession { side, .. }
            | Change::AttachPolicy { side, .. }
            | Change::DetachPolicy { side, .. }
            | Change::PutInline { side, .. }
            | Change::DeleteInline { side, .. }
            | Change::DeleteRole { side, .. } => *side,
            Change::CreateInstanceProfile { .. }
            | Change::TagInstanceProfile { .. }
            | Change::AddToInstanceProfile { .. }
            | Change::RemoveFromInstanceProfile { .. }
            | Change::DeleteInstanceProfile { .. } => Side::Source,
        }
    }

    /// The policy document the change writes, for `--dry-run`.
    pub fn document(&self) -> Option<&Value> {
        match self {
            Change::CreateRole { trust, .. } | Change::UpdateTrust { trust, .. } => Some(trust),
            Change::PutInline { doc, .. } => Some(doc),
            _ => None,
        }
    }

    /// One line for the operator.
    pub fn describe(&self) -> String {
        let l = |s: &Side| s.label();
        match self {
            Change::CreateRole {
                side,
                name,
                max_session,
                ..
            } => match max_session {
                Some(s) => format!(
                    "create {} {name} (max session {s}s, tag {MANAGED_TAG_KEY}={MANAGED_TAG_VALUE})",
                    l(side)
                ),
                None => format!(
                    "create {} {name} (tag {MANAGED_TAG_KEY}={MANAGED_TAG_VALUE})",
                    l(side)
                ),
            },
            Change::TagRole { side, name } => {
                format!(
                    "adopt {} {name}: tag it {MANAGED_TAG_KEY}={MANAGED_TAG_VALUE}",
                    l(side)
                )
            }
            Change::UpdateTrust {
                side, name, stale, ..
            } if !stale.is_empty() => format!(
                "repair the trust policy of {} {name}: it names {} (the unique id of a deleted principal: role B was deleted or re-created), not role B's ARN",
                l(side),
                stale.join(", ")
            ),
            Change::UpdateTrust { side, name, .. } => {
                format!("update the trust policy of {} {name}", l(side))
            }
            Change::SetMaxSession {
                side,
                name,
                seconds,
            } => {
                format!(
                    "set the max session duration of {} {name} to {seconds}s",
                    l(side)
                )
            }
            Change::AttachPolicy {
                side,
                role,
                policy_arn,
            } => {
                format!("attach {policy_arn} to {} {role}", l(side))
            }
            Change::DetachPolicy {
                side,
                role,
                policy_arn,
            } => {
                format!("detach {policy_arn} from {} {role}", l(side))
            }
            Change::PutInline {
                side,
                role,
                policy_name,
                ..
            } => {
                format!("put inline policy {policy_name} on {} {role}", l(side))
            }
            Change::DeleteInline {
                side,
                role,
                policy_name,
            } => {
                format!("delete inline policy {policy_name} from {} {role}", l(side))
            }
            Change::CreateInstanceProfile { name } => format!(
                "create instance profile {name} (tag {MANAGED_TAG_KEY}={MANAGED_TAG_VALUE})"
            ),
            Change::TagInstanceProfile { name } => format!(
                "adopt instance profile {name}: tag it {MANAGED_TAG_KEY}={MANAGED_TAG_VALUE}"
            ),
            Change::AddToInstanceProfile { profile, role } => {
                format!("add role {role} to instance profile {profile}")
            }
            Change::RemoveFromInstanceProfile { profile, role } => {
                format!("remove role {role} from instance profile {profile}")
            }
            Change::DeleteInstanceProfile { name } => format!("delete instance profile {name}"),
            Change::DeleteRole { side, name } => format!("delete {} {name}", l(side)),
        }
    }
}
