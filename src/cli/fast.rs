//! The first-stage parse of the hot path, `xacct credential-process`: AWS clients run it
//! on every call, and building clap's whole command tree (every subcommand and its long
//! help) cost about a third of a cache hit's instructions (issue 15).
//!
//! It accepts only the plain forms: the known long options as `--name value` or
//! `--name=value` (a non-empty value that does not start with `-`), the flags, and `-v`
//! / `-q`. Anything else (help, `--version`, a repeated option, `--`, a short cluster, an
//! unknown word, a value that is empty or not UTF-8, an environment value it does not
//! know) returns `None`, and clap parses the command line as before: so help, errors and
//! completions are clap's, byte for byte. What it accepts it must parse exactly as clap
//! does; `tests` compares both on a table of command lines.

use super::{Cli, Command, CredentialProcessArgs, RoleArgs, StoreKind};
use std::ffi::{OsStr, OsString};

/// The subcommand this parser knows.
const SUBCOMMAND: &str = "credential-process";

/// The global options and `RoleArgs`' long options that take a value, and the
/// environment variable clap reads for the ones that have one.
const VALUE_OPTIONS: &[(&str, Option<&str>)] = &[
    ("keyring", Some("XACCT_KEYRING")),
    ("profile", None),
    ("role-arn", None),
    ("source-profile", None),
    ("external-id", None),
    ("session-name", None),
    ("duration", None),
    ("region", None),
    ("refresh-margin", None),
    ("min-validity", Some("XACCT_MIN_VALIDITY")),
    ("mfa-serial", None),
    ("mfa-session-duration", None),
    ("token-code", None),
    ("source-identity", None),
    ("tag", None),
];

/// The flags (no value): the globals, then `RoleArgs`'.
const FLAGS: &[&str] = &["verbose", "quiet", "no-cache"];

/// Parses `args` (the program name first) when it is a plain `credential-process` command
/// line, with `env` as the process environment; `None` hands it to clap.
pub fn parse(
    args: impl IntoIterator<Item = OsString>,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Option<Cli> {
    let mut args = args.into_iter().skip(1);
    let mut p = Parsed::default();
    let mut seen_subcommand = false;
    while let Some(arg) = args.next() {
        let arg = arg.into_string().ok()?;
        let Some(long) = arg.strip_prefix("--") else {
            match arg.as_str() {
                "-v" => p.count_verbose(seen_subcommand)?,
                "-q" => p.flag("quiet")?,
                SUBCOMMAND if !seen_subcommand => seen_subcommand = true,
                _ => return None,
            }
            continue;
        };
        let (name, inline) = match long.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (long, None),
        };
        if FLAGS.contains(&name) {
            // `--no-cache` belongs to the subcommand, like every role option.
            if inline.is_some() || (name == "no-cache" && !seen_subcommand) {
                return None;
            }
            match name {
                "verbose" => p.count_verbose(seen_subcommand)?,
                other => p.flag(other)?,
            }
            continue;
        }
        // Role options belong to the subcommand; only the globals may come before it.
        if !VALUE_OPTIONS.iter().any(|(n, _)| *n == name) || (!seen_subcommand && name != "keyring")
        {
            return None;
        }
        let value = match inline {
            Some(v) => v,
            None => args.next()?.into_string().ok()?,
        };
        if value.is_empty() || value.starts_with('-') {
            return None;
        }
        p.value(name, value)?;
    }
    let verbose = match p.verbose {
        // clap keeps the count of one level only when `-v` is on both sides of the
        // subcommand: such a line is clap's to parse.
        (before, after) if before > 0 && after > 0 => return None,
        (before, after) => before + after,
    };
    if !seen_subcommand || (verbose > 0 && p.flags.contains(&"quiet")) {
        return None;
    }
    p.finish(verbose, env)
}

