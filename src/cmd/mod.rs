//! One module per subcommand: each takes its parsed arguments, validates, and runs.

pub mod bootstrap;
pub mod cache;
pub mod completions;
pub mod credential_process;
pub mod exec;
pub mod export;
pub mod whoami;
