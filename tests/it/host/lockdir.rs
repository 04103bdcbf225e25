//! `su` without `-`: root runs xacct with another user's XDG_RUNTIME_DIR. Before issue
//! 10 xacct used `$XDG_RUNTIME_DIR/xacct` as it found it, and root created files
//! wherever the symlinks planted there pointed. Now a lock directory that is not
//! root's alone is refused: the credentials still come, from the private
//! `~/.cache/xacct`, with one warning, and no planted symlink is followed.

use super::host_user;
use crate::util::*;
use std::os::unix::fs::{PermissionsExt, chown, symlink};
use std::path::Path;

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// How the runtime dir (`run`) and its `xacct` are set up in each case.
#[derive(Clone, Copy, Debug)]
enum Case {
    /// `run/xacct` belongs to the other user (their own xacct made it).
    OwnedByOther,
    /// `run/xacct` is root's but world-writable.
    WorldWritable,
    /// `run/xacct` is root's but group-writable.
    GroupWritable,
    /// `run` belongs to the other user and has no `xacct` yet: root must not create one
    /// there (the owner could swap it for a directory of links).
    ParentOwnedByOther,
}

#[test]
fn a_lock_directory_another_user_can_change_is_not_used() {
    let (uid, gid) = host_user();
    let cases = [
        (Case::OwnedByOther, "belongs to uid"),
        (
            Case::WorldWritable,
            "writable by its group or others (mode 777)",
        ),
        (
            Case::GroupWritable,
            "writable by its group or others (mode 770)",
        ),
        (Case::ParentOwnedByOther, "belongs to uid"),
    ];
    for (case, want) in cases {
        let mut w = World::new();
        let (argv, role) = explicit_role(&w, "su-keeps-env");
        let key = cache_key_for(&w, role);
        let run = w.home().join("other-run");
        let planted = run.join("xacct");
        let victims = w.home().join("victims");
        std::fs::create_dir_all(&victims).unwrap();
        std::fs::create_dir(&run).unwrap();
        chmod(&run, 0o700);
        if !matches!(case, Case::ParentOwnedByOther) {
            std::fs::create_dir(&planted).unwrap();
            for (name, target) in [
                (format!("{key}.lock"), "key-lock"),
                ("index.lock".to_string(), "index-lock"),
                ("index.json".to_string(), "index-json"),
            ] {
                symlink(victims.join(target), planted.join(name)).unwrap();
            }
        }
        match case {
            Case::OwnedByOther => {
                chmod(&planted, 0o700);
                chown(&planted, Some(uid), Some(gid)).unwrap();
                chown(&run, Some(uid), Some(gid)).unwrap();
            }
            Case::WorldWritable => chmod(&planted, 0o777),
            Case::GroupWritable => chmod(&planted, 0o770),
            Case::ParentOwnedByOther => chown(&run, Some(uid), Some(gid)).unwrap(),
        }
        w.set("XDG_RUNTIME_DIR", run.to_str().unwrap());
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let r = w.run(&argv);
        assert_eq!(r.code, 0, "{case:?}: {}", r.stderr);
        assert_eq!(r.json()["AccountId"], ACCOUNT_A, "{case:?}");
        // No symlink was followed, nothing was made in the other user's directory.
        let made: Vec<_> = std::fs::read_dir(&victims).unwrap().collect();
        assert!(
            made.is_empty(),
            "{case:?}: files made through links: {made:?}"
        );
        if matches!(case, Case::ParentOwnedByOther) {
            assert!(
                !planted.exists(),
                "{case:?}: xacct made {}",
                planted.display()
            );
        }
        // One warning: which directory was refused, why, and which is used instead.
        let fallback = w.home().join("cache/xacct");
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{case:?}: {}", r.stderr);
        for part in [
            want,
            &planted.display().to_string(),
            &format!("using {} instead", fallback.display()),
        ] {
            assert!(lines[0].contains(part), "{case:?}: {part}: {}", lines[0]);
        }
        // The private directory took the lock and the index.
        assert_eq!(
            std::fs::metadata(&fallback).unwrap().permissions().mode() & 0o777,
            0o700
        );
        assert!(fallback.join(format!("{key}.lock")).is_file(), "{case:?}");
        let index = std::fs::read_to_string(fallback.join("index.json")).unwrap();
        assert!(index.contains(&w.role_arn), "{case:?}: {index}");
        // A second run is a cache hit, which needs no lock directory: it checks none
        // and warns of nothing (issue 15).
        let again = w.run(&argv);
        assert_eq!(again.code, 0, "{case:?}: {}", again.stderr);
        assert_eq!(again.stderr, "", "{case:?}");
        assert_eq!(w.assume_count(), 1, "{case:?}: the second run was a hit");
        // A refresh takes the lock again: the same one warning.
        open_store("keyutils").delete(&key).unwrap();
        let refresh = w.run(&argv);
        assert_eq!(refresh.code, 0, "{case:?}: {}", refresh.stderr);
        assert_eq!(w.assume_count(), 2, "{case:?}: the third run refreshed");
        assert_eq!(refresh.stderr, r.stderr, "{case:?}");
    }
}
