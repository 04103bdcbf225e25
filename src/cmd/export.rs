//! `xacct export`: the role's credentials in a format for another tool. stdout gets only
//! the document; a terminal on stdout still gets it, with a warning on stderr.

use crate::cli::{ExportArgs, ExportFormat, StoreKind};
use crate::error::Error;
use crate::{output, provider, ui};
use std::io::IsTerminal;
use std::process::ExitCode;

pub fn run(args: &ExportArgs, kind: StoreKind) -> Result<ExitCode, Error> {
    let settings = super::resolve_settings(&args.role)?;
    let got = provider::obtain(&settings, kind)?;
    let c = &got.credentials;
    let region = settings.configured_region.as_deref();
    let text = match args.format {
        ExportFormat::Json => format!("{}\n", output::credential_process_json(c)),
        ExportFormat::Env => output::env_lines(c, region),
        ExportFormat::ExportEnv => output::export_env_lines(c, region),
        ExportFormat::Powershell => output::powershell_lines(c, region),
        ExportFormat::Ini => {
            // A credentials-file section named after the profile, else the role.
            let section = settings.profile.as_deref().unwrap_or(settings.role.name());
            output::ini_block(c, section, region)
        }
    };
    if std::io::stdout().is_terminal() {
        ui::warn(
            "printing secret credentials to a terminal; redirect stdout to a file or use eval \"$(xacct export --format export-env ...)\"",
        );
    }
    ui::stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}
