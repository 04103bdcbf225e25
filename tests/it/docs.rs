//! Man pages, completions and --version: generated from the clap tree, so they cannot
//! drift from the real flags.
//!
//! The committed man pages are checked on every run. To regenerate them after changing
//! the command-line text, run
//! `XACCT_UPDATE_MAN=1 cargo test --test it man_pages`: it rewrites the stale pages and
//! still fails ("regenerated; review and commit, then rerun"), so a run with the variable
//! set never passes on pages it has not checked.

use crate::util::*;
use clap::CommandFactory;
use std::path::{Path, PathBuf};
use std::process::Command;

const REGEN: &str = "XACCT_UPDATE_MAN=1 cargo test --test it man_pages";

fn man_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("man")
}

/// `xacct.1` and `xacct-<sub>[-<sub>].1` for every subcommand, rendered by clap_mangen.
fn render_all() -> Vec<(String, Vec<u8>)> {
    // The plain version: the keyring list differs per platform, the pages must not.
    let mut cmd = xacct::cli::Cli::command().version(env!("CARGO_PKG_VERSION"));
    cmd.build();
    let mut out = vec![];
    render(&cmd, "xacct", &mut out);
    out
}

fn render(cmd: &clap::Command, name: &str, out: &mut Vec<(String, Vec<u8>)>) {
    let mut buf = vec![];
    // clap wants a static name; leaking a few bytes per page in a test is fine.
    let static_name: &'static str = Box::leak(name.to_string().into_boxed_str());
    clap_mangen::Man::new(cmd.clone().name(static_name))
        .render(&mut buf)
        .unwrap();
    out.push((format!("{name}.1"), buf));
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        render(sub, &format!("{name}-{}", sub.get_name()), out);
    }
}

/// What differs between the committed `man/` and `pages`: (file name, problem), where
/// a file that has no page any more is to be deleted.
fn stale_pages(dir: &Path, pages: &[(String, Vec<u8>)]) -> Vec<(String, &'static str)> {
    let mut problems = vec![];
    for (name, bytes) in pages {
        match std::fs::read(dir.join(name)) {
            Ok(old) if &old == bytes => {}
            Ok(_) => problems.push((name.clone(), "is stale")),
            Err(_) => problems.push((name.clone(), "is missing")),
        }
    }
    for entry in std::fs::read_dir(dir).into_iter().flatten() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".1") && !pages.iter().any(|(n, _)| *n == name) {
            problems.push((name, "has no command any more"));
        }
    }
    problems
}

#[test]
fn man_pages_are_up_to_date() {
    let dir = man_dir();
    let pages = render_all();
    let problems = stale_pages(&dir, &pages);
    if problems.is_empty() {
        return;
    }
    let list: Vec<String> = problems
        .iter()
        .map(|(name, what)| format!("man/{name} {what}"))
        .collect();
    if std::env::var_os("XACCT_UPDATE_MAN").is_none() {
        panic!("{}; regenerate with: {REGEN}", list.join(", "));
    }
    std::fs::create_dir_all(&dir).unwrap();
    for (name, _) in &problems {
        match pages.iter().find(|(n, _)| n == name) {
            Some((_, bytes)) => std::fs::write(dir.join(name), bytes).unwrap(),
            None => std::fs::remove_file(dir.join(name)).unwrap(),
        }
    }
    assert!(
        stale_pages(&dir, &pages).is_empty(),
        "regeneration left stale pages"
    );
    panic!(
        "{}: regenerated; review and commit, then rerun",
        list.join(", ")
    );
}

#[test]
fn every_subcommand_has_a_man_page_linked_from_the_readme() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for (name, _) in render_all() {
        let link = format!("(man/{name})");
        assert!(
            readme.contains(&link),
            "README.md does not link {link}: link it from the command sections or under Other commands"
        );
    }
}

#[test]
fn completions_generate_for_every_shell() {
    let w = World::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = w.ok(&["completions", shell]);
        assert!(r.stdout.contains("xacct"), "{shell}");
        for sub in ["credential-process", "export", "whoami", "cache"] {
            assert!(r.stdout.contains(sub), "{shell} completes {sub}");
        }
        assert_eq!(r.stderr, "", "{shell}");
        if shell == "bash" {
            let file = w.home().join("xacct.bash");
            std::fs::write(&file, &r.stdout).unwrap();
            let check = Command::new("bash").arg("-n").arg(&file).output().unwrap();
            assert!(
                check.status.success(),
                "{}",
                String::from_utf8_lossy(&check.stderr)
            );
        }
    }
    let r = w.run(&["completions", "tcsh"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
}

/// What build.rs must find: the checkout's HEAD, or nothing outside a checkout (the
/// published crate).
fn expected_commit() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    if !dir.join(".git").exists() {
        return String::new();
    }
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .expect("git is needed to check the commit in --version: run scripts/test");
    assert!(out.status.success(), "git rev-parse failed");
    format!("; commit {}", String::from_utf8(out.stdout).unwrap().trim())
}

#[test]
fn version_names_the_commit_and_the_keyring_stores() {
    let w = World::new();
    let r = w.ok(&["--version"]);
    let want = format!(
        "xacct {} (keyring stores: secret-service, keyutils{})\n",
        env!("CARGO_PKG_VERSION"),
        expected_commit()
    );
    assert_eq!(r.stdout, want);
    // propagate_version: subcommands say the same.
    assert_eq!(
        w.ok(&["cache", "--version"]).stdout,
        want.replace("xacct ", "xacct-cache ")
    );
}
