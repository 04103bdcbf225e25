use super::*;
use crate::settings::Profiles;
use std::ffi::{OsStr, OsString};

fn os(v: &[&str]) -> Vec<OsString> {
    v.iter().map(OsString::from).collect()
}

#[test]
fn default_profile_table() {
    // (keys of [default], warned about)
    let table: [(&[&str], Option<&str>); 5] = [
        (&[], None),
        (&["region"], None),
        (&["aws_access_key_id"], Some("aws_access_key_id")),
        (&["region", "role_arn"], Some("role_arn")),
        (&["credential_process"], Some("credential_process")),
    ];
    for (keys, want) in table {
        let mut p = Profiles::default();
        p.profiles.insert(
            "default".into(),
            keys.iter().map(|k| (k.to_string(), "x".into())).collect(),
        );
        let got = default_profile_shadows_endpoint(&p);
        assert_eq!(got.is_some(), want.is_some(), "{keys:?}");
        if let (Some(msg), Some(key)) = (got, want) {
            assert!(msg.contains(key), "{msg}");
        }
    }
    assert_eq!(default_profile_shadows_endpoint(&Profiles::default()), None);
}

#[test]
fn every_shadowing_key_is_loaded_from_the_profile_files_and_named_together() {
    for key in SHADOWING_KEYS {
        assert!(
            crate::aws::profile::KEYS.contains(key),
            "{key} is not loaded"
        );
    }
    let mut p = Profiles::default();
    p.profiles.insert(
        "default".into(),
        [
            ("sso_session", "x"),
            ("region", "x"),
            ("source_profile", "y"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    );
    let msg = default_profile_shadows_endpoint(&p).unwrap();
    assert!(msg.contains("has source_profile, sso_session:"), "{msg}");
}

#[test]
fn nesting_table() {
    // (marker, --allow-nested, refused)
    let table = [
        (None, false, false),
        (Some(""), false, false),
        (Some("arn:aws:iam::111111111111:role/a"), false, true),
        (Some("arn:aws:iam::111111111111:role/a"), true, false),
    ];
    for (marker, allow, refused) in table {
        let r = check_nesting(marker.map(OsStr::new), allow);
        assert_eq!(r.is_err(), refused, "{marker:?} {allow}");
        if let Err(e) = r {
            assert_eq!(e.exit_code(), 2);
            let msg = e.to_string();
            assert!(
                msg.contains("--allow-nested") && msg.contains("role/a"),
                "{msg}"
            );
        }
    }
}

/// (command, stdin is a terminal, $SHELL, Some((program, args)) or None for an error)
type CommandCase<'a> = (
    &'a [&'a str],
    bool,
    Option<OsString>,
    Option<(&'a str, &'a [&'a str])>,
);

#[test]
fn command_table() {
    let zsh = Some(OsString::from("/bin/zsh"));
    let table: [CommandCase; 7] = [
        (&["env"], false, None, Some(("env", &[]))),
        (
            &["aws", "s3", "ls", "--profile", "x"],
            false,
            None,
            Some(("aws", &["s3", "ls", "--profile", "x"])),
        ),
        (&[], true, zsh.clone(), Some(("/bin/zsh", &[]))),
        (&[], true, None, Some(("/bin/sh", &[]))),
        (&[], true, Some(OsString::new()), Some(("/bin/sh", &[]))),
        (&[], false, zsh, None),
        (&[""], true, None, None),
    ];
    for (command, tty, shell, want) in table {
        let got = pick_command(&os(command), tty, shell.clone());
        match want {
            Some((program, args)) => {
                let (p, a) = got.unwrap();
                assert_eq!((p, a), (OsString::from(program), os(args)), "{command:?}");
            }
            None => assert_eq!(got.unwrap_err().exit_code(), 2, "{command:?} {tty}"),
        }
    }
}

#[cfg(unix)]
#[test]
fn program_lookup_table() {
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("job.sh");
    let plain = dir.path().join("notes.txt");
    std::fs::write(&exe, "#!/bin/sh\n").unwrap();
    std::fs::write(&plain, "").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = std::env::join_paths(["/nonexistent", dir.path().to_str().unwrap()]).unwrap();
    // (program, PATH, found)
    let table = [
        ("job.sh", Some(path.as_os_str()), true),
        ("notes.txt", Some(path.as_os_str()), false),
        ("missing", Some(path.as_os_str()), false),
        ("job.sh", None, false),
        (exe.to_str().unwrap(), None, true),
        ("/nonexistent/job.sh", None, false),
    ];
    for (program, path, found) in table {
        let r = check_program(OsStr::new(program), path);
        assert_eq!(r.is_ok(), found, "{program} {path:?}");
        if let Err(e) = r {
            assert_eq!(e.exit_code(), 2);
        }
    }
}
