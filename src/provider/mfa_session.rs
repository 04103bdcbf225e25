//! MFA sessions, aws-vault's model: with an `mfa_serial`, the code goes into one
//! GetSessionToken (default 12 hours), whose credentials are cached in the keyring under
//! the source + serial (`cache::key::mfa_session_key`), and every role session is then
//! assumed from them with no code at all (chained, so at most 1 hour each). One code
//! serves a working day, for `credential-process` and `exec --server` alike.
//!
//! A one-time code is sent at most once: it is taken out of the settings when used, and
//! AssumeRole never carries it (so the role-chaining retry cannot resend it). When the
//! session has run out and no code is at hand, the fetch fails with a clear error, and it
//! prompts on /dev/tty only where the settings allow it (never once `exec --server`'s
//! command owns the terminal).

use super::Cache;
use crate::aws::failure::{AwsFailure, FailureKind, one_line};
use crate::aws::sts::{SdkSts, SessionTokenRequest, Sts};
use crate::cache::entry::{encode, lookup};
use crate::cache::index::{self, IndexEntry};
use crate::cache::key::mfa_session_key;
use crate::cache::lock;
use crate::creds::{Credentials, Secret};
use crate::error::Error;
use crate::settings::Settings;
use chrono::{DateTime, Utc};

/// The MFA session for `s` (which has an `mfa_serial`): from the cache while more than
/// the refresh margin is left, else a new one made with `code` (taken: never used twice).
pub fn session(
    s: &Settings,
    code: &mut Option<Secret>,
    cache: Option<Cache<'_>>,
    now: &dyn Fn() -> DateTime<Utc>,
) -> Result<Credentials, Error> {
    session_with(s, code, cache, now, &mut |code| {
        get_session_blocking(s, code)
    })
}

/// `session` with the GetSessionToken call passed in. Like the role's entry: look, take
/// the key's lock, look again (another process may have started a session meanwhile, with
/// its own code), then ask STS and store. There is no fallback to a stale session: one
/// that has run out cannot assume anything.
pub fn session_with(
    s: &Settings,
    code: &mut Option<Secret>,
    cache: Option<Cache<'_>>,
    now: &dyn Fn() -> DateTime<Utc>,
    get: &mut dyn FnMut(Secret) -> Result<Credentials, Error>,
) -> Result<Credentials, Error> {
    let serial = s
        .mfa_serial
        .as_deref()
        .expect("only called with an mfa_serial");
    let key = mfa_session_key(s).expect("only called with an mfa_serial");
    let cached = |cache: &Cache<'_>| lookup(cache.store, &key, now(), s.margin).ok()?.ok();
    if let Some(c) = cache.as_ref().and_then(cached) {
        return Ok(c);
    }
    let lock_dir = cache.and_then(|c| c.lock_dir.get());
    let _guard = match lock_dir.as_deref() {
        Some(dir) => match lock::acquire(dir, &key, lock::WAIT) {
            Ok(guard) => Some(guard),
            Err(lock::LockError::Busy(msg)) => return Err(Error::Runtime(msg)),
            Err(lock::LockError::Unusable(_)) => None,
        },
        None => None,
    };
    if let Some(c) = cache.as_ref().and_then(cached) {
        return Ok(c);
    }
    let code = match code.take() {
        Some(c) => c,
        None if s.mfa_prompt => crate::mfa::ask(serial)?,
        None => return Err(needs_code(s, serial)),
    };
    tracing::info!(
        "starting an MFA session for {serial} with credentials from {}",
        s.source.describe()
    );
    let c = get(code)?;
    if let Some(cache) = cache {
        store(s, serial, &key, &c, cache);
    }
    Ok(c)
}

/// Stores the session and lists it in the index (`cache list`, `cache clear --all`); a
/// store that refuses it is a warning: the session then lasts this run only.
fn store(s: &Settings, serial: &str, key: &str, c: &Credentials, cache: Cache<'_>) {
    if let Err(e) = cache.store.set(key, &encode(c), c.expiration) {
        crate::ui::warn(&format!(
            "could not store the MFA session in {} ({e}); the next run will need a new code",
            cache.store.name()
        ));
        return;
    }
    if let Some(dir) = cache.index_dir.get() {
        let entry = IndexEntry {
            key: key.to_string(),
            role_arn: format!("mfa-session:{serial}"),
            session_name: String::new(),
            source: s.source.describe(),
            expiration: c.expiration,
            store: cache.store.name().to_string(),
        };
        index::update(&dir, |i| i.upsert(entry));
    }
}

/// The error of a refresh that would need a new code where none may be asked for.
fn needs_code(s: &Settings, serial: &str) -> Error {
    let how = match &s.profile {
        Some(p) => format!("xacct credential-process --profile {p} --token-code CODE"),
        None => "any xacct command with these role options and --token-code CODE".into(),
    };
    Error::Aws(format!(
        "the MFA session for {serial} has run out and a new one needs a code, which xacct does not ask for while the command runs; start one from another terminal with `{how} >/dev/null` (it is picked up from the keyring), or restart the command"
    ))
}

/// What GetSessionToken is asked for.
pub fn request(s: &Settings, serial: &str, code: Secret) -> SessionTokenRequest {
    SessionTokenRequest {
        duration: s.mfa_session_duration,
        serial_number: serial.to_string(),
        token_code: code,
    }
}

fn get_session_blocking(s: &Settings, code: Secret) -> Result<Credentials, Error> {
    crate::rt::block_on(async {
        let sts = SdkSts::new(&super::assume::target(s, None))
            .await
            .map_err(|f| describe(&f, s, s.mfa_serial.as_deref().unwrap_or("-")))?;
        get_session(&sts, s, code).await
    })?
}

/// One GetSessionToken: the code is sent in exactly this one request, never retried here.
pub async fn get_session(sts: &impl Sts, s: &Settings, code: Secret) -> Result<Credentials, Error> {
    let serial = s.mfa_serial.as_deref().unwrap_or("-");
    sts.get_session_token(&request(s, serial, code))
        .await
        .map_err(|f| describe(&f, s, serial))
}

/// GetSessionToken's failures, each with its fix; the rest are worded as AssumeRole's.
pub fn describe(f: &AwsFailure, s: &Settings, serial: &str) -> Error {
    let msg = one_line(&f.message);
    match (f.kind, f.code.as_str()) {
        (FailureKind::Service, "AccessDenied") if msg.contains("session credentials") => {
            Error::Aws(format!(
                "an MFA session needs an IAM user's long-term keys as the source, and {} gives temporary ones (STS: {msg}); point source_profile at a profile with the user's access keys",
                s.source.describe()
            ))
        }
        (FailureKind::Service, "AccessDenied") => Error::Aws(format!(
            "MFA failed for device {serial} (STS: {msg}); retry with the device's current code (each code works once)"
        )),
        (FailureKind::Service, "ValidationError") if msg.contains("urationSeconds") => {
            Error::Aws(format!(
                "STS refused an MFA session of {}s (STS: {msg}); lower --mfa-session-duration (root users get at most 1h)",
                s.mfa_session_duration
            ))
        }
        _ => super::assume::describe(f, s),
    }
}

#[cfg(test)]
mod tests;
