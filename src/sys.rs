//! Reads the process environment into the snapshot the pure modules take.

use crate::settings::EnvSnapshot;

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

pub fn env_snapshot() -> EnvSnapshot {
    EnvSnapshot {
        user: var("USER")
            .or_else(|| var("LOGNAME"))
            .or_else(|| var("USERNAME"))
            .or_else(user_from_uid),
        host: gethostname::gethostname().into_string().ok(),
        aws_region: var("AWS_REGION"),
        aws_default_region: var("AWS_DEFAULT_REGION"),
        endpoint_url: var("AWS_ENDPOINT_URL"),
        endpoint_url_sts: var("AWS_ENDPOINT_URL_STS"),
        aws_profile: var("AWS_PROFILE"),
        aws_access_key_id: var("AWS_ACCESS_KEY_ID"),
        aws_config_file: var("AWS_CONFIG_FILE"),
        aws_shared_credentials_file: var("AWS_SHARED_CREDENTIALS_FILE"),
    }
}

/// Cron and systemd units may run without USER/LOGNAME: name the session after the
/// account that owns this process, from /etc/passwd, else its uid.
#[cfg(unix)]
fn user_from_uid() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let name = passwd.lines().find_map(|line| {
        let mut f = line.split(':');
        let (name, _, id) = (f.next()?, f.next()?, f.next()?);
        (id.parse::<u32>().ok()? == uid).then(|| name.to_string())
    });
    Some(name.unwrap_or_else(|| format!("uid{uid}")))
}

#[cfg(not(unix))]
fn user_from_uid() -> Option<String> {
    None
}
