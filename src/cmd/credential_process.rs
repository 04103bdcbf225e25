//! `xacct credential-process`: the AWS `credential_process` helper. stdout gets exactly
//! one JSON document; everything else goes to stderr.

use crate::cli::CredentialProcessArgs;
use crate::error::Error;
use crate::store::StoreKind;
use crate::{output, provider};
use std::io::Write;

pub fn run(args: &CredentialProcessArgs, keyring: Option<&str>) -> Result<(), Error> {
    let kind = StoreKind::parse(keyring)?;
    let settings = crate::resolve_settings(&args.role)?;
    let got = provider::obtain(&settings, kind)?;
    let doc = output::credential_process_json(&got.credentials);
    let mut out = std::io::stdout().lock();
    writeln!(out, "{doc}")
        .and_then(|()| out.flush())
        .map_err(|e| Error::Runtime(format!("cannot write the credentials to stdout: {e}")))
}
