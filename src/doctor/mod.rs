//! `xacct doctor`: every link of the chain from this host to the role, checked in order,
//! each judged `ok`, `warn`, `fail` or `skip` with the fix.
//!
//! The checks gather their facts through the same adapters the other commands use; the
//! judging and the two output forms are pure and table-tested. Nothing secret ever enters
//! a `Finding`: no key, token or external id value.
//!
//! - `config`: judges the resolved settings (no network);
//! - `remote`: the `Remote` trait and `gather`, which collects the facts for `source`,
//!   `clock`, `sts` and `assume` (adapter: `aws::probe`); `policy` reads a source role's
//!   inline policies for the assume hint;
//! - `local`: the keyring, lock dir and cache checks.

pub mod assume;
pub mod clock;
pub mod config;
mod finding;
pub mod local;
pub mod policy;
pub mod remote;
pub mod source;
pub mod sts;

pub use finding::{Finding, Status, exit_code, render_json, render_text};

/// The findings of the checks that need AWS, in the order.
pub fn judge_remote(
    s: &crate::settings::Settings,
    facts: &remote::Facts,
    origin: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Finding> {
    let region = match &facts.source {
        remote::SourceFact::Loaded(l) => l.region.clone(),
        _ => s.region.clone(),
    };
    let mut out = source::judge(s, facts, now);
    out.push(clock::judge(&facts.call));
    out.push(sts::judge(s, &facts.call, origin, &region));
    out.extend(assume::judge(s, facts));
    out
}

/// What the checks that need settings say when there are none (`why`).
pub fn skipped_remote(why: &str) -> Vec<Finding> {
    ["source", "clock", "sts", "assume"]
        .into_iter()
        .map(|c| Finding::skip(c, why))
        .collect()
}

/// `xacct doctor` with no role at all checks this host only.
pub fn no_role() -> Vec<Finding> {
    let mut out = vec![Finding::skip(
        "config",
        "no role given: pass --profile NAME (a profile with role_arn) or --role-arn ARN to check the way to it",
    )];
    out.extend(skipped_remote("no role given"));
    out
}
