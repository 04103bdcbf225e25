//! The error type every command returns, and its exit code.
//!
//! Messages are one lowercase line that names the thing and the fix. They never contain a
//! secret: AWS error messages are passed through only from STS/IAM error metadata, which
//! holds ARNs and reasons, never keys.

use std::process::ExitCode;

/// Exit code for usage and configuration errors (as clap uses for bad flags).
pub const EXIT_USAGE: u8 = 2;
/// Exit code for AWS and runtime failures.
pub const EXIT_FAILURE: u8 = 1;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A flag or value is wrong: fix the command line.
    #[error("{0}")]
    Usage(String),
    /// The AWS config file or environment is wrong: fix the profile it names, if any.
    #[error("{}{message}", profile.as_deref().map(|p| format!("profile {p:?}: ")).unwrap_or_default())]
    Config {
        profile: Option<String>,
        message: String,
    },
    /// AWS answered with an error, or could not be reached.
    #[error("{0}")]
    Aws(String),
    /// Anything else that went wrong at run time (keyring, files, child processes).
    #[error("{0}")]
    Runtime(String),
}

impl Error {
    /// A configuration error that no single profile is to blame for.
    pub fn config(message: impl Into<String>) -> Error {
        Error::Config {
            profile: None,
            message: message.into(),
        }
    }

    /// A configuration error in profile `profile` (its name is cut to 64 characters).
    pub fn in_profile(profile: &str, message: impl Into<String>) -> Error {
        Error::Config {
            profile: Some(crate::arn::truncate(profile, 64)),
            message: message.into(),
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) | Error::Config { .. } => EXIT_USAGE,
            Error::Aws(_) | Error::Runtime(_) => EXIT_FAILURE,
        }
    }

    /// Prints the error as xacct's one line on stderr and gives the exit code.
    pub fn report(&self) -> ExitCode {
        eprintln!("xacct: error: {self}");
        ExitCode::from(self.exit_code())
    }

    /// A command-line error from clap as one line (clap's own text spans several lines
    /// and echoes values raw). `None` for `--help` and `--version`, which clap prints.
    pub fn from_clap(e: &clap::Error) -> Option<Error> {
        use clap::error::{ContextKind, ContextValue, ErrorKind};
        if !e.use_stderr() || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            return None;
        }
        let ctx = |k: ContextKind| match e.get(k) {
            Some(ContextValue::String(s)) => Some(s.clone()),
            Some(ContextValue::Strings(v)) => Some(v.join(", ")),
            _ => None,
        };
        let shown = |v: &str| format!("{:?}", crate::arn::truncate(v, 80));
        let arg = ctx(ContextKind::InvalidArg).unwrap_or_default();
        let value = ctx(ContextKind::InvalidValue).unwrap_or_default();
        let valid = ctx(ContextKind::ValidValue).filter(|v| !v.is_empty());
        let message = match (e.kind(), valid) {
            (ErrorKind::InvalidValue, Some(valid)) => {
                format!("{arg}: {} is not one of {valid}", shown(&value))
            }
            (ErrorKind::InvalidValue, None) if value.is_empty() => {
                format!("{arg} needs a value; see xacct --help")
            }
            (ErrorKind::UnknownArgument, _) => format!(
                "unknown option {}; see xacct --help for the options",
                shown(&arg)
            ),
            (ErrorKind::MissingRequiredArgument, _) => {
                format!("missing {arg}; see xacct --help")
            }
            _ => {
                // Clap's first line, without its "error: " prefix and any raw control text.
                let text = e.render().to_string();
                let first = text.lines().next().unwrap_or_default();
                let first = first.strip_prefix("error: ").unwrap_or(first);
                first.chars().filter(|c| !c.is_control()).collect()
            }
        };
        Some(Error::Usage(message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, StoreKind};
    use clap::Parser;

    #[test]
    fn command_line_errors_are_one_line_naming_the_fix() {
        // (argv, text the one line must contain)
        let table: [(&[&str], &str); 6] = [
            (
                &["xacct", "--keyring", "gnome", "cache", "list"],
                "--keyring <STORE>: \"gnome\" is not one of auto, secret-service, keyutils",
            ),
            (
                &["xacct", "--keyring", "\u{1b}[2J", "cache", "list"],
                "\"\\u{1b}[2J\" is not one of",
            ),
            (&["xacct", "exec", "--bogus"], "unknown option \"--bogus\""),
            (&["xacct", "bootstrap"], "missing --source-profile <NAME>"),
            (
                &["xacct", "credential-process", "--profile"],
                "--profile <NAME> needs a value",
            ),
            (&["xacct", "nope"], "nope"),
        ];
        for (argv, want) in table {
            let e = Cli::try_parse_from(argv).unwrap_err();
            let err = Error::from_clap(&e).expect("an error, not help");
            let msg = err.to_string();
            assert_eq!(err.exit_code(), EXIT_USAGE, "{argv:?}");
            assert!(msg.contains(want), "{argv:?}: {msg}");
            assert!(!msg.chars().any(char::is_control), "{argv:?}: {msg:?}");
        }
        for argv in [&["xacct", "--help"][..], &["xacct", "--version"]] {
            let e = Cli::try_parse_from(argv).unwrap_err();
            assert!(
                Error::from_clap(&e).is_none(),
                "{argv:?} is clap's to print"
            );
        }
    }

    #[test]
    fn an_empty_keyring_choice_is_the_default() {
        let cli = Cli::try_parse_from(["xacct", "--keyring", "", "cache", "list"]).unwrap();
        assert_eq!(cli.keyring, StoreKind::Auto);
        let cli = Cli::try_parse_from(["xacct", "cache", "list"]).unwrap();
        assert_eq!(cli.keyring, StoreKind::Auto);
    }

    #[test]
    fn config_errors_name_their_profile() {
        assert_eq!(
            Error::in_profile("p", "it has no role_arn").to_string(),
            "profile \"p\": it has no role_arn"
        );
        assert_eq!(Error::config("plain").to_string(), "plain");
        assert_eq!(Error::config("x").exit_code(), EXIT_USAGE);
    }
}
