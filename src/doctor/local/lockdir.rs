//! Check 7, the lock directory: which directory a run keeps its lock files and the cache
//! index in, judged by the rule of `cache::dir` (see its module doc: a real directory of
//! this user's, writable by no one else, in a path that only this user or root can
//! change, else the next candidate).
//!
//! Doctor creates and changes nothing here: a candidate that does not exist yet is judged
//! by the directories above it and reported as what the next run creates. The judging is
//! pure (`judge`, `findings`) and table-tested with made-up `stat` data; a test checks it
//! against `cache::dir::choose` on real directories, so the two rules cannot drift apart.

use crate::doctor::Finding;
use std::path::{Path, PathBuf};

const CHECK: &str = "lockdir";

/// What `stat` says about a path: all the rule looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stat {
    pub uid: u32,
    /// Permission bits with the sticky bit (`st_mode & 0o7777`).
    pub mode: u32,
    pub is_dir: bool,
    pub is_symlink: bool,
}

/// The facts about one candidate directory.
#[derive(Clone, Debug)]
pub struct Facts {
    pub dir: PathBuf,
    /// `lstat` of the directory itself; `None` when it does not exist.
    pub own: Option<Stat>,
    /// The real path of the deepest existing directory above `dir`, then each of its
    /// ancestors up to `/`, with `stat` (symlinks followed); `Err` says what was unreadable.
    pub above: Result<Vec<(PathBuf, Stat)>, String>,
}

/// Why a candidate is not used, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub why: String,
    pub fix: String,
}

/// Names a uid for the report: `uid 1001 (alice)`.
pub type Names<'a> = &'a dyn Fn(u32) -> Option<String>;

fn who(uid: u32, names: Names<'_>) -> String {
    match names(uid) {
        Some(n) => format!("uid {uid} ({n})"),
        None => format!("uid {uid}"),
    }
}

/// The fix for a directory owned by someone else: most often `su` without `-`, which
/// keeps the other user's XDG_RUNTIME_DIR.
fn foreign_fix(path: &Path, me: u32, names: Names<'_>) -> String {
    format!(
        "if XDG_RUNTIME_DIR is another user's (su without -), use `su -` or unset XDG_RUNTIME_DIR for this job; else `chown {} {}`",
        names(me).unwrap_or_else(|| me.to_string()),
        path.display()
    )
}

/// `Ok(exists)` when a run would use the candidate (and create it when it does not exist
/// yet), else why not. Mirrors `cache::dir::{check_ancestors, check_own}`.
pub fn judge(f: &Facts, me: u32, names: Names<'_>) -> Result<bool, Refusal> {
    let above = f.above.as_ref().map_err(|e| Refusal {
        why: e.clone(),
        fix: "make the directories above it readable, or set XDG_RUNTIME_DIR or HOME".into(),
    })?;
    for (path, s) in above {
        if s.uid != me && s.uid != 0 {
            return Err(Refusal {
                why: format!(
                    "{} is in {}, which belongs to {}, not to this user ({}) or root",
                    f.dir.display(),
                    path.display(),
                    who(s.uid, names),
                    who(me, names)
                ),
                fix: foreign_fix(path, me, names),
            });
        }
        if s.mode & 0o022 != 0 && s.mode & 0o1000 == 0 {
            return Err(Refusal {
                why: format!(
                    "{} is in {}, which is writable by its group or others (mode {:o}) without the sticky bit",
                    f.dir.display(),
                    path.display(),
                    s.mode
                ),
                fix: format!("chmod go-w {}", path.display()),
            });
        }
    }
    let Some(own) = f.own else {
        return Ok(false);
    };
    let dir = f.dir.display();
    let refuse = |why: String, fix: String| Err(Refusal { why, fix });
    if own.is_symlink {
        return refuse(
            format!("{dir} is a symlink"),
            format!("remove the link (`rm {dir}`); the next run creates a private directory"),
        );
    }
    if !own.is_dir {
        return refuse(
            format!("{dir} is not a directory"),
            format!("move {dir} away; the next run creates a private directory"),
        );
    }
    if own.uid != me {
        return refuse(
            format!(
                "{dir} belongs to {}, not to this user ({})",
                who(own.uid, names),
                who(me, names)
            ),
            foreign_fix(&f.dir, me, names),
        );
    }
    if own.mode & 0o022 != 0 {
        return refuse(
            format!(
                "{dir} is writable by its group or others (mode {:o})",
                own.mode
            ),
            format!("chmod 700 {dir}"),
        );
    }
    Ok(true)
}

