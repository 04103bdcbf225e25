use super::*;
use std::os::unix::fs::{PermissionsExt, symlink};

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".xacct-"))
        .collect()
}

#[test]
fn a_symlink_is_written_through_and_stays_a_link() {
    let d = tempfile::tempdir().unwrap();
    let real_dir = d.path().join("dotfiles");
    std::fs::create_dir(&real_dir).unwrap();
    let real = real_dir.join("aws-config");
    std::fs::write(&real, "old\n").unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = d.path().join("config");
    symlink("dotfiles/aws-config", &link).unwrap();

    let written = replace(&link, b"new\n", 0o600).unwrap();
    assert_eq!(written, d.path().join("dotfiles/aws-config"));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "new\n");
    assert_eq!(mode(&real), 0o640, "the mode is kept");
    assert_eq!(leftovers(&real_dir), Vec::<String>::new());
}

#[test]
fn a_new_file_gets_the_new_mode_and_a_dangling_link_its_target() {
    let d = tempfile::tempdir().unwrap();
    let fresh = d.path().join("sub/fresh");
    replace(&fresh, b"x", 0o600).unwrap();
    assert_eq!(mode(&fresh), 0o600);
    let code = d.path().join("main.tf");
    replace(&code, b"x", 0o644).unwrap();
    assert_eq!(mode(&code), 0o644);

    let link = d.path().join("link");
    symlink(d.path().join("elsewhere/target"), &link).unwrap();
    replace(&link, b"y", 0o600).unwrap();
    assert_eq!(
        std::fs::read_to_string(d.path().join("elsewhere/target")).unwrap(),
        "y"
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn a_link_loop_is_an_error_not_a_hang() {
    let d = tempfile::tempdir().unwrap();
    symlink("b", d.path().join("a")).unwrap();
    symlink("a", d.path().join("b")).unwrap();
    let err = replace(&d.path().join("a"), b"z", 0o600).unwrap_err();
    assert!(err.to_string().contains("symbolic links"), "{err}");
}
