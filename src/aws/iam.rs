//! The SDK adapter for `bootstrap::iam::Iam`: one account's IAM (plus STS
//! GetCallerIdentity). Thin: a `Change` becomes one SDK call, IAM's answers become the
//! trait's types. Errors are classified with `failure::sdk_failure`, like STS's: both SDKs
//! share smithy's error types.

use super::config::{self, SourceCredentials, Target, Timeouts};
use super::failure::{AwsFailure, sdk_failure};
use crate::bootstrap::change::{Change, MANAGED_TAG_KEY, MANAGED_TAG_VALUE};
use crate::bootstrap::iam::{Caller, Iam, ProfileState, RoleState};
use crate::bootstrap::policy;

type IamFailure = AwsFailure;

/// The SDK adapter for one account, from one profile.
pub struct SdkIam {
    iam: aws_sdk_iam::Client,
    sts: aws_sdk_sts::Client,
}

impl SdkIam {
    /// Loads the profile's credentials (any kind the SDK supports: keys, role_arn, SSO)
    /// with `region` for STS; `AWS_ENDPOINT_URL` is honoured by the SDK itself.
    pub async fn new(profile: &str, region: &str) -> SdkIam {
        let conf = config::load(&Target {
            region,
            instance_region: false,
            endpoint: None,
            credentials: SourceCredentials::WholeProfile(profile),
            timeouts: Timeouts::ADMIN,
        })
        .await;
        SdkIam {
            iam: aws_sdk_iam::Client::new(&conf),
            sts: aws_sdk_sts::Client::new(&conf),
        }
    }
}

fn is_missing(f: &IamFailure) -> bool {
    f.code == "NoSuchEntity"
}

fn tag() -> aws_sdk_iam::types::Tag {
    aws_sdk_iam::types::Tag::builder()
        .key(MANAGED_TAG_KEY)
        .value(MANAGED_TAG_VALUE)
        .build()
        .expect("key and value are set")
}

fn managed(tags: &[aws_sdk_iam::types::Tag]) -> bool {
    tags.iter()
        .any(|t| t.key() == MANAGED_TAG_KEY && t.value() == MANAGED_TAG_VALUE)
}

fn bad_document(what: &str, why: String) -> IamFailure {
    AwsFailure::other("BadDocument", format!("{what}: {why}"))
}

impl Iam for SdkIam {
    async fn caller(&self) -> Result<Caller, IamFailure> {
        let out = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(sdk_failure)?;
        Ok(Caller {
            account: out.account().unwrap_or_default().to_string(),
            arn: out.arn().unwrap_or_default().to_string(),
        })
    }

    async fn read_role(&self, name: &str) -> Result<Option<RoleState>, IamFailure> {
        let role = match self
            .iam
            .get_role()
            .role_name(name)
            .send()
            .await
            .map_err(sdk_failure)
        {
            Ok(out) => match out.role {
                Some(r) => r,
                None => return Ok(None),
            },
            Err(f) if is_missing(&f) => return Ok(None),
            Err(f) => return Err(f),
        };
        let trust = policy::decode_document(role.assume_role_policy_document().unwrap_or("{}"))
            .map_err(|e| bad_document("trust policy", e))?;
        // Tags from ListRoleTags, the call IAM documents for them: ownership must not hinge on
        // an optional field of GetRole.
        let tags = self
            .iam
            .list_role_tags()
            .role_name(name)
            .max_items(1000)
            .send()
            .await
            .map_err(sdk_failure)?;
        let mut state = RoleState {
            arn: role.arn().to_string(),
            trust,
            max_session: role.max_session_duration(),
            managed: managed(tags.tags()),
            ..RoleState::default()
        };
        let mut marker = None;
        // Pages are capped: a role holds at most 20 managed policies by default.
        for _ in 0..50 {
            let out = self
                .iam
                .list_attached_role_policies()
                .role_name(name)
                .set_marker(marker)
                .send()
                .await
                .map_err(sdk_failure)?;
            state.attached.extend(
                out.attached_policies()
                    .iter()
                    .filter_map(|p| p.policy_arn().map(str::to_string)),
            );
            marker = out
                .marker()
                .filter(|_| out.is_truncated())
                .map(str::to_string);
            if marker.is_none() {
                break;
            }
        }
        let mut marker = None;
        for _ in 0..50 {
            let out = self
                .iam
                .list_role_policies()
                .role_name(name)
                .set_marker(marker)
                .send()
                .await
                .map_err(sdk_failure)?;
            for policy_name in out.policy_names() {
                let got = self
                    .iam
                    .get_role_policy()
                    .role_name(name)
                    .policy_name(policy_name)
                    .send()
                    .await
                    .map_err(sdk_failure)?;
                let doc = policy::decode_document(got.policy_document())
                    .map_err(|e| bad_document(&format!("inline policy {policy_name}"), e))?;
                state.inline.insert(policy_name.clone(), doc);
            }
            marker = out
                .marker()
                .filter(|_| out.is_truncated())
                .map(str::to_string);
            if marker.is_none() {
                break;
            }
        }
        Ok(Some(state))
    }

