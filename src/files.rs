//! Replacing a file the user keeps (the AWS config file, emitted code) without ever
//! leaving half a file, a broken symlink or a looser mode behind.
//!
//! - A symlink (a dotfiles repository linking `~/.aws/config`) is written through to the
//!   file it points at; the link stays.
//! - The temporary file is created next to that file by the `tempfile` crate: mode 0600
//!   and `O_CREAT|O_EXCL` under a random name, so nobody can read it half-written or
//!   plant a link at a predictable name beforehand.
//! - It gets the old file's permissions before the rename, so the mode is kept; a new
//!   file gets `new_mode`.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Symlinks followed before giving up (as Linux's own limit).
const MAX_LINKS: usize = 40;

/// The file a chain of symlinks at `path` ends at (`path` itself when it is no link).
/// A dangling link resolves to the missing file it names, which is then created.
pub fn resolve(path: &Path) -> std::io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            Ok(_) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(p),
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links"
    )))
}

/// Replaces the file at `path` (through any symlink) with `contents`; returns the file
/// actually written.
pub fn replace(path: &Path, contents: &[u8], new_mode: u32) -> std::io::Result<PathBuf> {
    let target = resolve(path)?;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".xacct-")
        .suffix(".tmp")
        .tempfile_in(&dir)?;
    tmp.write_all(contents)?;
    match std::fs::metadata(&target) {
        Ok(old) => tmp.as_file().set_permissions(old.permissions())?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => set_mode(tmp.as_file(), new_mode)?,
        Err(e) => return Err(e),
    }
    // On disk before the rename: a crash leaves the old file or the new one.
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(target)
}

#[cfg(unix)]
fn set_mode(f: &std::fs::File, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    f.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &std::fs::File, _: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests;
