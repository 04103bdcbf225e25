//! One module per subcommand: each takes its parsed arguments, validates, and runs.

pub mod credential_process;
pub mod exec;