    async fn read_instance_profile(&self, name: &str) -> Result<Option<ProfileState>, IamFailure> {
        match self
            .iam
            .get_instance_profile()
            .instance_profile_name(name)
            .send()
            .await
            .map_err(sdk_failure)
        {
            Ok(out) => Ok(out.instance_profile.map(|p| ProfileState {
                roles: p
                    .roles()
                    .iter()
                    .map(|r| r.role_name().to_string())
                    .collect(),
                managed: managed(p.tags()),
            })),
            Err(f) if is_missing(&f) => Ok(None),
            Err(f) => Err(f),
        }
    }

    async fn denied_actions(
        &self,
        principal: &str,
        resource: &str,
        actions: &[String],
    ) -> Result<Vec<String>, IamFailure> {
        use aws_sdk_iam::types::PolicyEvaluationDecisionType;
        // Advisory: an endpoint without the simulator answers fast, not after retries.
        let no_retries = aws_sdk_iam::config::Builder::default()
            .retry_config(aws_config::retry::RetryConfig::disabled());
        let out = self
            .iam
            .simulate_principal_policy()
            .policy_source_arn(principal)
            .set_action_names(Some(actions.to_vec()))
            .resource_arns(resource)
            .customize()
            .config_override(no_retries)
            .send()
            .await
            .map_err(sdk_failure)?;
        Ok(out
            .evaluation_results()
            .iter()
            .filter(|r| r.eval_decision() != &PolicyEvaluationDecisionType::Allowed)
            .map(|r| r.eval_action_name().to_string())
            .collect())
    }

    async fn apply(&self, change: &Change) -> Result<(), IamFailure> {
        let c = &self.iam;
        match change {
            Change::CreateRole {
                name,
                trust,
                max_session,
                ..
            } => c
                .create_role()
                .role_name(name)
                .assume_role_policy_document(trust.to_string())
                .set_max_session_duration(*max_session)
                .description("Managed by xacct bootstrap")
                .tags(tag())
                .send()
                .await
                .map(drop)
                .map_err(sdk_failure),
            Change::TagRole { name, .. } => c
                .tag_role()
                .role_name(name)
                .tags(tag())
                .send()
                .await
                .map(drop)
                .map_err(sdk_failure),
            Change::UpdateTrust { name, trust, .. } => c
                .update_assume_role_policy()
                .role_name(name)
                .policy_document(trust.to_string())
                .send()
                .await
                .map(drop)
                .map_err(sdk_failure),
            Change::SetMaxSession { name, seconds, .. } => c
                .update_role()
                .role_name(name)
                .max_session_duration(*seconds)
                .send()
                .await
                .map(drop)
                .map_err(sdk_failure),
            Change::AttachPolicy {
                role, policy_arn, ..
            } => c
                .attach_role_policy()
                .role_name(role)
                .policy_arn(policy_arn)
                .send()
                .await
                .map(drop)
                .map_err(sdk_failure),
            Change::DetachPolicy {
                role, policy_arn, ..
            } => c
                .detach_role_policy()
                .role_name(role)
                .policy_arn(policy_arn)
                .send()
                .await
                .map(drop)
                .map_err(sdk_failure),
            Change::PutInline {
                role,
                policy_name,
                doc,
                ..
            } => c
                .put_role_policy()
                .role_name(role)
                .policy_name(policy_name)
                .policy_document(doc.to_string())
                .send()
                .await
                .map(drop)
                .map_err(sdk_failure),
            Change::DeleteInline {
                role, policy_name, ..
            } => c
                .delete_role_policy()
                .role_name(role)
                .policy_name(policy_name)
                .send()
                .await
                .map(drop)
                .map_err(sdk_failure),
            Change::CreateInstanceProfile { name } => c
                .create_instance_profile()
                .instance_profile_name(name)
                .tags(tag())
                .send()
                .await
                .map(drop)
                .map_err(sdk_failure),
            Change::TagInstanceProfile { name } => c
                .tag_instance_profile()
                .instance_profile_name(name)
                .tags(tag())
                .send()
                .await
                .map(drop)
                .map_err(sdk_failure),
            Change::AddToInstanceProfile { profile, role } => c
                .add_role_to_instance_profile()
                .instance_profile_name(profile)
                .role_name(role)
                .send()
                .await
                .map(drop)
                .map_err(sdk_failure),
            Change::RemoveFromInstanceProfile { profile, role } => c
                .remove_role_from_instance_profile()
                .instance_profile_name(profile)
                .role_name(role)
                .send()
                .await
                .map(drop)
                .map_err(sdk_failure),
            Change::DeleteInstanceProfile { name } => c
                .delete_instance_profile()
                .instance_profile_name(name)
                .send()
                .await
                .map(drop)
                .map_err(sdk_failure),
            Change::DeleteRole { name, .. } => c
                .delete_role()
                .role_name(name)
                .send()
                .await
                .map(drop)
                .map_err(sdk_failure),
        }
    }
}
