//! `xacct doctor`: checks every link from this host to the role and names the fix.
//! The report goes to stdout (text, or JSON with --json); exit 1 when a check fails.
//!
//! A bad flag is bad input as for every command (one line, exit 2, no network); a
//! problem in the profile files or the environment (`Error::Config`) is what doctor is
//! for: the `config` check fails naming it, and the checks that need the settings skip.

use crate::aws::probe::SdkRemote;
use crate::cli::{DoctorArgs, StoreKind};
use crate::doctor::{self, Finding};
use crate::error::Error;
use crate::settings::{self, Profiles};
use std::process::ExitCode;

pub fn run(args: &DoctorArgs, kind: StoreKind) -> Result<ExitCode, Error> {
    // Without any role the host's own checks still run (keyring, lock dir).
    if args.role.profile.is_none() && args.role.role_arn.is_none() {
        // The other flags are still input to check: resolved with a placeholder role
        // (never called), a bad one is exit 2 as for every command.
        let placeholder = crate::cli::RoleArgs {
            role_arn: Some("arn:aws:iam::000000000000:role/xacct-doctor-placeholder".into()),
            ..args.role.clone()
        };
        let env = crate::sys::env_snapshot();
        if let Err(Error::Usage(m)) = settings::resolve(&placeholder, &Profiles::default(), &env) {
            return Err(Error::Usage(m));
        }
        let mut findings = doctor::no_role();
        findings.extend(doctor::local::checks(None, kind));
        return report(args, &findings);
    }
    let env = crate::sys::env_snapshot();
    let (profiles, resolved) = match crate::aws::profile::load() {
        Ok(p) => {
            let r = settings::resolve(&args.role, &p, &env);
            (p, r)
        }
        Err(e) => (Profiles::default(), Err(e)),
    };
    let resolved = match resolved {
        Err(Error::Usage(m)) => return Err(Error::Usage(m)),
        r => r,
    };
    let boto_config = std::env::var_os("BOTO_CONFIG").is_some_and(|v| !v.is_empty());
    let mut findings: Vec<Finding> =
        doctor::config::judge(&args.role, &profiles, &env, &resolved, boto_config);
    match &resolved {
        Ok(s) => {
            let facts = crate::rt::block_on(async {
                let mut remote = SdkRemote::new(s);
                doctor::remote::gather(&mut remote, s).await
            })?;
            let origin = doctor::sts::endpoint_origin(&env, s);
            findings.extend(doctor::judge_remote(
                s,
                &facts,
                origin.as_deref(),
                chrono::Utc::now(),
            ));
        }
        Err(_) => findings.extend(doctor::skipped_remote(
            "needs the settings, and the config check failed",
        )),
    }
    let settings = resolved.ok();
    findings.extend(doctor::local::checks(settings.as_ref(), kind));
    report(args, &findings)
}

fn report(args: &DoctorArgs, findings: &[Finding]) -> Result<ExitCode, Error> {
    let text = if args.json {
        doctor::render_json(findings)
    } else {
        doctor::render_text(findings)
    };
    crate::ui::stdout(&text)?;
    Ok(ExitCode::from(doctor::exit_code(findings)))
}
