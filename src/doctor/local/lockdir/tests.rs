use super::*;
use crate::doctor::Status;
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};

const ME: u32 = 1001;
const OTHER: u32 = 1002;

fn names(uid: u32) -> Option<String> {
    match uid {
        0 => Some("root".into()),
        ME => Some("backup".into()),
        OTHER => Some("alice".into()),
        _ => None,
    }
}

fn dir(uid: u32, mode: u32) -> Stat {
    Stat {
        uid,
        mode,
        is_dir: true,
        is_symlink: false,
    }
}

/// `/run/user/1001/xacct` with `own`, below `/run/user/1001` (`parent`), `/run/user`, `/run`, `/`.
fn facts(path: &str, own: Option<Stat>, parent: Stat) -> Facts {
    let p = PathBuf::from(path);
    let mut above = vec![(p.parent().unwrap().to_path_buf(), parent)];
    for a in p.parent().unwrap().ancestors().skip(1) {
        above.push((a.to_path_buf(), dir(0, 0o755)));
    }
    Facts {
        dir: p,
        own,
        above: Ok(above),
    }
}

const RUN: &str = "/run/user/1001/xacct";
const CACHE: &str = "/home/backup/.cache/xacct";

/// (case, facts of the usual directory, the refusal's why and fix, or None when used)
type Case = (&'static str, Facts, Option<(&'static str, &'static str)>);

#[test]
fn the_ownership_rule_of_cache_dir() {
    let link = Stat {
        is_symlink: true,
        is_dir: false,
        ..dir(ME, 0o777)
    };
    let file = Stat {
        is_dir: false,
        ..dir(ME, 0o600)
    };
    let table: Vec<Case> = vec![
        (
            "ours, 700",
            facts(RUN, Some(dir(ME, 0o700)), dir(ME, 0o700)),
            None,
        ),
        ("missing below ours", facts(RUN, None, dir(ME, 0o700)), None),
        (
            "missing below sticky /tmp",
            facts("/tmp/xacct", None, dir(0, 0o1777)),
            None,
        ),
        (
            "another user's",
            facts(RUN, Some(dir(OTHER, 0o700)), dir(OTHER, 0o700)),
            Some((
                "belongs to uid 1002 (alice), not to this user (uid 1001 (backup)) or root",
                "unset XDG_RUNTIME_DIR",
            )),
        ),
        (
            "ours inside another user's",
            facts(RUN, Some(dir(ME, 0o700)), dir(OTHER, 0o700)),
            Some((
                "/run/user/1001, which belongs to uid 1002 (alice)",
                "chown backup /run/user/1001",
            )),
        ),
        (
            "the directory itself another user's",
            facts(RUN, Some(dir(OTHER, 0o700)), dir(ME, 0o700)),
            Some((
                "/run/user/1001/xacct belongs to uid 1002 (alice), not to this user",
                "chown backup /run/user/1001/xacct",
            )),
        ),
        (
            "world-writable",
            facts(RUN, Some(dir(ME, 0o777)), dir(ME, 0o700)),
            Some((
                "writable by its group or others (mode 777)",
                "chmod 700 /run/user/1001/xacct",
            )),
        ),
        (
            "group-writable",
            facts(RUN, Some(dir(ME, 0o770)), dir(ME, 0o700)),
            Some(("(mode 770)", "chmod 700")),
        ),
        (
            "a symlink",
            facts(RUN, Some(link), dir(ME, 0o700)),
            Some((
                "/run/user/1001/xacct is a symlink",
                "rm /run/user/1001/xacct",
            )),
        ),
        (
            "a file",
            facts(RUN, Some(file), dir(ME, 0o700)),
            Some(("is not a directory", "move /run/user/1001/xacct away")),
        ),
        (
            "parent world-writable, not sticky",
            facts(RUN, None, dir(ME, 0o777)),
            Some(("without the sticky bit", "chmod go-w /run/user/1001")),
        ),
        (
            "unreadable",
            Facts {
                dir: RUN.into(),
                own: None,
                above: Err("cannot read /run/user: permission denied".into()),
            },
            Some(("cannot read /run/user", "readable")),
        ),
    ];
    for (case, f, want) in table {
        let got = judge(&f, ME, &names);
        match (got, want) {
            (Ok(exists), None) => assert_eq!(exists, f.own.is_some(), "{case}"),
            (Err(r), Some((why, fix))) => {
                assert!(r.why.contains(why), "{case}: {}", r.why);
                assert!(r.fix.contains(fix), "{case}: {}", r.fix);
            }
            (got, want) => panic!("{case}: got {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn a_refused_usual_directory_with_a_fallback_is_a_warning_naming_both() {
    let usual = facts(RUN, Some(dir(OTHER, 0o700)), dir(OTHER, 0o700));
    let fallback = facts(CACHE, Some(dir(ME, 0o700)), dir(ME, 0o755));
    let (f, used) = findings(&[usual, fallback], ME, &names);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].status, Status::Warn, "{f:?}");
    for want in [RUN, "uid 1002 (alice)", CACHE, "runs use", "mode 700"] {
        assert!(f[0].detail.contains(want), "{want}: {}", f[0].detail);
    }
    assert!(f[0].fix.as_deref().unwrap().contains("su -"), "{f:?}");
    assert_eq!(used, Some(PathBuf::from(CACHE)));
}

#[test]
fn the_usual_directory_is_ok_and_a_missing_one_is_what_the_next_run_creates() {
    let (f, used) = findings(
        &[facts(RUN, Some(dir(ME, 0o700)), dir(ME, 0o700))],
        ME,
        &names,
    );
    assert_eq!(f[0].status, Status::Ok);
    assert_eq!(
        f[0].detail,
        format!("{RUN}: owner uid 1001 (backup), mode 700")
    );
    assert_eq!(used, Some(PathBuf::from(RUN)));
    let (f, used) = findings(&[facts(RUN, None, dir(ME, 0o700))], ME, &names);
    assert_eq!(f[0].status, Status::Ok);
    assert!(
        f[0].detail
            .contains("does not exist yet; the next run creates it"),
        "{f:?}"
    );
    assert_eq!(used, None, "no index to read");
}

#[test]
fn no_usable_directory_is_a_failure_with_every_fix() {
    let a = facts(RUN, Some(dir(ME, 0o777)), dir(ME, 0o700));
    let b = facts(CACHE, Some(link_to_nowhere()), dir(ME, 0o700));
    let (f, used) = findings(&[a, b], ME, &names);
    assert_eq!((f[0].status, used), (Status::Fail, None));
    assert!(f[0].detail.contains("no usable lock directory"), "{f:?}");
    let fix = f[0].fix.as_deref().unwrap();
    assert!(fix.contains("chmod 700") && fix.contains("rm "), "{fix}");
    let (f, _) = findings(&[], ME, &names);
    assert_eq!(f[0].status, Status::Fail);
    assert!(f[0].fix.as_deref().unwrap().contains("set HOME"));
}

fn link_to_nowhere() -> Stat {
    Stat {
        uid: ME,
        mode: 0o777,
        is_dir: false,
        is_symlink: true,
    }
}

#[test]
fn passwd_names() {
    let passwd =
        "root:x:0:0:root:/root:/bin/bash\nxacct-test:x:1001:1001::/home/xacct-test:/bin/sh\n";
    assert_eq!(user_name(passwd, 1001).as_deref(), Some("xacct-test"));
    assert_eq!(user_name(passwd, 0).as_deref(), Some("root"));
    assert_eq!(user_name(passwd, 7), None);
}

fn chmod(p: &Path, m: u32) {
    fs::set_permissions(p, fs::Permissions::from_mode(m)).unwrap();
}

/// Doctor's judgement of real directories agrees with the rule a run applies
/// (`cache::dir::choose`, which creates what it accepts: so it is asked second).
#[test]
fn doctor_agrees_with_cache_dir_on_real_directories() {
    type Setup = fn(&Path);
    let table: [(&str, Setup); 7] = [
        ("missing", |_| {}),
        ("private", |d| {
            fs::create_dir(d).unwrap();
            chmod(d, 0o700);
        }),
        ("world-writable", |d| {
            fs::create_dir(d).unwrap();
            chmod(d, 0o777);
        }),
        ("group-writable", |d| {
            fs::create_dir(d).unwrap();
            chmod(d, 0o720);
        }),
        ("a symlink", |d| {
            fs::create_dir(d.with_file_name("elsewhere")).unwrap();
            symlink(d.with_file_name("elsewhere"), d).unwrap();
        }),
        ("a file", |d| fs::write(d, "").unwrap()),
        ("open parent", |d| chmod(d.parent().unwrap(), 0o777)),
    ];
    let me = rustix::process::geteuid().as_raw();
    for (case, setup) in table {
        let t = tempfile::tempdir().unwrap();
        let parent = t.path().join("run");
        fs::create_dir(&parent).unwrap();
        chmod(&parent, 0o700);
        let d = parent.join("xacct");
        setup(&d);
        let doctor = judge(&super::facts(&d), me, &|_| None);
        let existed = fs::symlink_metadata(&d).is_ok();
        let (run, _) = crate::cache::dir::choose(std::slice::from_ref(&d));
        assert_eq!(doctor.is_ok(), run.is_some(), "{case}: doctor {doctor:?}");
        if let Ok(exists) = doctor {
            assert_eq!(exists, existed, "{case}");
        }
        chmod(&parent, 0o700);
    }
}
