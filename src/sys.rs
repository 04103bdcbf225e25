//! Reads the process environment into the snapshot the pure modules take.

use crate::settings::EnvSnapshot;

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

pub fn env_snapshot() -> EnvSnapshot {
    EnvSnapshot {
        user: var("USER")
            .or_else(|| var("LOGNAME"))
            .or_else(|| var("USERNAME")),
        host: gethostname::gethostname().into_string().ok(),
        aws_region: var("AWS_REGION"),
        aws_default_region: var("AWS_DEFAULT_REGION"),
        endpoint_url: var("AWS_ENDPOINT_URL"),
        endpoint_url_sts: var("AWS_ENDPOINT_URL_STS"),
        aws_profile: var("AWS_PROFILE"),
        aws_access_key_id: var("AWS_ACCESS_KEY_ID"),
    }
}
