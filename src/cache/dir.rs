//! The directory of the lock files and the index, and whether it can be trusted.
//!
//! `su` without `-` keeps the other user's `XDG_RUNTIME_DIR`, and a directory that user
//! can change is one where they can plant symlinks for this user's lock files or swap
//! the index for one of their own. So the usual place (`$XDG_RUNTIME_DIR/xacct`, else
//! `~/.cache/xacct`) is used only when it is a real directory (not a symlink) owned by
//! this user with no group or other write bit, in a path whose every directory belongs
//! to this user or root and cannot be renamed by anyone else (writable by others only
//! with the sticky bit, as /tmp). Else the private `~/.cache/xacct` is used, with one
//! warning; when even that fails, the run goes on without lock and index.
//!
//! The checks follow OpenSSH's `secure_filename` (misc.c).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The trusted lock and index directory of this process, chosen (and warned about) once.
pub fn default_dir() -> Option<PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let (dir, warning) = choose(&candidates());
        if let Some(w) = warning {
            crate::ui::warn(&w);
        }
        dir
    })
    .clone()
}

/// The directories a run tries, in order: the usual one first, then the private
/// fallbacks (`doctor` judges the same list).
pub fn candidates() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = [
        dirs::runtime_dir(),
        dirs::cache_dir(),
        dirs::home_dir().map(|h| h.join(".cache")),
    ]
    .into_iter()
    .flatten()
    .map(|d| d.join("xacct"))
    .collect();
    out.dedup();
    out
}

/// The first candidate that can be trusted, and the warning when it is not the first.
pub fn choose(candidates: &[PathBuf]) -> (Option<PathBuf>, Option<String>) {
    let mut refused: Vec<String> = Vec::new();
    for dir in candidates {
        match prepare(dir) {
            Ok(()) if refused.is_empty() => return (Some(dir.clone()), None),
            Ok(()) => {
                let w = format!("{}; using {} instead", refused.join("; "), dir.display());
                return (Some(dir.clone()), Some(w));
            }
            Err(why) => refused.push(why),
        }
    }
    if refused.is_empty() {
        refused.push("no runtime or cache directory (set XDG_RUNTIME_DIR or HOME)".into());
    }
    let w = format!(
        "{}; running without the cross-process lock and the cache index",
        refused.join("; ")
    );
    (None, Some(w))
}

/// Creates `dir` (0700) when its path is safe, then checks it. `Err` says why not, and
/// what to do about it.
fn prepare(dir: &Path) -> Result<(), String> {
    let parent = dir.parent().unwrap_or(Path::new("/"));
    check_ancestors(dir, parent)?;
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    // What is there already is checked as it is (a symlink is not followed).
    if std::fs::symlink_metadata(dir).is_err() {
        builder
            .create(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    check_own(dir)?;
    // The directories just created are checked too.
    check_ancestors(dir, parent)
}

/// `dir` itself: a directory, not a symlink, this user's, writable by nobody else.
#[cfg(unix)]
fn check_own(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let untrusted = |why: String| format!("lock directory {} {why}", dir.display());
    let meta = std::fs::symlink_metadata(dir).map_err(|e| untrusted(format!("unreadable: {e}")))?;
    if meta.file_type().is_symlink() {
        return Err(untrusted("is a symlink".into()));
    }
    if !meta.is_dir() {
        return Err(untrusted("is not a directory".into()));
    }
    let me = euid();
    if meta.uid() != me {
        return Err(untrusted(format!(
            "belongs to uid {}, not to this user (uid {me}); is XDG_RUNTIME_DIR another user's (su without -)?",
            meta.uid()
        )));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(untrusted(format!(
            "is writable by its group or others (mode {:o}); chmod 700 it",
            meta.mode() & 0o7777
        )));
    }
    Ok(())
}

/// Every directory above `dir` (from the deepest that exists): this user's or root's,
/// and not open to renames by others.
#[cfg(unix)]
fn check_ancestors(dir: &Path, parent: &Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let existing = parent
        .ancestors()
        .find(|p| p.exists())
        .unwrap_or(Path::new("/"));
    let real = std::fs::canonicalize(existing)
        .map_err(|e| format!("cannot resolve {}: {e}", existing.display()))?;
    let me = euid();
    for a in real.ancestors() {
        let meta = std::fs::metadata(a).map_err(|e| format!("cannot read {}: {e}", a.display()))?;
        let untrusted = |why: String| {
            format!(
                "lock directory {} is not safe: {} {why}",
                dir.display(),
                a.display()
            )
        };
        if meta.uid() != me && meta.uid() != 0 {
            return Err(untrusted(format!(
                "belongs to uid {}, not to this user (uid {me}) or root; is XDG_RUNTIME_DIR another user's (su without -)?",
                meta.uid()
            )));
        }
        let sticky = meta.mode() & 0o1000 != 0;
        if meta.mode() & 0o022 != 0 && !sticky {
            return Err(untrusted(format!(
                "is writable by its group or others (mode {:o}); chmod go-w it",
                meta.mode() & 0o7777
            )));
        }
    }
    Ok(())
}

#[cfg(unix)]
fn euid() -> u32 {
    rustix::process::geteuid().as_raw()
}

#[cfg(not(unix))]
fn check_own(_: &Path) -> Result<(), String> {
    Ok(())
}

#[cfg(not(unix))]
fn check_ancestors(_: &Path, _: &Path) -> Result<(), String> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests;
