//! Loads the AWS config and credentials files with aws-config's own parser (so `[profile
//! x]`, `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE` and `~` behave as in every SDK)
//! into the plain `Profiles` map that `settings` works on.

use super::failure::one_line;
use crate::error::Error;
use crate::settings::Profiles;
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The profile keys xacct reads. `aws_access_key_id` only marks a profile as having keys;
/// the web identity and SSO keys are read only to warn that `[default]` would shadow the
/// `exec --server` endpoint.
pub const KEYS: &[&str] = &[
    "role_arn",
    "source_profile",
    "credential_source",
    "external_id",
    "role_session_name",
    "duration_seconds",
    "region",
    "endpoint_url",
    "credential_process",
    "aws_access_key_id",
    "mfa_serial",
    "source_identity",
    "session_tags",
    "mfa_session_duration",
    "web_identity_token_file",
    "sso_session",
    "sso_start_url",
    "sso_account_id",
];

/// `AWS_CONFIG_FILE`, else `~/.aws/config`.
pub fn config_file_path() -> PathBuf {
    match std::env::var_os("AWS_CONFIG_FILE") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => dirs::home_dir()
            .unwrap_or_default()
            .join(".aws")
            .join("config"),
    }
}

fn credentials_file_path() -> PathBuf {
    match std::env::var_os("AWS_SHARED_CREDENTIALS_FILE") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => dirs::home_dir()
            .unwrap_or_default()
            .join(".aws")
            .join("credentials"),
    }
}

/// aws-config logs and skips a file it cannot read; an operator would rather be told.
fn check_readable(path: &PathBuf, var: &str) -> Result<(), Error> {
    match std::fs::read(path) {
        Ok(bytes) if std::str::from_utf8(&bytes).is_err() => Err(Error::config(format!(
            "AWS config file {} is not UTF-8 text; fix the file or point {var} elsewhere",
            path.display()
        ))),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::config(format!(
            "cannot read AWS config file {}: {e}; fix its permissions or point {var} elsewhere",
            path.display()
        ))),
    }
}

/// Reads both files. Missing files are empty; unreadable or unparsable ones are errors.
pub fn load() -> Result<Profiles, Error> {
    let config = config_file_path();
    check_readable(&config, "AWS_CONFIG_FILE")?;
    check_readable(&credentials_file_path(), "AWS_SHARED_CREDENTIALS_FILE")?;
    // The loader is async only in signature: it reads the two files and nothing else.
    let set = crate::rt::block_on_without_drivers(aws_config::profile::load(
        &Fs::real(),
        &Env::real(),
        &EnvConfigFiles::default(),
        None,
    ))?
    .map_err(|e| {
        Error::config(format!(
            "cannot parse the AWS config files: {}; fix the file",
            one_line(&e.to_string())
        ))
    })?;
    let mut profiles = BTreeMap::new();
    for name in set.profiles() {
        let Some(p) = set.get_profile(name) else {
            continue;
        };
        let map: BTreeMap<String, String> = KEYS
            .iter()
            .filter_map(|k| p.get(k).map(|v| (k.to_string(), v.to_string())))
            .collect();
        profiles.insert(name.to_string(), map);
    }
    Ok(Profiles {
        profiles,
        config_file: config.display().to_string(),
    })
}
