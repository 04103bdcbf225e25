//! `xacct bootstrap`: validate (no network), look up both accounts, read both roles, plan,
//! then print the plan (`--dry-run`) or apply it, read everything back to verify, and print
//! the config snippet on stdout. `--emit` writes the same pair as code instead (`emit`).
//! Progress and the summary go to stderr.

mod emit;

use crate::aws::iam::SdkIam;
use crate::bootstrap::apply::{Accounts, RealClock, describe};
use crate::bootstrap::external_id::{self, Choice};
use crate::bootstrap::iam::{Caller, Iam};
use crate::bootstrap::plan::{self, Change, Desired, Side};
use crate::bootstrap::policy;
use crate::bootstrap::preflight::{self, Outcome};
use crate::bootstrap::{self, Request, snippet};
use crate::cli::BootstrapArgs;
use crate::error::Error;
use crate::settings::{DEFAULT_STS_REGION, Profiles};
use crate::ui::progress;
use std::collections::BTreeMap;
use std::process::ExitCode;

pub fn run(args: &BootstrapArgs) -> Result<ExitCode, Error> {
    let req = bootstrap::validate(args, &|p| std::fs::read_to_string(p))?;
    let profiles = crate::aws::profile::load()?;
    for (flag, name) in [
        ("--source-profile", &req.source_profile),
        ("--target-profile", &req.target_profile),
    ] {
        if !profiles.profiles.contains_key(name.as_str()) {
            return Err(Error::config(format!(
                "{flag} {name:?}: no such profile in {} or the credentials file; check the name or set AWS_CONFIG_FILE",
                profiles.config_file
            )));
        }
    }
    let regions = (
        region_of(&profiles, &req.source_profile),
        region_of(&profiles, &req.target_profile),
    );
    crate::rt::block_on(run_async(&req, &regions.0, &regions.1))??;
    Ok(ExitCode::SUCCESS)
}

/// The region for a profile's STS calls, as the SDKs pick it (IAM itself is global).
fn region_of(profiles: &Profiles, name: &str) -> String {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    env("AWS_REGION")
        .or_else(|| {
            profiles
                .profiles
                .get(name)
                .and_then(|p| p.get("region"))
                .cloned()
        })
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|| DEFAULT_STS_REGION.into())
}