/// What a run would do with the candidates (in order): the findings, and the directory
/// it would use when that directory exists already (where the index is read from).
pub fn findings(
    candidates: &[Facts],
    me: u32,
    names: Names<'_>,
) -> (Vec<Finding>, Option<PathBuf>) {
    let mut refused: Vec<Refusal> = Vec::new();
    for f in candidates {
        let exists = match judge(f, me, names) {
            Ok(exists) => exists,
            Err(r) => {
                refused.push(r);
                continue;
            }
        };
        let state = match (exists, f.own) {
            (true, Some(s)) => format!("owner {}, mode {:o}", who(s.uid, names), s.mode),
            _ => format!(
                "does not exist yet; the next run creates it (owner {}, mode 700)",
                who(me, names)
            ),
        };
        let used = exists.then(|| f.dir.clone());
        let Some(first) = refused.first() else {
            let detail = format!("{}: {state}", f.dir.display());
            return (vec![Finding::ok(CHECK, detail)], used);
        };
        let whys: Vec<&str> = refused.iter().map(|r| r.why.as_str()).collect();
        let detail = format!(
            "the usual directory is refused: {}; runs use {} instead: {state}",
            whys.join("; "),
            f.dir.display()
        );
        return (vec![Finding::warn(CHECK, detail, first.fix.clone())], used);
    }
    let finding = match refused.first() {
        None => Finding::fail(
            CHECK,
            "no runtime or cache directory: XDG_RUNTIME_DIR and HOME are unset; runs go without the cross-process lock and the cache index",
            "set HOME (or XDG_RUNTIME_DIR) in the job's environment",
        ),
        Some(_) => {
            let whys: Vec<&str> = refused.iter().map(|r| r.why.as_str()).collect();
            let fixes: Vec<&str> = refused.iter().map(|r| r.fix.as_str()).collect();
            Finding::fail(
                CHECK,
                format!(
                    "no usable lock directory: {}; runs go without the cross-process lock (concurrent runs each call STS) and the cache index",
                    whys.join("; ")
                ),
                fixes.join("; or "),
            )
        }
    };
    (vec![finding], None)
}

/// The lock directory check on this host, and the directory whose index the cache check
/// reads (when it exists).
#[cfg(unix)]
pub fn check() -> (Vec<Finding>, Option<PathBuf>) {
    let me = rustix::process::geteuid().as_raw();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let names = |uid: u32| user_name(&passwd, uid);
    let facts: Vec<Facts> = crate::cache::dir::candidates()
        .iter()
        .map(|d| facts(d))
        .collect();
    findings(&facts, me, &names)
}

#[cfg(not(unix))]
pub fn check() -> (Vec<Finding>, Option<PathBuf>) {
    let dir = crate::cache::dir::candidates().into_iter().next();
    match dir {
        Some(d) => (
            vec![Finding::ok(CHECK, format!("{}", d.display()))],
            d.is_dir().then_some(d),
        ),
        None => findings(&[], 0, &|_| None),
    }
}

/// The name of `uid` in the text of /etc/passwd.
pub fn user_name(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut f = line.split(':');
        let (name, _, id) = (f.next()?, f.next()?, f.next()?);
        (id.parse::<u32>().ok()? == uid).then(|| name.to_string())
    })
}

/// Reads the facts of `dir` without creating or following anything it would not.
#[cfg(unix)]
pub fn facts(dir: &Path) -> Facts {
    use std::os::unix::fs::MetadataExt;
    let stat = |m: &std::fs::Metadata| Stat {
        uid: m.uid(),
        mode: m.mode() & 0o7777,
        is_dir: m.is_dir(),
        is_symlink: m.file_type().is_symlink(),
    };
    let own = std::fs::symlink_metadata(dir).ok().map(|m| stat(&m));
    let parent = dir.parent().unwrap_or(Path::new("/"));
    let existing = parent
        .ancestors()
        .find(|p| p.exists())
        .unwrap_or(Path::new("/"));
    let above = std::fs::canonicalize(existing)
        .map_err(|e| format!("cannot resolve {}: {e}", existing.display()))
        .and_then(|real| {
            real.ancestors()
                .map(|a| {
                    std::fs::metadata(a)
                        .map(|m| (a.to_path_buf(), stat(&m)))
                        .map_err(|e| format!("cannot read {}: {e}", a.display()))
                })
                .collect()
        });
    Facts {
        dir: dir.to_path_buf(),
        own,
        above,
    }
}

#[cfg(all(test, unix))]
mod tests;
