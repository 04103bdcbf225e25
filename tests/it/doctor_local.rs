//! `xacct doctor`'s local checks (issue 11, checks 6-8: keyring, lockdir, cache) against
//! the real binary: a healthy Secret Service (a private bus) and kernel keyring, a locked
//! collection, `--keyring none`, the text and JSON forms, and a secrets scan. The tests
//! that need the unprivileged user (a nearly full key quota, a lock directory of another
//! user's) are in `doctor_local::host`.
//!
//! Assertions are on these three checks by name: the other checks (config ... assume)
//! add lines of their own around them.

mod host;

use crate::keyring::PrivateKeyring;
use crate::util::*;

/// One line of the report: (status, check, detail with its fix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub status: String,
    pub check: String,
    pub detail: String,
}

/// The lines of `check` in the text report (`status  check  detail[; fix: ...]`).
pub fn lines(r: &Run, check: &str) -> Vec<Line> {
    r.stdout
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            let (status, name) = (it.next()?, it.next()?);
            (name == check).then(|| Line {
                status: status.into(),
                check: name.into(),
                detail: l.get(15..).unwrap_or_default().into(),
            })
        })
        .collect()
}

/// Asserts the statuses of `check`'s lines, and that each detail contains its part.
pub fn expect(r: &Run, check: &str, want: &[(&str, &str)]) {
    let got = lines(r, check);
    assert_eq!(
        got.len(),
        want.len(),
        "{check}: {got:#?}\nstdout:\n{}\nstderr:\n{}",
        r.stdout,
        r.stderr
    );
    for (g, (status, part)) in got.iter().zip(want) {
        assert_eq!(&g.status, status, "{check}: {g:#?}\n{}", r.stdout);
        assert!(g.detail.contains(part), "{check}: want {part:?} in {g:#?}");
    }
}

/// `xacct doctor` with this world's role as flags (session `session`), plus `extra`.
pub fn doctor(w: &World, session: &str, extra: &[&str]) -> (Run, String) {
    let (argv, role) = explicit_role(w, session);
    let key = cache_key_for(w, role);
    let mut args: Vec<&str> = vec!["doctor"];
    args.extend(argv[1..].iter().map(String::as_str));
    args.extend(extra);
    (w.run(&args), key)
}

/// Caches this world's role under `session` with credential-process.
fn cache(w: &World, session: &str) {
    let (argv, _) = explicit_role(w, session);
    w.ok(&argv.iter().map(String::as_str).collect::<Vec<_>>());
}

/// No secret moto issued, nor the source's secret key, in doctor's stdout or stderr.
pub fn no_secrets(r: &Run, extra: &[&str]) {
    let mut secrets = issued_secrets();
    secrets.extend(extra.iter().map(|s| s.to_string()));
    secrets.push("source-secret-not-real".into());
    secrets.push("not-real".into());
    let mut found = find_secrets("stdout", r.stdout.as_bytes(), &secrets);
    found.extend(find_secrets("stderr", r.stderr.as_bytes(), &secrets));
    assert!(found.is_empty(), "secrets in doctor's output: {found:?}");
}

fn short(key: &str) -> &str {
    &key[..12]
}

