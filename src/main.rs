//! The `xacct` binary: parse, dispatch, print the error, return the exit code. Nothing else.

use clap::Parser;
use std::process::ExitCode;
use xacct::error::Error;

fn main() -> ExitCode {
    // The hot path first; clap parses everything the fast path does not take.
    let fast = xacct::cli::fast::parse(std::env::args_os(), &xacct::cli::fast::env);
    let cli = match fast.map_or_else(xacct::cli::Cli::try_parse, Ok) {
        Ok(cli) => cli,
        Err(e) => match Error::from_clap(&e) {
            Some(err) => return err.report(),
            None => e.exit(),
        },
    };
    xacct::run(&cli).unwrap_or_else(|e| e.report())
}
