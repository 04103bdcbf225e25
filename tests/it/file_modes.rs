//! File modes: what xacct creates on disk (lock files) is mode 0600 in 0700
//! directories whatever the umask, created in one step (an empty file opened with
//! O_CREAT: there is no partial content to observe), and holds nothing.

use crate::util::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Runs xacct with umask 000, so only xacct's own modes protect what it creates.
fn run_umask_000(w: &World) -> Run {
    let mut c = std::process::Command::new("sh");
    c.args(["-c", "umask 000; exec \"$@\"", "sh", xacct_bin()])
        .args(["credential-process", "--profile", "target"])
        .env_clear()
        .envs(&w.env);
    Run::from(c.output().unwrap())
}

#[test]
fn lock_files_are_0600_in_0700_dirs_under_umask_000() {
    // $XDG_RUNTIME_DIR/xacct
    let w = World::new();
    w.target_profile("");
    let r = run_umask_000(&w);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dir = w.home().join("run/xacct");
    assert_eq!(mode(&dir), 0o700);
    // The key's lock, and the `cache list` index with its lock: all 0600.
    let files = walk(&dir);
    let name = |p: &std::path::PathBuf| p.file_name().unwrap().to_string_lossy().into_owned();
    let mut names: Vec<String> = files.iter().map(name).collect();
    names.sort();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(
        names[0] == "index.json" && names[1] == "index.lock" && names[2].starts_with("v1-"),
        "{names:?}"
    );
    for l in &files {
        assert_eq!(mode(l), 0o600, "{}", l.display());
        if name(l).ends_with(".lock") {
            assert_eq!(
                std::fs::metadata(l).unwrap().len(),
                0,
                "a lock file holds nothing"
            );
        }
    }
    let index = std::fs::read_to_string(dir.join("index.json")).unwrap();
    assert!(
        index.contains(&w.role_arn),
        "the index lists the entry: {index}"
    );

    // No runtime dir: the cache dir, created with every missing parent 0700.
    let mut w = World::new();
    w.target_profile("");
    w.env.remove("XDG_RUNTIME_DIR");
    let cache = w.home().join("fresh/cache");
    w.set("XDG_CACHE_HOME", cache.to_str().unwrap());
    let r = run_umask_000(&w);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for d in [w.home().join("fresh"), cache.clone(), cache.join("xacct")] {
        assert_eq!(mode(&d), 0o700, "{}", d.display());
    }
    let files = walk(&cache.join("xacct"));
    assert_eq!(files.len(), 3, "{files:?}");
    for f in &files {
        assert_eq!(mode(f), 0o600, "{}", f.display());
    }
    // Nothing else was written anywhere in the World.
    let others: Vec<_> = walk(w.home())
        .into_iter()
        .filter(|p| !p.starts_with(cache.join("xacct")) && !p.starts_with(w.home().join(".aws")))
        .collect();
    assert!(others.is_empty(), "{others:?}");
}
