//! One module per subcommand: each takes its parsed arguments, validates, and runs.

pub mod bootstrap;
pub mod credential_process;
