//! Where the credentials that call AssumeRole come from: `source_profile`,
//! `credential_source`, or the SDK's default chain, with the loops and recursions that
//! would only fail at run time caught here, before any network call.

use super::{EnvSnapshot, Profiles};
use crate::arn;
use crate::cli::RoleArgs;
use crate::error::Error;
use std::collections::BTreeMap;

const CREDENTIAL_SOURCES: &str = "Environment, Ec2InstanceMetadata or EcsContainer";

/// A config error, naming the target profile when there is one (`--role-arn` runs have
/// none).
fn blame(pname: &str, msg: String) -> Error {
    if pname.is_empty() {
        Error::config(msg)
    } else {
        Error::in_profile(pname, msg)
    }
}

/// Where the credentials that call AssumeRole come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A profile of the config/credentials files (its whole chain, resolved by aws-config).
    Profile(String),
    /// `credential_source = Environment`.
    Environment,
    /// `credential_source = Ec2InstanceMetadata`: the instance profile, itself a role session.
    Ec2InstanceMetadata,
    /// `credential_source = EcsContainer`: the task role, itself a role session.
    EcsContainer,
    /// aws-config's default chain (env, profile, web identity, ECS, IMDS).
    DefaultChain {
        profile: Option<String>,
        access_key_id: Option<String>,
    },
}

impl Source {
    /// The source's identity in the cache key. Stable: changing this text changes every
    /// cache key (so it must equal what v1 keys were made with), whereas `describe` may be
    /// reworded freely.
    pub fn cache_id(&self) -> String {
        match self {
            Source::Profile(p) => format!("profile:{p}"),
            Source::Environment => "credential_source:Environment".into(),
            Source::Ec2InstanceMetadata => "credential_source:Ec2InstanceMetadata".into(),
            Source::EcsContainer => "credential_source:EcsContainer".into(),
            Source::DefaultChain {
                profile,
                access_key_id,
            } => format!(
                "default-chain:profile={},key={}",
                profile.as_deref().unwrap_or("-"),
                access_key_id.as_deref().unwrap_or("-")
            ),
        }
    }

    /// For people: shown by `cache list`, in messages and logs. The same text as the
    /// cache id today; reword it here (never in `cache_id`) and no cache is invalidated.
    pub fn describe(&self) -> String {
        self.cache_id()
    }
}

/// Picks the source credentials and says whether they are themselves a role session
/// (then STS caps the new session at one hour).
pub(super) fn resolve(
    args: &RoleArgs,
    profile: &BTreeMap<String, String>,
    pname: &str,
    profiles: &Profiles,
    env: &EnvSnapshot,
) -> Result<(Source, bool), Error> {
    let source_profile = args
        .source_profile
        .as_deref()
        .or_else(|| profile.get("source_profile").map(String::as_str));
    let credential_source = if args.source_profile.is_some() {
        None
    } else {
        profile.get("credential_source").map(String::as_str)
    };
    if source_profile.is_some() && credential_source.is_some() {
        return Err(blame(
            pname,
            "it sets both source_profile and credential_source; keep one".into(),
        ));
    }
    if let Some(cs) = credential_source {
        return match cs {
            "Environment" => Ok((Source::Environment, false)),
            "Ec2InstanceMetadata" => Ok((Source::Ec2InstanceMetadata, true)),
            "EcsContainer" => Ok((Source::EcsContainer, true)),
            other => Err(blame(
                pname,
                format!(
                    "credential_source = {:?} is not supported; use {CREDENTIAL_SOURCES}",
                    arn::truncate(other, 40)
                ),
            )),
        };
    }
    if let Some(sp) = source_profile {
        let Some(src) = profiles.get(sp) else {
            return Err(blame(
                pname,
                format!(
                    "source profile {:?} not found in {} or the credentials file; check the name",
                    arn::truncate(sp, 64),
                    profiles.config_file
                ),
            ));
        };
        if !pname.is_empty() && sp == pname && src.contains_key("role_arn") {
            return Err(blame(
                pname,
                "it names itself as source_profile; point source_profile at a profile with credentials".into(),
            ));
        }
        check_not_recursive(sp, src, pname)?;
        check_chain(sp, pname, profiles)?;
        let chained = src.contains_key("role_arn")
            || matches!(
                src.get("credential_source").map(String::as_str),
                Some("Ec2InstanceMetadata" | "EcsContainer")
            );
        return Ok((Source::Profile(sp.to_string()), chained));
    }
    // The default chain reads AWS_PROFILE (or `default`) when no keys are in the env.
    if env.aws_access_key_id.is_none() {
        let chain_profile = env.aws_profile.as_deref().unwrap_or("default");
        if let Some(p) = profiles.get(chain_profile) {
            check_not_recursive(chain_profile, p, pname)?;
        }
    }
    Ok((
        Source::DefaultChain {
            profile: env.aws_profile.clone(),
            access_key_id: env.aws_access_key_id.clone(),
        },
        false,
    ))
}

/// aws-config follows `source_profile` from role profile to role profile and fails at
/// run time, as an AWS error after loading the SDK, when the chain comes back to a
/// profile it has seen; find the loop here so it is a config error before any network
/// call. A missing link is left to the SDK, which names it.
fn check_chain(first: &str, pname: &str, profiles: &Profiles) -> Result<(), Error> {
    let mut seen: Vec<&str> = vec![];
    let mut cur = first;
    // Every step visits a profile not seen before, so the walk ends.
    loop {
        if seen.contains(&cur) {
            seen.push(cur);
            let chain: Vec<String> = seen
                .iter()
                .map(|p| format!("{:?}", arn::truncate(p, 40)))
                .collect();
            let who = if pname.is_empty() {
                "--source-profile: its"
            } else {
                "its"
            };
            return Err(blame(
                pname,
                format!(
                    "{who} source_profile chain loops ({}); point one of them at a profile with credentials",
                    chain.join(" -> ")
                ),
            ));
        }
        seen.push(cur);
        let Some(p) = profiles.get(cur) else {
            return Ok(());
        };
        if !p.contains_key("role_arn") {
            return Ok(());
        }
        match p.get("source_profile") {
            // A role profile may take its own static keys as its source (the SDK allows it).
            Some(next) if next == cur && p.contains_key("aws_access_key_id") => return Ok(()),
            Some(next) => cur = next,
            None => return Ok(()),
        }
    }
}

/// A source profile whose credential_process runs xacct would call xacct again, forever.
fn check_not_recursive(
    source: &str,
    src: &BTreeMap<String, String>,
    pname: &str,
) -> Result<(), Error> {
    if src
        .get("credential_process")
        .is_some_and(|c| c.contains("xacct"))
    {
        return Err(blame(
            pname,
            format!(
                "source credentials would come from profile {source:?}, whose credential_process runs xacct itself; set source_profile or credential_source in the target profile (or pass --source-profile)"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
