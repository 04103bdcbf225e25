//! Puts the git commit into `xacct --version` (`XACCT_VERSION_COMMIT`: "; commit abc1234",
//! or empty), so the build running on a host can be traced back to its source.
//!
//! Only a checkout counts: `.git` must sit in the crate's own directory. The published
//! crate has none, and is often unpacked inside some other repository (`cargo package`
//! verifies it under target/package/ of this one), whose commit would be a lie.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    link_non_pie();
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let commit = if dir.join(".git").exists() {
        git_commit(&dir)
    } else {
        None
    };
    // Cargo trims the value, so the separator leads.
    let text = commit.map(|c| format!("; commit {c}")).unwrap_or_default();
    println!("cargo::rustc-env=XACCT_VERSION_COMMIT={text}");
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// The short commit, after telling cargo which files move when it changes: HEAD (a
/// checkout), the branch's loose ref (a commit) and packed-refs (after `git gc`). A
/// path that does not exist is left out, since cargo would rerun this on every build.
fn git_commit(dir: &Path) -> Option<String> {
    // --git-path knows worktrees: HEAD is per worktree, refs are shared.
    let path = |name: &str| git(dir, &["rev-parse", "--git-path", name]).map(|p| dir.join(p));
    let watch = |p: &Path| println!("cargo::rerun-if-changed={}", p.display());
    for name in ["HEAD", "packed-refs"] {
        if let Some(p) = path(name).filter(|p| p.exists()) {
            watch(&p);
        }
    }
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]).and_then(|b| path(&b)) {
        if branch.exists() {
            watch(&branch);
        } else if let Some(parent) = branch.parent().filter(|p| p.exists()) {
            // A branch that is only in packed-refs gets a loose file on its next commit.
            watch(parent);
        }
    }
    git(dir, &["rev-parse", "--short", "HEAD"])
}

/// Links the `xacct` binary as a non-PIE executable on Linux with glibc: the loader then
/// has no relocations to apply to it at every start (43 000 of them, 46 % of a cache
/// hit's instructions; issue 15, BENCHMARKS.md). The code itself stays
/// position-independent, so only the link changes: no dependency is rebuilt, proc macros
/// and build scripts are not touched, and `cargo install` gets the same binary. Test
/// binaries stay PIE. `XACCT_PIE=1` at build time keeps a PIE (full ASLR of the binary's
/// own image) for a packager who prefers that to the faster start.
fn link_non_pie() {
    println!("cargo::rerun-if-env-changed=XACCT_PIE");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if var("XACCT_PIE") == "1" {
        return;
    }
    if var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu" {
        println!("cargo::rustc-link-arg-bins=-no-pie");
    }
}
