//! The error type every command returns, and its exit code.
//!
//! Messages are one lowercase line that names the thing and the fix. They never contain a
//! secret: AWS error messages are passed through only from STS/IAM error metadata, which
//! holds ARNs and reasons, never keys.

/// Exit code for usage and configuration errors (as clap uses for bad flags).
pub const EXIT_USAGE: i32 = 2;
/// Exit code for AWS and runtime failures.
pub const EXIT_FAILURE: i32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A flag or value is wrong: fix the command line.
    #[error("{0}")]
    Usage(String),
    /// The AWS config file or environment is wrong: fix the profile.
    #[error("{0}")]
    Config(String),
    /// AWS answered with an error, or could not be reached.
    #[error("{0}")]
    Aws(String),
    /// Anything else that went wrong at run time (keyring, files, child processes).
    #[error("{0}")]
    Runtime(String),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::Config(_) => EXIT_USAGE,
            Error::Aws(_) | Error::Runtime(_) => EXIT_FAILURE,
        }
    }
}
