//! Helpers of the reliability suite: walking a test's files and looking for secrets.

use std::path::{Path, PathBuf};

/// Every file (not directory) under `dir`, following no symlinks.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => out.extend(walk(&p)),
            Ok(_) => out.push(p),
            Err(_) => {}
        }
    }
    out
}

/// The `(place, secret)` pairs where one of `secrets` occurs in `text`.
pub fn find_secrets<'a>(place: &str, text: &[u8], secrets: &'a [String]) -> Vec<(String, &'a str)> {
    let text = String::from_utf8_lossy(text);
    secrets
        .iter()
        .filter(|s| !s.is_empty() && text.contains(s.as_str()))
        .map(|s| (place.to_string(), s.as_str()))
        .collect()
}
