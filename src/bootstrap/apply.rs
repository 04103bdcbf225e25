//! Runs a plan against the two accounts' `Iam`: reads what exists, applies each change in
//! order (retrying IAM's propagation delay), and maps every expected IAM error to one line
//! that names the account's profile flag and the fix.
//!
//! Time is injected (`Clock`) so the retry is tested with a fake `Iam` without waiting.

use super::iam::Iam;
use super::plan::{Actual, Change, Side};
use crate::aws::failure::AwsFailure as IamFailure;
use crate::aws::failure::FailureKind;
use crate::error::Error;
use std::future::Future;
use std::time::{Duration, Instant};

/// How long to retry "Invalid principal": Terraform's AWS provider waits as long for a
/// newly created role to become usable in a trust policy.
pub const PROPAGATION_BUDGET: Duration = Duration::from_secs(120);
const FIRST_DELAY: Duration = Duration::from_secs(1);
const MAX_DELAY: Duration = Duration::from_secs(16);
/// A cap that holds even if the clock misbehaves.
const MAX_ATTEMPTS: u32 = 30;
/// Reads after writes: 1 + 3 retries (1s, 2s, 4s apart).
const VERIFY_ATTEMPTS: u32 = 4;

/// Elapsed time and sleeping, so tests can run a two-minute retry instantly.
pub trait Clock {
    fn elapsed(&self) -> Duration;
    fn sleep(&self, d: Duration) -> impl Future<Output = ()>;
}

/// The real clock (tokio's sleep, a monotonic start).
pub struct RealClock(Instant);

impl RealClock {
    pub fn start() -> RealClock {
        RealClock(Instant::now())
    }
}

impl Clock for RealClock {
    fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }
    async fn sleep(&self, d: Duration) {
        tokio::time::sleep(d).await
    }
}

/// Capped exponential backoff: 1s, 2s, 4s, 8s, 16s, 16s, ...
pub fn backoff(attempt: u32) -> Duration {
    FIRST_DELAY
        .checked_mul(1u32 << attempt.min(10))
        .unwrap_or(MAX_DELAY)
        .min(MAX_DELAY)
}

/// IAM's answer when a trust policy names a principal it cannot resolve yet.
pub fn is_propagation_delay(f: &IamFailure) -> bool {
    f.kind == FailureKind::Service
        && f.code == "MalformedPolicyDocument"
        && f.message.contains("Invalid principal")
}

fn flag(side: Side) -> &'static str {
    match side {
        Side::Source => "--source-profile",
        Side::Target => "--target-profile",
    }
}

/// One line for a failed IAM/STS call made with `side`'s credentials while `doing`.
pub fn describe(side: Side, profile: &str, doing: &str, f: &IamFailure) -> Error {
    let msg = f.message.split_whitespace().collect::<Vec<_>>().join(" ");
    let who = format!("{} {profile:?}", flag(side));
    match (f.kind, f.code.as_str()) {
        (
            FailureKind::Service,
            "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation",
        ) => Error::Aws(format!(
            "{doing}: access denied for {who} (IAM: {msg}); that profile needs IAM permissions on roles, role policies and instance profiles (e.g. IAMFullAccess)"
        )),
        (FailureKind::Service, "ExpiredToken" | "ExpiredTokenException") => Error::Aws(format!(
            "{doing}: the credentials of {who} have expired; refresh them and re-run bootstrap"
        )),
        (FailureKind::Service, "InvalidClientTokenId" | "SignatureDoesNotMatch") => {
            Error::Aws(format!(
                "{doing}: the credentials of {who} are not valid ({}: {msg}); check that profile's keys",
                f.code
            ))
        }
        (FailureKind::Service, "EntityAlreadyExists") => Error::Aws(format!(
            "{doing}: it already exists ({msg}); something else created it meanwhile: re-run bootstrap"
        )),
        (FailureKind::Service, "DeleteConflict") => Error::Aws(format!(
            "{doing}: IAM says it is still in use ({msg}); detach it where it is used (e.g. other instance profiles) and re-run"
        )),
        (FailureKind::Service, "LimitExceeded") => Error::Aws(format!(
            "{doing}: an IAM quota is reached ({msg}); remove unused roles or policies, or raise the quota"
        )),
        (FailureKind::Service, "NoSuchEntity") => Error::Aws(format!(
            "{doing}: IAM says something it names does not exist ({msg}); check the --target-policy-arn values (AWS managed or in account A), or re-run if a role was deleted meanwhile"
        )),
        (FailureKind::Service, code) => Error::Aws(format!("{doing}: IAM answered {code}: {msg}")),
        (FailureKind::Unreachable, _) => Error::Aws(format!(
            "{doing}: cannot reach AWS ({msg}); check the network or AWS_ENDPOINT_URL"
        )),
        (FailureKind::NoSourceCredentials, _) => Error::Aws(format!(
            "{doing}: could not load the credentials of {who} ({msg}); check that profile"
        )),
        (FailureKind::Other, _) => Error::Aws(format!("{doing}: {msg}")),
    }
}

