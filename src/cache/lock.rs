//! Cross-process lock for single-flight refresh: one lock file per cache key.
//!
//! Uses the standard library's `File::try_lock` (flock on Unix, LockFileEx on Windows):
//! the kernel releases the lock when its holder exits, even on `kill -9`, so a dead
//! holder never blocks the others. Files are 0600 in a 0700 directory that `dir` has
//! checked, and opened without following a symlink: a planted `<key>.lock` link makes
//! the lock unusable (the run goes on without it), never a file created elsewhere.

use crate::error::Error;
use std::fs::{self, File, OpenOptions};
use std::path::Path;
use std::time::{Duration, Instant};

/// How long a process waits for another one's refresh before giving up. Below the Go
/// SDK's one-minute limit for a credential_process helper.
pub const WAIT: Duration = Duration::from_secs(50);

/// Held for the lifetime of the value; dropping it closes the file and releases the lock.
pub struct KeyLock {
    _file: File,
}

/// `$XDG_RUNTIME_DIR/xacct`, else the user cache dir (`~/.cache/xacct` on Linux), when
/// it can be trusted; else `~/.cache/xacct` with a warning (see `cache::dir`).
pub use super::dir::default_dir;

/// Creates `dir` (mode 0700) when missing.
pub fn ensure_dir(dir: &Path) -> Result<(), Error> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| Error::Runtime(format!("cannot create {}: {e}", dir.display())))
}

/// Opens (creating 0600) the lock file of `key` under `dir`.
fn open_lock_file(dir: &Path, key: &str) -> Result<File, Error> {
    ensure_dir(dir)?;
    let path = dir.join(format!("{key}.lock"));
    let mut opts = OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
        opts.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    opts.open(&path)
        .map_err(|e| Error::Runtime(format!("cannot open lock file {}: {e}", path.display())))
}

/// Why the lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// The directory or file cannot be used: go on without single flight.
    Unusable(String),
    /// Another process holds the lock for longer than the wait.
    Busy(String),
}

/// Takes the exclusive lock of `key`, waiting up to `wait` for another holder.
pub fn acquire(dir: &Path, key: &str, wait: Duration) -> Result<KeyLock, LockError> {
    let file = open_lock_file(dir, key).map_err(|e| LockError::Unusable(e.to_string()))?;
    let deadline = Instant::now() + wait;
    let mut pause = Duration::from_millis(2);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(KeyLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) => {}
            Err(fs::TryLockError::Error(e)) => {
                return Err(LockError::Unusable(format!(
                    "cannot lock {}: {e}",
                    dir.display()
                )));
            }
        }
        if Instant::now() >= deadline {
            return Err(LockError::Busy(format!(
                "another xacct process has been refreshing these credentials for over {}s; retry, or remove stale processes",
                wait.as_secs()
            )));
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(25));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_waits_and_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let held = acquire(dir.path(), "k", WAIT).unwrap();
        let err = acquire(dir.path(), "k", Duration::from_millis(50))
            .err()
            .unwrap();
        assert!(
            matches!(&err, LockError::Busy(m) if m.contains("another xacct process")),
            "{err:?}"
        );
        // A different key is independent.
        let _other = acquire(dir.path(), "k2", Duration::from_millis(50)).unwrap();
        drop(held);
        let _again = acquire(dir.path(), "k", Duration::from_millis(50)).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn lock_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("xacct");
        let _l = acquire(&sub, "k", WAIT).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&sub), 0o700);
        assert_eq!(mode(&sub.join("k.lock")), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("victim");
        std::os::unix::fs::symlink(&target, dir.path().join("k.lock")).unwrap();
        let err = acquire(dir.path(), "k", WAIT).err().unwrap();
        assert!(
            matches!(&err, LockError::Unusable(m) if m.contains("k.lock")),
            "{err:?}"
        );
        assert!(!target.exists(), "the lock was opened through the symlink");
    }
}
