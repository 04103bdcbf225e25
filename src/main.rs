//! The `xacct` binary: parse, dispatch, print the error, exit. Nothing else.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = xacct::cli::Cli::parse();
    match xacct::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xacct: error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
