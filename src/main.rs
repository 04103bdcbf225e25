//! The `xacct` binary: parse, dispatch, print the error, return the exit code. Nothing else.

use clap::Parser;
use std::process::ExitCode;
use xacct::error::Error;

fn main() -> ExitCode {
    let cli = match xacct::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => match Error::from_clap(&e) {
            Some(err) => return err.report(),
            None => e.exit(),
        },
    };
    xacct::run(&cli).unwrap_or_else(|e| e.report())
}
