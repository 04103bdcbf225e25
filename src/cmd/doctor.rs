//! `xacct doctor`: checks every link from this host to the role and names the fix.
//! The report goes to stdout (text, or JSON with --json); exit 1 when a check fails.

use crate::cli::{DoctorArgs, StoreKind};
use crate::doctor::{self, Finding};
use crate::error::Error;
use std::process::ExitCode;

pub fn run(args: &DoctorArgs, kind: StoreKind) -> Result<ExitCode, Error> {
    let mut findings: Vec<Finding> = Vec::new();
    // SCAFFOLD (issue 11): the config, source, clock, sts and assume checks come here.
    let settings = super::resolve_settings(&args.role).ok();
    findings.extend(doctor::local::checks(settings.as_ref(), kind));
    let text = if args.json {
        doctor::render_json(&findings)
    } else {
        doctor::render_text(&findings)
    };
    crate::ui::stdout(&text)?;
    Ok(ExitCode::from(doctor::exit_code(&findings)))
}