#[derive(Default)]
struct Parsed {
    /// `-v` before and after the subcommand.
    verbose: (u8, u8),
    flags: Vec<&'static str>,
    values: Vec<(&'static str, String)>,
}

impl Parsed {
    fn count_verbose(&mut self, after_subcommand: bool) -> Option<()> {
        let n = match after_subcommand {
            false => &mut self.verbose.0,
            true => &mut self.verbose.1,
        };
        *n = n.checked_add(1)?;
        Some(())
    }

    /// A flag clap allows once.
    fn flag(&mut self, name: &str) -> Option<()> {
        let name = *FLAGS.iter().find(|f| **f == name)?;
        if self.flags.contains(&name) {
            return None;
        }
        self.flags.push(name);
        Some(())
    }

    /// An option value; only `--tag` may repeat.
    fn value(&mut self, name: &str, value: String) -> Option<()> {
        let name = VALUE_OPTIONS.iter().find(|(n, _)| *n == name)?.0;
        if name != "tag" && self.values.iter().any(|(n, _)| *n == name) {
            return None;
        }
        self.values.push((name, value));
        Some(())
    }

    /// The value of `name`: the command line's, else its environment variable's.
    fn one(&self, name: &str, env: &dyn Fn(&str) -> Option<OsString>) -> Option<Option<String>> {
        if let Some((_, v)) = self.values.iter().find(|(n, _)| *n == name) {
            return Some(Some(v.clone()));
        }
        let var = VALUE_OPTIONS.iter().find(|(n, _)| *n == name)?.1;
        match var.and_then(env) {
            None => Some(None),
            // clap takes an empty or odd variable as given; leave those to it.
            Some(v) => {
                let v = v.into_string().ok()?;
                (!v.is_empty() && !v.starts_with('-')).then_some(Some(v))
            }
        }
    }

    fn finish(self, verbose: u8, env: &dyn Fn(&str) -> Option<OsString>) -> Option<Cli> {
        // `--keyring` is global: clap reads XACCT_KEYRING for the level of the command line
        // that lacks the flag, even when the other level has it, so a flag and the variable
        // together are clap's to parse.
        let keyring_flag = self.values.iter().any(|(n, _)| *n == "keyring");
        if keyring_flag && env("XACCT_KEYRING").is_some() {
            return None;
        }
        let one = |name| self.one(name, env);
        let keyring = match one("keyring")? {
            None => StoreKind::Auto,
            Some(v) => store_kind(&v)?,
        };
        let role = RoleArgs {
            profile: one("profile")?,
            role_arn: one("role-arn")?,
            source_profile: one("source-profile")?,
            external_id: one("external-id")?,
            session_name: one("session-name")?,
            duration: one("duration")?,
            region: one("region")?,
            refresh_margin: one("refresh-margin")?,
            min_validity: one("min-validity")?,
            no_cache: self.flags.contains(&"no-cache"),
            mfa_serial: one("mfa-serial")?,
            mfa_session_duration: one("mfa-session-duration")?,
            token_code: one("token-code")?.map(crate::creds::Secret::new),
            source_identity: one("source-identity")?,
            tags: self
                .values
                .iter()
                .filter(|(n, _)| *n == "tag")
                .map(|(_, v)| v.clone())
                .collect(),
        };
        Some(Cli {
            command: Command::CredentialProcess(CredentialProcessArgs { role }),
            keyring,
            verbose,
            quiet: self.flags.contains(&"quiet"),
        })
    }
}

/// `--keyring`'s value as clap's value enum parses it (exact names of this platform's
/// stores); anything else goes to clap for its error.
fn store_kind(v: &str) -> Option<StoreKind> {
    use clap::ValueEnum;
    StoreKind::value_variants()
        .iter()
        .copied()
        .find(|k| k.to_possible_value().is_some_and(|p| p.matches(v, false)))
}

/// The real environment, for `parse`.
pub fn env(name: &str) -> Option<OsString> {
    std::env::var_os(OsStr::new(name))
}

#[cfg(test)]
mod tests;
