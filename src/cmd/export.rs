//! `xacct export`: the role's credentials in a format for another tool. stdout gets only
//! the document; a terminal on stdout still gets it, with a warning on stderr.

use crate::cli::{ExportArgs, ExportFormat};
use crate::error::Error;
use crate::store::StoreKind;
use crate::{output, provider};
use std::io::{IsTerminal, Write};

pub fn run(args: &ExportArgs, keyring: Option<&str>) -> Result<(), Error> {
    let kind = StoreKind::parse(keyring)?;
    let settings = crate::resolve_settings(&args.role)?;
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
    let mut out = std::io::stdout().lock();
    if out.is_terminal() {
        crate::ui::warn(
            "printing secret credentials to a terminal; redirect stdout to a file or use eval \"$(xacct export --format export-env ...)\"",
        );
    }
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::Runtime(format!("cannot write the credentials to stdout: {e}")))
}
