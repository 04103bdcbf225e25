//! `xacct completions SHELL`: a completion script generated from the clap definitions.

use crate::cli::{Cli, CompletionsArgs};
use crate::error::Error;
use clap::CommandFactory;
use std::process::ExitCode;

pub fn run(args: &CompletionsArgs) -> Result<ExitCode, Error> {
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "xacct", &mut buf);
    // clap_complete writes UTF-8 scripts.
    crate::ui::stdout(&String::from_utf8_lossy(&buf))?;
    Ok(ExitCode::SUCCESS)
}
