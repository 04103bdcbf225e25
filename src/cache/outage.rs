//! When a key's last refresh failed: a timestamp in `<key>.failed` next to its lock file.
//!
//! Once the refresh margin is reached, botocore re-runs credential_process on every API
//! call; during an STS outage each run would try STS again. The record lets callers in
//! the next `expiry::RETRY_PAUSE` serve the cached credentials without a network call.
//! It holds a Unix time only, never a secret, and losing it costs one STS attempt.

use chrono::{DateTime, Utc};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

fn path(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("{key}.failed"))
}

/// When the last refresh of `key` failed, if a record says so.
pub fn last_failure(dir: &Path, key: &str) -> Option<DateTime<Utc>> {
    let p = path(dir, key);
    // Only a plain file counts: a planted symlink is not followed.
    if !fs::symlink_metadata(&p).ok()?.file_type().is_file() {
        return None;
    }
    let text = fs::read_to_string(&p).ok()?;
    DateTime::from_timestamp(text.trim().parse().ok()?, 0)
}

/// Records that a refresh of `key` failed at `at`. The record is written to a fresh 0600
/// file (`O_EXCL`) and renamed into place, which replaces a planted symlink rather than
/// writing through it.
pub fn record_failure(dir: &Path, key: &str, at: DateTime<Utc>) -> io::Result<()> {
    let mut tmp = tempfile::Builder::new()
        .prefix(".failed-")
        .tempfile_in(dir)?;
    writeln!(tmp, "{}", at.timestamp())?;
    tmp.persist(path(dir, key)).map_err(|e| e.error)?;
    Ok(())
}

/// Forgets a failure once a refresh succeeded.
pub fn clear(dir: &Path, key: &str) {
    match fs::remove_file(path(dir, key)) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => tracing::debug!("cannot remove the refresh-failure record: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_privately_and_clear() {
        let dir = tempfile::tempdir().unwrap();
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert_eq!(last_failure(dir.path(), "k"), None);
        record_failure(dir.path(), "k", at).unwrap();
        assert_eq!(last_failure(dir.path(), "k"), Some(at));
        assert_eq!(last_failure(dir.path(), "other"), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(path(dir.path(), "k"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Only the record is left: no temp file.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        clear(dir.path(), "k");
        clear(dir.path(), "k");
        assert_eq!(last_failure(dir.path(), "k"), None);
    }

    #[test]
    fn garbage_is_no_record() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(path(dir.path(), "k"), "yesterday").unwrap();
        assert_eq!(last_failure(dir.path(), "k"), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_neither_read_nor_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("victim");
        fs::write(&target, "1800000000\n").unwrap();
        std::os::unix::fs::symlink(&target, path(dir.path(), "k")).unwrap();
        assert_eq!(last_failure(dir.path(), "k"), None);
        let at = DateTime::from_timestamp(1_900_000_000, 0).unwrap();
        record_failure(dir.path(), "k", at).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "1800000000\n");
        assert_eq!(last_failure(dir.path(), "k"), Some(at));
    }
}
