//! Which keyring store holds the cache, and what happens when it is missing, locked or
//! dies while xacct runs. Each test that harms a daemon gets a private D-Bus bus and
//! gnome-keyring of its own (as scripts/lib/services.sh starts the shared one), stopped
//! by PID when the test ends. Corrupt entries are in `cache`.

use crate::util::*;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A private session bus with an unlocked gnome-keyring "login" collection.
pub struct PrivateKeyring {
    _dir: tempfile::TempDir,
    pub address: String,
    bus: Child,
    daemon: Option<Child>,
}

impl PrivateKeyring {
    pub fn start() -> PrivateKeyring {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for sub in ["data", "run"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        let conf = d.join("bus.conf");
        // No service directories: nothing is auto-activated (no prompter, no stray daemon).
        std::fs::write(
            &conf,
            format!(
                "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\" \
                 \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\
                 <busconfig><type>session</type><listen>unix:path={}</listen><auth>EXTERNAL</auth>\
                 <policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>\
                 <allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>",
                d.join("bus").display()
            ),
        )
        .unwrap();
        let bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", conf.display()))
            .args(["--nofork", "--nopidfile"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (run the tests through scripts/test)");
        let address = format!("unix:path={}", d.join("bus").display());
        let mut k = PrivateKeyring {
            _dir: dir,
            address,
            bus,
            daemon: None,
        };
        wait_for(|| k.dir().join("bus").exists(), "the private bus socket");
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &k.address)
            .env("XDG_DATA_HOME", k.dir().join("data"))
            .env("XDG_RUNTIME_DIR", k.dir().join("run"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon (run the tests through scripts/test)");
        {
            use std::io::Write;
            let mut stdin = daemon.stdin.take().unwrap();
            stdin.write_all(b"private-test-password").unwrap();
        }
        k.daemon = Some(daemon);
        wait_for(
            || k.name_has_owner(),
            "org.freedesktop.secrets on the private bus",
        );
        k
    }

    fn dir(&self) -> &Path {
        self._dir.path()
    }

    fn dbus_send(&self, args: &[&str]) -> String {
        let out = Command::new("dbus-send")
            .args(["--print-reply", "--reply-timeout=5000"])
            .args(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn name_has_owner(&self) -> bool {
        self.dbus_send(&[
            "--session",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            "string:org.freedesktop.secrets",
        ])
        .contains("boolean true")
    }

    /// Locks the login collection (as a screen locker would).
    pub fn lock(&self) {
        self.dbus_send(&[
            "--session",
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/collection/login",
        ]);
        let locked = self.dbus_send(&[
            "--session",
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets/collection/login",
            "org.freedesktop.DBus.Properties.Get",
            "string:org.freedesktop.Secret.Collection",
            "string:Locked",
        ]);
        assert!(locked.contains("boolean true"), "not locked: {locked}");
    }

    /// Kills the keyring daemon (SIGKILL, by its PID); the bus stays up.
    pub fn kill_daemon(&mut self) {
        if let Some(mut d) = self.daemon.take() {
            d.kill().unwrap();
            d.wait().unwrap();
        }
    }
}

impl Drop for PrivateKeyring {
    fn drop(&mut self) {
        self.kill_daemon();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

fn wait_for(mut ok: impl FnMut() -> bool, what: &str) {
    for _ in 0..100 {
        if ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} did not appear within 10 s");
}

const ARGS: [&str; 3] = ["credential-process", "--profile", "target"];

fn run(w: &World) -> Run {
    w.run(&ARGS)
}

/// Exit 0 with a valid document for account A and at most `warnings` lines on stderr.
fn assert_answered(r: &Run, warnings: usize) {
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["AccountId"], ACCOUNT_A);
    assert!(
        r.stderr.lines().count() <= warnings,
        "more than {warnings} warning(s): {}",
        r.stderr
    );
    assert!(
        r.stderr.lines().all(|l| l.starts_with("xacct: warning: ")),
        "{}",
        r.stderr
    );
}

#[test]
fn a_locked_collection_means_uncached_with_one_warning_never_a_prompt() {
    let k = PrivateKeyring::start();
    k.lock();
    let mut w = World::new();
    w.target_profile("");
    w.set("DBUS_SESSION_BUS_ADDRESS", &k.address)
        .set("XACCT_KEYRING", "secret-service");
    for n in 1..=2 {
        let r = run(&w);
        assert_answered(&r, 1);
        assert_eq!(r.stderr.lines().count(), 1, "one warning: {}", r.stderr);
        assert!(r.stderr.contains("cache"), "{}", r.stderr);
        assert_eq!(w.assume_count(), n, "nothing could be cached");
    }
}

/// Unlocking can show a prompt that waits for an answer with no timeout: a cron job on a
/// host whose desktop session is locked would hang. An entry cached before the collection
/// was locked is neither read, replaced nor cleared by unlocking it; the run goes uncached.
#[test]
fn a_locked_entry_is_never_unlocked_so_no_run_can_wait_on_a_prompt() {
    let k = PrivateKeyring::start();
    let mut w = World::new();
    w.target_profile("");
    w.set("DBUS_SESSION_BUS_ADDRESS", &k.address)
        .set("XACCT_KEYRING", "secret-service");
    assert_answered(&run(&w), 0);
    assert_eq!(w.assume_count(), 1, "cached while unlocked");
    k.lock();
    let mut monitor = Command::new("dbus-monitor")
        .args(["--address", &k.address])
        .args(["type='method_call',member='Unlock'"])
        .args(["type='method_call',member='SearchItems'"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-monitor (run the tests through scripts/test)");
    std::thread::sleep(Duration::from_millis(500));
    let r = run(&w);
    assert_answered(&r, 1);
    assert_eq!(w.assume_count(), 2, "the locked entry was not served");
    w.run(&["cache", "clear", "--profile", "target"]);
    std::thread::sleep(Duration::from_millis(500));
    monitor.kill().unwrap();
    let out = monitor.wait_with_output().unwrap();
    let seen = String::from_utf8_lossy(&out.stdout);
    assert!(
        seen.contains("member=SearchItems"),
        "the monitor saw nothing: {seen}"
    );
    assert!(
        !seen.contains("member=Unlock"),
        "xacct asked to unlock: {seen}"
    );
}

#[test]
fn auto_with_a_locked_secret_service_caches_in_keyutils() {
    // Was an AssumeRole on every run: a search in the locked collection found nothing,
    // the store went to keyutils, and the next lookup asked the Secret Service again.
    let k = PrivateKeyring::start();
    k.lock();
    let mut w = World::new();
    w.target_profile("");
    w.set("DBUS_SESSION_BUS_ADDRESS", &k.address)
        .set("XACCT_KEYRING", "auto");
    for _ in 0..2 {
        let r = run(&w);
        assert_answered(&r, 0);
        assert_eq!(r.stderr, "", "auto falls back silently");
    }
    assert_eq!(w.assume_count(), 1, "auto cached in keyutils");
}

#[test]
fn a_keyring_daemon_dying_mid_run_costs_only_the_cache() {
    let mut k = PrivateKeyring::start();
    let mut w = World::new();
    w.target_profile("");
    w.set("DBUS_SESSION_BUS_ADDRESS", &k.address)
        .set("XACCT_KEYRING", "secret-service");
    let first = run(&w);
    assert_answered(&first, 0);
    assert_eq!(first.stderr, "");
    // Processes in every phase (bus connect, lookup, store) while the daemon dies.
    let children: Vec<_> = (0..16)
        .map(|i| {
            if i == 8 {
                k.kill_daemon();
            }
            w.spawn(&ARGS)
        })
        .collect();
    for c in children {
        let r = Run::from(c.wait_with_output().unwrap());
        assert_answered(&r, 1);
    }
    let after = run(&w);
    assert_answered(&after, 1);
    assert!(
        after.stderr.contains("continuing without a cache"),
        "{}",
        after.stderr
    );
}

/// `credential-process` with role flags only (no profile), which must succeed.
fn cp_flags(w: &World) -> Run {
    let (argv, _) = explicit_role(w, "keyring-test");
    w.ok(&argv.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn auto_uses_secret_service_when_it_answers_and_keyutils_otherwise() {
    let mut w = World::new();
    w.set("XACCT_KEYRING", "auto")
        .set("DBUS_SESSION_BUS_ADDRESS", &dbus_address());
    cp_flags(&w);
    let key = cache_key_for(&w, explicit_role(&w, "keyring-test").1);
    let ss = open_store("secret-service");
    assert!(
        ss.get(&key).unwrap().is_some(),
        "auto picked the Secret Service"
    );
    ss.delete(&key).unwrap();

    let mut w = World::new();
    w.set("XACCT_KEYRING", "auto")
        .set("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    let r = cp_flags(&w);
    assert_eq!(r.stderr, "", "falling back to keyutils is silent");
    cp_flags(&w);
    assert_eq!(w.assume_count(), 1, "keyutils served the second call");
}

#[test]
fn missing_keyring_warns_once_and_still_answers() {
    let mut w = World::new();
    w.set("XACCT_KEYRING", "secret-service")
        .set("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    let r = cp_flags(&w);
    assert_eq!(r.json()["AccountId"], ACCOUNT_A);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("continuing without a cache"),
        "{}",
        r.stderr
    );
}
