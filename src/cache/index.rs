//! The cache index: which keys xacct has stored, in which store, for whom, until when.
//!
//! Keyrings cannot be enumerated (the kernel keyring and the Secret Service hold other
//! programs' items too), so `cache list` and `cache clear --all` read this file instead.
//! It holds no secret: keys are hashes, the rest is what `cache list` shows. It lives in
//! the lock directory as `index.json` (0600 in the 0700 directory), is replaced atomically
//! (temp file + rename) under its own lock, and is only a hint: a missing, stale or corrupt
//! index costs a listing, never credentials, and gets rebuilt by the next store.

use super::lock;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

pub const FILE: &str = "index.json";
/// Lock name of the index (`index.lock`); cache keys start with `v1-`, so it cannot clash.
const LOCK: &str = "index";
/// Index writers hold the lock for microseconds; past this, skip the update (it is a hint).
const LOCK_WAIT: Duration = Duration::from_secs(2);
const VERSION: u32 = 1;

/// One stored cache entry, described without its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    pub key: String,
    pub role_arn: String,
    pub session_name: String,
    pub source: String,
    pub expiration: DateTime<Utc>,
    pub store: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub version: u32,
    pub entries: Vec<IndexEntry>,
}

impl Index {
    /// Adds or replaces the entry of `e.key` in `e.store`.
    pub fn upsert(&mut self, e: IndexEntry) {
        self.remove(&e.key, &e.store);
        self.entries.push(e);
        self.entries
            .sort_by(|a, b| (&a.role_arn, &a.session_name).cmp(&(&b.role_arn, &b.session_name)));
    }

    pub fn remove(&mut self, key: &str, store: &str) {
        self.entries.retain(|e| !(e.key == key && e.store == store));
    }

    /// Why `key` missed although an entry exists for the same role and session: the role
    /// options that make up the key changed (source, duration, region, tags, ...).
    pub fn key_changed(&self, key: &str, role_arn: &str, session_name: &str) -> Option<String> {
        let other = self
            .entries
            .iter()
            .find(|e| e.role_arn == role_arn && e.session_name == session_name && e.key != key)?;
        Some(format!(
            "key changed: {role_arn} session {session_name} is cached under another key ({}, source {}); an option in the key differs (source, external id, duration, region, endpoint, MFA serial, source identity or tags)",
            short(&other.key),
            other.source
        ))
    }
}

/// The first 12 characters of a key, enough to tell keys apart in a message.
pub fn short(key: &str) -> String {
    key.chars().take(12).collect()
}

/// Decodes the index; `None` when it is not a current index (then it is rebuilt).
pub fn decode(text: &str) -> Option<Index> {
    serde_json::from_str::<Index>(text)
        .ok()
        .filter(|i| i.version == VERSION)
}

/// Reads the index in `dir`. Missing is empty; unreadable or corrupt is empty with a note.
pub fn load(dir: &Path) -> Index {
    let path = dir.join(FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => decode(&text).unwrap_or_else(|| {
            tracing::info!(
                "cache index {} is corrupt or of another version; ignoring it (it is rebuilt as entries are stored)",
                path.display()
            );
            Index::default()
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Index::default(),
        Err(e) => {
            tracing::info!("cannot read cache index {}: {e}; ignoring it", path.display());
            Index::default()
        }
    }
}

/// Writes the index atomically: a temp file beside it, then rename. The temp file comes
/// from `tempfile`: a random name opened with `O_CREAT|O_EXCL`, mode 0600, so nothing
/// planted under a predictable name is ever opened or truncated.
fn save(dir: &Path, index: &Index) -> Result<(), String> {
    let path = dir.join(FILE);
    let text = serde_json::to_string_pretty(index).map_err(|e| e.to_string())?;
    let fail = |e: std::io::Error| format!("cannot write cache index {}: {e}", path.display());
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{FILE}.tmp-"))
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(fail)?;
    // On failure the temp file is removed when `tmp` drops.
    tmp.persist(&path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Loads, changes and saves the index under its lock. Failures are logged, not returned:
/// the index is a hint and must never fail a command that got its credentials.
pub fn update(dir: &Path, change: impl FnOnce(&mut Index)) {
    let _guard = match lock::acquire(dir, LOCK, LOCK_WAIT) {
        Ok(g) => g,
        Err(e) => {
            tracing::info!("cache index not updated: {e:?}");
            return;
        }
    };
    let mut index = load(dir);
    index.version = VERSION;
    change(&mut index);
    if let Err(e) = save(dir, &index) {
        tracing::info!("{e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str, store: &str, session: &str) -> IndexEntry {
        IndexEntry {
            key: key.into(),
            role_arn: "arn:aws:iam::111111111111:role/r".into(),
            session_name: session.into(),
            source: "profile:src".into(),
            expiration: DateTime::from_timestamp(2_000_000_000, 0).unwrap(),
            store: store.into(),
        }
    }

    #[test]
    fn upsert_replaces_per_key_and_store() {
        let mut i = Index::default();
        i.upsert(entry("v1-a", "keyutils", "s"));
        i.upsert(entry("v1-a", "keyutils", "s"));
        i.upsert(entry("v1-a", "secret-service", "s"));
        assert_eq!(i.entries.len(), 2);
        i.remove("v1-a", "keyutils");
        assert_eq!(i.entries, vec![entry("v1-a", "secret-service", "s")]);
    }

    #[test]
    fn key_changed_needs_same_role_and_session_under_another_key() {
        let mut i = Index::default();
        i.upsert(entry("v1-old0000000000", "keyutils", "s"));
        let role = "arn:aws:iam::111111111111:role/r";
        let table = [
            ("v1-new", role, "s", true),
            ("v1-old0000000000", role, "s", false),
            ("v1-new", role, "other", false),
            ("v1-new", "arn:aws:iam::111111111111:role/q", "s", false),
        ];
        for (key, r, s, want) in table {
            let got = i.key_changed(key, r, s);
            assert_eq!(got.is_some(), want, "{key} {r} {s}");
            if let Some(msg) = got {
                assert!(msg.starts_with("key changed"), "{msg}");
                assert!(msg.contains("v1-old000000"), "{msg}");
            }
        }
    }

    #[test]
    fn corrupt_missing_and_foreign_versions_are_empty() {
        assert_eq!(decode("{nope"), None);
        assert_eq!(decode(r#"{"version":2,"entries":[]}"#), None);
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()), Index::default());
        std::fs::write(dir.path().join(FILE), "garbage").unwrap();
        assert_eq!(load(dir.path()), Index::default());
        // The next update rebuilds it.
        update(dir.path(), |i| i.upsert(entry("v1-a", "keyutils", "s")));
        assert_eq!(load(dir.path()).entries.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn index_file_is_private_and_temp_files_are_gone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        update(dir.path(), |i| i.upsert(entry("v1-a", "keyutils", "s")));
        let meta = std::fs::metadata(dir.path().join(FILE)).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(!names.iter().any(|n| n.contains(".tmp-")), "{names:?}");
    }

    /// Before issue 10 the temp file had a predictable name and was opened with truncate
    /// and without O_EXCL: a symlink planted there was followed.
    #[cfg(unix)]
    #[test]
    fn a_symlink_planted_at_the_old_temp_name_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep me").unwrap();
        let planted = dir
            .path()
            .join(format!("{FILE}.tmp-{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        update(dir.path(), |i| i.upsert(entry("v1-a", "keyutils", "s")));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        assert_eq!(load(dir.path()).entries.len(), 1);
    }
}