async fn run_async(req: &Request, region_b: &str, region_a: &str) -> Result<(), Error> {
    let src = SdkIam::new(&req.source_profile, region_b).await;
    let tgt = SdkIam::new(&req.target_profile, region_a).await;
    const LOOKUP: &str = "looking up the account (sts:GetCallerIdentity)";
    let b = src
        .caller()
        .await
        .map_err(|f| describe(Side::Source, &req.source_profile, LOOKUP, &f))?;
    let a = tgt
        .caller()
        .await
        .map_err(|f| describe(Side::Target, &req.target_profile, LOOKUP, &f))?;
    check_accounts(req, &b, &a)?;
    progress(&format!(
        "account B (source) {} as {}; account A (target) {} as {}",
        b.account, b.arn, a.account, a.arn
    ));
    if let Some((format, dir)) = &req.emit {
        let regions = (region_b, region_a);
        return emit::run(req, &tgt, (&b, &a), *format, dir, regions).await;
    }

    let acc = Accounts {
        source: &src,
        source_profile: &req.source_profile,
        target: &tgt,
        target_profile: &req.target_profile,
    };
    let actual = acc.read(&req.source_role, &req.target_role).await?;
    let known = existing_arns(&actual, req);
    if req.delete {
        let changes = plan::plan_delete(&req.source_role, &req.target_role, &actual, req.adopt)
            .map_err(Error::Usage)?;
        if req.dry_run {
            return print_plan(None, &changes);
        }
        if changes.is_empty() {
            progress("nothing to delete: neither role nor the instance profile exists");
            return Ok(());
        }
        check_permissions((&src, &b), (&tgt, &a), req, &changes, &known).await?;
        let clock = RealClock::start();
        acc.execute(&changes, &clock, &mut progress).await?;
        let gone = |after: &plan::Actual| {
            (after != &plan::Actual::default()).then(|| "part of the pair still exists".to_string())
        };
        acc.verify(&req.source_role, &req.target_role, &clock, &gone)
            .await?;
        progress(&format!("deleted the pair ({} changes)", changes.len()));
        return Ok(());
    }

    let current = actual
        .target
        .as_ref()
        .and_then(|t| policy::external_id(&t.trust));
    let choice = external_id::choose(&req.external_id, current, bootstrap::random_external_id)?;
    let partition = b.partition().to_string();
    // A role that exists is named by the ARN IAM returns: it may sit at a path.
    let (b_new, a_new) = bootstrap::role_arns(req, &partition, &b.account, &a.account);
    let arn_of = |r: &Option<plan::RoleState>, new: String| {
        r.as_ref()
            .map(|r| r.arn.clone())
            .filter(|arn| !arn.is_empty())
            .unwrap_or(new)
    };
    let (b_arn, a_arn) = (arn_of(&actual.source, b_new), arn_of(&actual.target, a_new));
    let desired = bootstrap::desired(req, &partition, &b.account, (&b_arn, &a_arn), choice.id());
    let changes = plan::plan_apply(&desired, &actual, req.adopt).map_err(Error::Usage)?;
    if req.dry_run {
        if choice.weakens() {
            crate::ui::warn(&choice.describe());
        }
        return print_plan(Some(&choice), &changes);
    }
    report_external_id(&choice);
    if changes.is_empty() {
        progress("no changes: both roles already match the arguments");
    } else {
        check_permissions((&src, &b), (&tgt, &a), req, &changes, &known).await?;
        let clock = RealClock::start();
        acc.execute(&changes, &clock, &mut progress).await?;
        // Read everything back: what IAM holds must now match exactly.
        let left = |after: &plan::Actual| match plan::plan_apply(&desired, after, true) {
            Ok(left) => left
                .first()
                .map(|c| format!("{} changes left, first: {}", left.len(), c.describe())),
            Err(e) => Some(e),
        };
        acc.verify(&req.source_role, &req.target_role, &clock, &left)
            .await?;
        progress(&format!(
            "applied {} changes and verified them by reading both roles back",
            changes.len()
        ));
    }
    print_config(req, &desired, choice.id(), region_a)
}

/// The roles that exist, by name, with the ARN IAM returns for each.
fn existing_arns(actual: &plan::Actual, req: &Request) -> BTreeMap<String, String> {
    [
        (&req.source_role, &actual.source),
        (&req.target_role, &actual.target),
    ]
    .into_iter()
    .filter_map(|(name, r)| r.as_ref().map(|r| (name.clone(), r.arn.clone())))
    .filter(|(_, arn)| !arn.is_empty())
    .collect()
}

/// The external id line: a warning when the trust gets weaker, else progress.
fn report_external_id(choice: &Choice) {
    if choice.weakens() {
        crate::ui::warn(&choice.describe());
    } else {
        progress(&choice.describe());
    }
}

/// The config snippet on stdout (and in the config file with `--write-config`).
fn print_config(
    req: &Request,
    d: &Desired,
    external_id: Option<&str>,
    region_a: &str,
) -> Result<(), Error> {
    let xacct = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "xacct".into());
    let sections = snippet::sections(&snippet::Input {
        profile_name: &req.profile_name,
        trustees: &req.trustees,
        source_profile: &req.source_profile,
        role_b_arn: &d.source_arn,
        role_a_arn: &d.target_arn,
        external_id,
        region: region_a,
        xacct: &xacct,
    });
    if req.write_config {
        write_config(&sections)?;
    }
    stdout(snippet::render(&sections).trim_end())
}