#[test]
fn healthy_with_the_secret_service_of_a_private_bus() {
    let k = PrivateKeyring::start();
    let mut w = World::new();
    w.set("DBUS_SESSION_BUS_ADDRESS", &k.address)
        .set("XACCT_KEYRING", "auto");
    let (before, _) = doctor(&w, "dr-ss", &[]);
    expect(
        &before,
        "cache",
        &[(
            "ok",
            "in secret-service: no entry; the next run assumes the role",
        )],
    );
    cache(&w, "dr-ss");
    let (r, key) = doctor(&w, "dr-ss", &["-vv"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    expect(
        &r,
        "keyring",
        &[
            (
                "ok",
                &format!(
                    "auto uses secret-service: the Secret Service on {} answers",
                    k.address
                ),
            ),
            (
                "ok",
                "a probe entry was stored, read back and deleted in secret-service",
            ),
        ],
    );
    let run_dir = w.home().join("run/xacct");
    expect(
        &r,
        "lockdir",
        &[(
            "ok",
            &format!("{}: owner uid 0 (root), mode 700", run_dir.display()),
        )],
    );
    expect(
        &r,
        "cache",
        &[(
            "ok",
            &format!(
                "role session {} in secret-service: expires in 5",
                short(&key)
            ),
        )],
    );
    no_secrets(&r, &[]);
}

#[test]
fn healthy_with_the_kernel_keyring_as_root() {
    let w = World::new(); // XACCT_KEYRING=keyutils
    cache(&w, "dr-ku");
    let (r, key) = doctor(&w, "dr-ku", &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    expect(
        &r,
        "keyring",
        &[
            ("ok", "keyutils, chosen with XACCT_KEYRING=keyutils"),
            (
                "ok",
                "a probe entry was stored, read back and deleted in keyutils",
            ),
            // Root's quota as it is, estimated from the entry just cached.
            ("ok", "kernel key quota of uid 0: "),
        ],
    );
    let quota = &lines(&r, "keyring")[2].detail;
    assert!(
        quota.contains("root_maxbytes") && quota.contains("measured on this role's current entry"),
        "{quota}"
    );
    expect(&r, "lockdir", &[("ok", "mode 700")]);
    expect(
        &r,
        "cache",
        &[(
            "ok",
            &format!("role session {} in keyutils: expires in 5", short(&key)),
        )],
    );
    // A flag is named as the flag.
    let mut w2 = World::new();
    w2.env.remove("XACCT_KEYRING");
    let (flag, _) = doctor(&w2, "dr-ku", &["--keyring", "keyutils"]);
    assert_eq!(
        lines(&flag, "keyring")[0].detail,
        "keyutils, chosen with --keyring keyutils"
    );
    no_secrets(&r, &[]);
}

#[test]
fn a_locked_collection_fails_when_chosen_and_warns_under_auto() {
    let k = PrivateKeyring::start();
    k.lock();
    let mut w = World::new();
    w.set("DBUS_SESSION_BUS_ADDRESS", &k.address)
        .set("XACCT_KEYRING", "secret-service");
    let (r, _) = doctor(&w, "dr-locked", &[]);
    assert_eq!(r.code, 1, "a failed check: {}\n{}", r.stdout, r.stderr);
    expect(
        &r,
        "keyring",
        &[
            (
                "ok",
                "secret-service, chosen with XACCT_KEYRING=secret-service, but the Secret Service on",
            ),
            (
                "fail",
                "the Secret Service collection is locked: the probe entry could not be read in secret-service",
            ),
        ],
    );
    let fail = &lines(&r, "keyring")[1].detail;
    assert!(
        fail.contains("fix: unlock the login keyring") && fail.contains("--keyring keyutils"),
        "{fail}"
    );
    expect(&r, "cache", &[("ok", "no working store to ask")]);

    w.set("XACCT_KEYRING", "auto");
    let (r, _) = doctor(&w, "dr-locked", &[]);
    expect(
        &r,
        "keyring",
        &[
            ("warn", "auto uses keyutils: the Secret Service on"),
            (
                "ok",
                "a probe entry was stored, read back and deleted in keyutils",
            ),
            ("ok", "kernel key quota of uid 0"),
        ],
    );
    let warn = &lines(&r, "keyring")[0].detail;
    assert!(
        warn.contains("has its default collection locked")
            && warn.contains("fix: unlock the login keyring"),
        "{warn}"
    );
    expect(&r, "cache", &[("ok", "in keyutils: no entry")]);
}

#[test]
fn keyring_none_is_a_warning_and_the_cache_check_skips() {
    let mut w = World::new();
    w.set("XACCT_KEYRING", "none");
    let (r, _) = doctor(&w, "dr-none", &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    expect(
        &r,
        "keyring",
        &[(
            "warn",
            "no cache: XACCT_KEYRING=none; every run calls STS; fix: leave --keyring at auto",
        )],
    );
    expect(&r, "cache", &[("skip", "no cache with --keyring none")]);
}

#[test]
fn json_has_the_same_local_checks_as_the_text() {
    let w = World::new();
    cache(&w, "dr-json");
    let (text, _) = doctor(&w, "dr-json", &[]);
    let (json, _) = doctor(&w, "dr-json", &["--json"]);
    assert_eq!(json.code, text.code);
    let arr = json.json();
    let arr = arr.as_array().expect("one JSON array");
    let from_json: Vec<(String, String, String)> = arr
        .iter()
        .filter(|f| ["keyring", "lockdir", "cache"].contains(&f["check"].as_str().unwrap()))
        .map(|f| {
            let mut d = f["detail"].as_str().unwrap().to_string();
            if let Some(fix) = f["fix"].as_str() {
                d = format!("{d}; fix: {fix}");
            }
            (
                f["check"].as_str().unwrap().into(),
                f["status"].as_str().unwrap().into(),
                d,
            )
        })
        .collect();
    let from_text: Vec<(String, String, String)> = ["keyring", "lockdir", "cache"]
        .iter()
        .flat_map(|c| lines(&text, c))
        .map(|l| (l.check, l.status, l.detail))
        .collect();
    assert_eq!(from_json.len(), 5, "{from_json:#?}");
    // The quota numbers move between two runs (other tests use root's keyring): compare
    // that line up to its numbers.
    let strip = |s: &str| {
        s.chars()
            .filter(|c| !c.is_ascii_digit())
            .collect::<String>()
    };
    for (j, t) in from_json.iter().zip(&from_text) {
        assert_eq!((&j.0, &j.1), (&t.0, &t.1));
        assert_eq!(strip(&j.2), strip(&t.2), "{j:?} vs {t:?}");
    }
    for f in arr {
        assert!(f.get("fix").is_some(), "{f}");
    }
    no_secrets(&json, &[]);
}

#[test]
fn a_chosen_secret_service_without_a_bus_fails_naming_why() {
    let mut w = World::new();
    w.set("XACCT_KEYRING", "secret-service");
    w.env.remove("DBUS_SESSION_BUS_ADDRESS");
    let (r, _) = doctor(&w, "dr-nobus", &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let bus = w.home().join("run/bus");
    expect(
        &r,
        "keyring",
        &[
            (
                "ok",
                &format!(
                    "secret-service, chosen with XACCT_KEYRING=secret-service, but no session bus (DBUS_SESSION_BUS_ADDRESS unset, no {})",
                    bus.display()
                ),
            ),
            (
                "fail",
                "the secret-service store could not be opened: no Secret Service on the session bus; runs warn and call STS every time; fix: make the store reachable, or use --keyring keyutils",
            ),
        ],
    );
    expect(&r, "cache", &[("ok", "no working store to ask")]);
}

/// Without role options (or with a config that does not resolve) the cache check has no
/// role to look up: it skips and says why; the keyring and lock directory are checked.
#[test]
fn without_a_role_the_cache_check_skips() {
    let w = World::new();
    let r = w.run(&["doctor"]);
    expect(
        &r,
        "keyring",
        &[
            ("ok", "keyutils, chosen"),
            ("ok", "a probe entry"),
            ("ok", "kernel key quota"),
        ],
    );
    expect(&r, "lockdir", &[("ok", "mode 700")]);
    expect(&r, "cache", &[("skip", "no role to look up")]);
}
