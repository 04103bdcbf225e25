use super::*;
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};

fn mode(p: &Path) -> u32 {
    fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

fn chmod(p: &Path, m: u32) {
    fs::set_permissions(p, fs::Permissions::from_mode(m)).unwrap();
}

#[test]
fn a_missing_directory_is_created_private_and_used_without_a_warning() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("run/xacct");
    assert_eq!(
        choose(std::slice::from_ref(&dir)),
        (Some(dir.clone()), None)
    );
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&t.path().join("run")), 0o700);
}

/// (case, how the first candidate is set up, what the warning names)
#[test]
fn an_untrusted_directory_falls_back_with_one_warning() {
    type Setup = fn(&Path, &Path);
    let table: [(&str, Setup, &str); 5] = [
        (
            "a symlink to a directory of ours",
            |t, d| {
                fs::create_dir(t.join("elsewhere")).unwrap();
                symlink(t.join("elsewhere"), d).unwrap();
            },
            "is a symlink",
        ),
        (
            "world-writable",
            |_, d| {
                fs::create_dir(d).unwrap();
                chmod(d, 0o777);
            },
            "writable by its group or others (mode 777)",
        ),
        (
            "group-writable",
            |_, d| {
                fs::create_dir(d).unwrap();
                chmod(d, 0o770);
            },
            "writable by its group or others (mode 770)",
        ),
        (
            "a file",
            |_, d| fs::write(d, "").unwrap(),
            "is not a directory",
        ),
        (
            "in a world-writable parent without the sticky bit",
            |_, d| chmod(d.parent().unwrap(), 0o777),
            "is writable by its group or others (mode 777); chmod go-w it",
        ),
    ];
    for (case, setup, want) in table {
        let t = tempfile::tempdir().unwrap();
        let first = t.path().join("run/xacct");
        fs::create_dir(t.path().join("run")).unwrap();
        setup(t.path(), &first);
        let fallback = t.path().join("home/.cache/xacct");
        let (got, warning) = choose(&[first.clone(), fallback.clone()]);
        assert_eq!(got, Some(fallback.clone()), "{case}");
        let warning = warning.unwrap_or_else(|| panic!("{case}: no warning"));
        assert!(warning.contains(want), "{case}: {warning}");
        assert!(
            warning.contains(&first.display().to_string())
                && warning.ends_with(&format!("using {} instead", fallback.display())),
            "{case}: {warning}"
        );
        assert!(!warning.contains('\n'), "{case}: {warning}");
        assert_eq!(mode(&fallback), 0o700, "{case}");
        // Nothing was created through the untrusted path.
        if t.path().join("elsewhere").exists() {
            assert_eq!(fs::read_dir(t.path().join("elsewhere")).unwrap().count(), 0);
        }
        chmod(&t.path().join("run"), 0o700);
    }
}

#[test]
fn a_sticky_world_writable_parent_is_fine() {
    let t = tempfile::tempdir().unwrap();
    let shared = t.path().join("shared");
    fs::create_dir(&shared).unwrap();
    chmod(&shared, 0o1777);
    let dir = shared.join("xacct");
    assert_eq!(
        choose(std::slice::from_ref(&dir)),
        (Some(dir.clone()), None)
    );
}

#[test]
fn no_trusted_directory_means_no_lock_and_one_warning() {
    let t = tempfile::tempdir().unwrap();
    let a = t.path().join("a");
    let b = t.path().join("b");
    for d in [&a, &b] {
        fs::create_dir(d).unwrap();
        chmod(d, 0o777);
    }
    let (got, warning) = choose(&[a, b]);
    assert_eq!(got, None);
    let warning = warning.unwrap();
    assert!(
        warning.ends_with("running without the cross-process lock and the cache index"),
        "{warning}"
    );
    assert_eq!(
        warning.matches("writable by its group or others").count(),
        2
    );
}