/// The two accounts: role B's IAM and role A's, with the profiles they come from.
pub struct Accounts<'a, I> {
    pub source: &'a I,
    pub source_profile: &'a str,
    pub target: &'a I,
    pub target_profile: &'a str,
}

impl<I: Iam> Accounts<'_, I> {
    fn side(&self, side: Side) -> (&I, &str) {
        match side {
            Side::Source => (self.source, self.source_profile),
            Side::Target => (self.target, self.target_profile),
        }
    }

    /// Reads role B, its instance profile and role A. Only reads: a missing permission
    /// shows up here, before any change.
    pub async fn read(&self, source_name: &str, target_name: &str) -> Result<Actual, Error> {
        let source = self.source.read_role(source_name).await.map_err(|f| {
            describe(
                Side::Source,
                self.source_profile,
                &format!("reading role B {source_name}"),
                &f,
            )
        })?;
        let profile = self
            .source
            .read_instance_profile(source_name)
            .await
            .map_err(|f| {
                describe(
                    Side::Source,
                    self.source_profile,
                    &format!("reading instance profile {source_name}"),
                    &f,
                )
            })?;
        let target = self.target.read_role(target_name).await.map_err(|f| {
            describe(
                Side::Target,
                self.target_profile,
                &format!("reading role A {target_name}"),
                &f,
            )
        })?;
        Ok(Actual {
            source,
            target,
            profile,
        })
    }

    /// Reads both roles back until `check` finds nothing left to do. IAM reads are
    /// eventually consistent too: right after a write a read may still show the old
    /// state, so a difference counts only after a few reads seconds apart.
    pub async fn verify(
        &self,
        source_name: &str,
        target_name: &str,
        clock: &impl Clock,
        check: &dyn Fn(&Actual) -> Option<String>,
    ) -> Result<(), Error> {
        let mut attempt = 0;
        loop {
            let actual = self.read(source_name, target_name).await?;
            let Some(diff) = check(&actual) else {
                return Ok(());
            };
            attempt += 1;
            if attempt >= VERIFY_ATTEMPTS {
                return Err(Error::Aws(format!(
                    "read back after the changes, IAM does not hold what was asked ({diff}); re-run bootstrap"
                )));
            }
            clock.sleep(backoff(attempt - 1)).await;
        }
    }

    /// Applies the changes in order; `progress` gets one line per change and per retry.
    pub async fn execute(
        &self,
        changes: &[Change],
        clock: &impl Clock,
        progress: &mut dyn FnMut(&str),
    ) -> Result<(), Error> {
        for change in changes {
            progress(&change.describe());
            self.apply_one(change, clock, progress).await?;
        }
        Ok(())
    }

    async fn apply_one(
        &self,
        change: &Change,
        clock: &impl Clock,
        progress: &mut dyn FnMut(&str),
    ) -> Result<(), Error> {
        let (iam, profile) = self.side(change.side());
        let start = clock.elapsed();
        let mut attempt = 0;
        loop {
            let f = match iam.apply(change).await {
                Ok(()) => return Ok(()),
                Err(f) => f,
            };
            if is_removal(change) && f.code == "NoSuchEntity" {
                // Already gone (another run, or a person, removed it): the goal holds.
                return Ok(());
            }
            if !is_propagation_delay(&f) {
                return Err(describe(change.side(), profile, &change.describe(), &f));
            }
            let waited = clock.elapsed().saturating_sub(start);
            let delay = backoff(attempt);
            attempt += 1;
            if attempt >= MAX_ATTEMPTS || waited + delay > PROPAGATION_BUDGET {
                return Err(Error::Aws(format!(
                    "{}: IAM still rejects the principal after {}s (MalformedPolicyDocument: {}); role B may have been deleted meanwhile, or IAM is slow: re-run bootstrap in a few minutes",
                    change.describe(),
                    waited.as_secs(),
                    f.message
                )));
            }
            progress(&format!(
                "IAM does not know role B yet (it propagates for a while after creation); retrying in {}s",
                delay.as_secs()
            ));
            clock.sleep(delay).await;
        }
    }
}

fn is_removal(c: &Change) -> bool {
    matches!(
        c,
        Change::DetachPolicy { .. }
            | Change::DeleteInline { .. }
            | Change::RemoveFromInstanceProfile { .. }
            | Change::DeleteInstanceProfile { .. }
            | Change::DeleteRole { .. }
    )
}

#[cfg(test)]
mod tests;