/// Asks the policy simulator whether each profile may make its account's changes.
async fn check_permissions(
    (src, b): (&SdkIam, &Caller),
    (tgt, a): (&SdkIam, &Caller),
    req: &Request,
    changes: &[Change],
    known: &BTreeMap<String, String>,
) -> Result<(), Error> {
    let sides = [
        (Side::Source, src, b, &req.source_profile),
        (Side::Target, tgt, a, &req.target_profile),
    ];
    for (side, iam, caller, profile) in sides {
        if !changes.iter().any(|c| c.side() == side) {
            continue;
        }
        let flag = match side {
            Side::Source => "--source-profile",
            Side::Target => "--target-profile",
        };
        match preflight::check(iam, caller, caller.partition(), side, changes, known).await {
            Outcome::Allowed => {}
            Outcome::Skipped(why) => progress(&format!(
                "permission pre-check for {flag} skipped: the policy simulator cannot answer ({why})"
            )),
            Outcome::Denied(denied) => return Err(preflight::denied_error(side, profile, &denied)),
        }
    }
    Ok(())
}

/// Both roles must be distinct, and both accounts known.
fn check_accounts(req: &Request, b: &Caller, a: &Caller) -> Result<(), Error> {
    for (flag, c) in [("--source-profile", b), ("--target-profile", a)] {
        if crate::arn::check_account_id(&c.account).is_err() {
            return Err(Error::Aws(format!(
                "GetCallerIdentity for {flag} returned no account id ({:?})",
                c.account
            )));
        }
    }
    if b.account == a.account && req.source_role == req.target_role {
        return Err(Error::Usage(format!(
            "the source and target role would both be role {} in account {}; pass a different --source-role or --target-role",
            req.source_role, b.account
        )));
    }
    Ok(())
}

/// `--dry-run`: the plan on stdout, what happens to the external id, each change with
/// the document it would write.
fn print_plan(external_id: Option<&Choice>, changes: &[Change]) -> Result<(), Error> {
    let mut text = String::new();
    if changes.is_empty() {
        text.push_str("no changes: IAM already matches the arguments\n");
    } else {
        text.push_str(&format!(
            "plan: {} changes, in order (dry run: nothing was changed)\n",
            changes.len()
        ));
    }
    if let Some(choice) = external_id {
        text.push_str(&format!("{}\n", choice.describe()));
    }
    for (i, c) in changes.iter().enumerate() {
        let account = match c.side() {
            Side::Source => "account B",
            Side::Target => "account A",
        };
        text.push_str(&format!("{}. [{account}] {}\n", i + 1, c.describe()));
        if let Some(doc) = c.document() {
            let pretty = serde_json::to_string_pretty(doc).unwrap_or_default();
            for line in pretty.lines() {
                text.push_str(&format!("     {line}\n"));
            }
        }
    }
    stdout(text.trim_end())
}

fn stdout(text: &str) -> Result<(), Error> {
    crate::ui::stdout(&format!("{text}\n"))
}

/// Adds or replaces the profiles in the AWS config file, keeping everything else; see
/// `files::replace` for how the file is written (symlinks, mode, temporary file).
fn write_config(sections: &[snippet::Section]) -> Result<(), Error> {
    let path = crate::aws::profile::config_file_path();
    let fail = |what: &str, e: std::io::Error| {
        Error::Runtime(format!(
            "cannot {what} {}: {e}; fix it or drop --write-config",
            path.display()
        ))
    };
    let old = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(fail("read", e)),
    };
    let new = snippet::upsert(&old, sections);
    let names: Vec<&str> = sections.iter().map(|s| s.name.as_str()).collect();
    if new == old {
        progress(&format!(
            "{} already has profiles {}",
            path.display(),
            names.join(", ")
        ));
        return Ok(());
    }
    // A new config file is private: it may hold keys later.
    let written =
        crate::files::replace(&path, new.as_bytes(), 0o600).map_err(|e| fail("write", e))?;
    let shown = if written == path {
        path.display().to_string()
    } else {
        format!(
            "{} (through the link {})",
            written.display(),
            path.display()
        )
    };
    progress(&format!("wrote profiles {} to {shown}", names.join(", ")));
    Ok(())
}
