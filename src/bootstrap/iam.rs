//! What bootstrap needs from one account's IAM (and STS GetCallerIdentity), as a narrow
//! trait with the types it speaks. `aws::iam` implements it with the SDK; the plan, the
//! propagation retry and the verification are tested against fakes.

use super::change::Change;
use crate::aws::failure::AwsFailure;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

/// A role as IAM holds it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RoleState {
    pub arn: String,
    pub trust: Value,
    pub max_session: Option<i32>,
    /// Tagged `xacct:managed=true`.
    pub managed: bool,
    pub attached: BTreeSet<String>,
    pub inline: BTreeMap<String, Value>,
}

/// The instance profile named like role B.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProfileState {
    pub roles: Vec<String>,
    pub managed: bool,
}

/// Who the credentials of one account belong to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub account: String,
    /// `arn:<partition>:...`: the partition role ARNs are built in.
    pub arn: String,
}

impl Caller {
    pub fn partition(&self) -> &str {
        self.arn
            .split(':')
            .nth(1)
            .filter(|p| !p.is_empty())
            .unwrap_or("aws")
    }
}

/// What bootstrap needs from one account's IAM.
pub trait Iam {
    fn caller(&self) -> impl Future<Output = Result<Caller, AwsFailure>>;
    /// The role with its tag, trust and policies; `None` when it does not exist.
    fn read_role(&self, name: &str) -> impl Future<Output = Result<Option<RoleState>, AwsFailure>>;
    fn read_instance_profile(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<ProfileState>, AwsFailure>>;
    /// Makes one change (one mutating IAM call).
    fn apply(&self, change: &Change) -> impl Future<Output = Result<(), AwsFailure>>;
    /// The `actions` IAM's policy simulator does not allow `principal` on `resource`.
    fn denied_actions(
        &self,
        principal: &str,
        resource: &str,
        actions: &[String],
    ) -> impl Future<Output = Result<Vec<String>, AwsFailure>>;
}
