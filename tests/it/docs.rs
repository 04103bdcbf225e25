//! Man pages, completions and --version: generated from the clap tree, so they cannot
//! drift from the real flags.
//!
//! Regenerate the committed man pages with `XACCT_UPDATE_MAN=1 cargo test --test it man_pages`.

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

#[test]
fn man_pages_are_up_to_date() {
    let dir = man_dir();
    let pages = render_all();
    if std::env::var_os("XACCT_UPDATE_MAN").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.extension().is_some_and(|e| e == "1") {
                std::fs::remove_file(p).unwrap();
            }
        }
        for (name, bytes) in &pages {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
        return;
    }
    let mut problems = vec![];
    for (name, bytes) in &pages {
        match std::fs::read(dir.join(name)) {
            Ok(old) if &old == bytes => {}
            Ok(_) => problems.push(format!("man/{name} is stale")),
            Err(_) => problems.push(format!("man/{name} is missing")),
        }
    }
    let expected: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
    for entry in std::fs::read_dir(&dir).into_iter().flatten() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".1") && !expected.contains(&name.as_str()) {
            problems.push(format!("man/{name} has no command any more"));
        }
    }
    assert!(
        problems.is_empty(),
        "{}; regenerate with: {REGEN}",
        problems.join(", ")
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
            "README.md does not link {link}: add a row for it to the `## Command reference` table"
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
