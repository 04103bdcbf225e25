//! `xacct credential-process`: the AWS `credential_process` helper. stdout gets exactly
//! one JSON document; everything else goes to stderr.

use crate::cli::{CredentialProcessArgs, StoreKind};
use crate::error::Error;
use crate::{output, provider, ui};
use std::process::ExitCode;

pub fn run(args: &CredentialProcessArgs, kind: StoreKind) -> Result<ExitCode, Error> {
    let settings = super::resolve_settings(&args.role)?;
    let got = provider::obtain(&settings, kind)?;
    ui::stdout(&format!(
        "{}\n",
        output::credential_process_json(&got.credentials)
    ))?;
    Ok(ExitCode::SUCCESS)
}
