//! The harness: one temp HOME per test, the real `xacct` binary, moto for STS/IAM.
//!
//! The services come from `scripts/test`; a test run without them fails and says so.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

pub const ACCOUNT_A: &str = "111111111111";

/// moto's base URL, from `scripts/test`.
pub fn moto_url() -> String {
    std::env::var("XACCT_TEST_MOTO_URL").unwrap_or_else(|_| {
        panic!("XACCT_TEST_MOTO_URL is not set: moto is not running; run the tests through scripts/test")
    })
}

/// The venv with the AWS CLI v1 and boto3, from `scripts/test`.
pub fn venv_bin(tool: &str) -> PathBuf {
    let venv = std::env::var("XACCT_TEST_VENV").unwrap_or_else(|_| {
        panic!("XACCT_TEST_VENV is not set: run the tests through scripts/test")
    });
    let p = Path::new(&venv).join("bin").join(tool);
    assert!(
        p.exists(),
        "{} is missing: run the tests through scripts/test",
        p.display()
    );
    p
}

/// The D-Bus session with an unlocked gnome-keyring, from `scripts/test`.
pub fn dbus_address() -> String {
    assert!(
        std::env::var("XACCT_TEST_SECRET_SERVICE").is_ok(),
        "no Secret Service test daemon: run the tests through scripts/test"
    );
    std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_else(|_| {
        panic!("DBUS_SESSION_BUS_ADDRESS is not set: run the tests through scripts/test")
    })
}

pub fn xacct_bin() -> &'static str {
    env!("CARGO_BIN_EXE_xacct")
}

/// A name no other test (or earlier run) uses, so keyring entries and moto records of
/// parallel tests never mix.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}-{}-{nanos}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
    .chars()
    .take(64)
    .collect()
}

/// One test's world: a temp HOME with an AWS config, credentials file and runtime dir.
pub struct World {
    pub dir: tempfile::TempDir,
    pub env: BTreeMap<String, String>,
    /// A role in account A no other test uses.
    pub role_arn: String,
    /// Access key id of the `src` profile (static keys moto accepts, account 123456789012).
    pub source_key: String,
}

impl World {
    pub fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_path_buf();
        for sub in [".aws", "run", "cache"] {
            std::fs::create_dir_all(home.join(sub)).unwrap();
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(home.join("run"), std::fs::Permissions::from_mode(0o700))
                .unwrap();
        }
        let source_key = format!("AKIA{}", &unique("K").replace(['-', 'K'], "")[..12]);
        let mut env = BTreeMap::new();
        let mut set = |k: &str, v: String| {
            env.insert(k.to_string(), v);
        };
        set("PATH", std::env::var("PATH").unwrap_or_default());
        set("HOME", home.display().to_string());
        set("USER", "tester".into());
        set("XDG_RUNTIME_DIR", home.join("run").display().to_string());
        set("XDG_CACHE_HOME", home.join("cache").display().to_string());
        set(
            "AWS_CONFIG_FILE",
            home.join(".aws/config").display().to_string(),
        );
        set(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.join(".aws/credentials").display().to_string(),
        );
        set("AWS_ENDPOINT_URL", moto_url());
        set("AWS_EC2_METADATA_DISABLED", "true".into());
        set("XACCT_KEYRING", "keyutils".into());
        let w = World {
            dir,
            env,
            role_arn: format!("arn:aws:iam::{ACCOUNT_A}:role/{}", unique("r")),
            source_key,
        };
        w.write_credentials(&format!(
            "[src]\naws_access_key_id = {}\naws_secret_access_key = source-secret-not-real\n",
            w.source_key
        ));
        w
    }

    pub fn home(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `~/.aws/config` (the text is used as given).
    pub fn write_config(&self, text: &str) {
        std::fs::write(self.home().join(".aws/config"), text).unwrap();
    }

    pub fn write_credentials(&self, text: &str) {
        std::fs::write(self.home().join(".aws/credentials"), text).unwrap();
    }

    /// A config with `[profile target]` assuming `self.role_arn` from `src`, plus `extra`
    /// lines in the target profile.
    pub fn target_profile(&self, extra: &str) {
        self.write_config(&format!(
            "[profile target]\nrole_arn = {}\nsource_profile = src\nregion = us-east-1\n{extra}\n",
            self.role_arn
        ));
    }

    pub fn set(&mut self, k: &str, v: &str) -> &mut World {
        self.env.insert(k.into(), v.into());
        self
    }

    /// `xacct ARGS` with exactly this world's environment.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(xacct_bin());
        c.args(args)
            .env_clear()
            .envs(&self.env)
            .stdin(Stdio::null());
        c
    }

    /// Starts `xacct ARGS` with stdout and stderr captured, without waiting.
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        self.cmd(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Starts `n` copies of `xacct ARGS` at once, then waits for all of them.
    pub fn run_concurrently(&self, args: &[&str], n: usize) -> Vec<Run> {
        let children: Vec<_> = (0..n).map(|_| self.spawn(args)).collect();
        children
            .into_iter()
            .map(|c| Run::from(c.wait_with_output().unwrap()))
            .collect()
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd(args).output().unwrap())
    }

    /// Runs and asserts success.
    pub fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        assert_eq!(r.code, 0, "xacct {args:?} failed: {}", r.stderr);
        r
    }

    /// `TOOL ARGS` from the test venv (the AWS CLI, python with boto3) with exactly this
    /// world's environment.
    pub fn tool(&self, tool: &str, args: &[&str]) -> Run {
        let out = Command::new(venv_bin(tool))
            .args(args)
            .env_clear()
            .envs(&self.env)
            .output()
            .unwrap();
        Run::from(out)
    }

    /// How many AssumeRole calls moto recorded for this world's role.
    pub fn assume_count(&self) -> usize {
        assume_records(&self.role_arn).len()
    }
}

/// A finished run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {:?}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }
}

/// GET a moto path as JSON.
pub fn moto_get(path: &str) -> serde_json::Value {
    let body = ureq::get(&format!("{}{path}", moto_url()))
        .call()
        .unwrap_or_else(|e| panic!("moto GET {path}: {e}"))
        .into_string()
        .unwrap();
    serde_json::from_str(&body).unwrap()
}

/// moto's AssumeRole records for `role_arn` (role_arn, session_name, external_id, ...).
pub fn assume_records(role_arn: &str) -> Vec<serde_json::Value> {
    let data = moto_get("/moto-api/data.json");
    data["sts"]["AssumedRole"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|r| r["role_arn"] == role_arn)
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// Every secret moto has issued (for the "never printed" checks).
pub fn issued_secrets() -> Vec<String> {
    let data = moto_get("/moto-api/data.json");
    let mut out = vec![];
    for r in data["sts"]["AssumedRole"].as_array().into_iter().flatten() {
        for k in ["secret_access_key", "session_token"] {
            if let Some(s) = r[k].as_str() {
                out.push(s.to_string());
            }
        }
    }
    out
}

/// A loopback listener that counts connections: point AWS_ENDPOINT_URL at it to prove
/// that a command made no network call.
pub struct Tripwire {
    listener: TcpListener,
}

impl Tripwire {
    pub fn new() -> Tripwire {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        Tripwire { listener }
    }
    pub fn url(&self) -> String {
        format!("http://{}", self.listener.local_addr().unwrap())
    }
    /// Connections made so far.
    pub fn hits(&self) -> usize {
        let mut n = 0;
        while let Ok((mut s, _)) = self.listener.accept() {
            let _ = s.set_nonblocking(true);
            let mut buf = [0u8; 64];
            let _ = s.read(&mut buf);
            n += 1;
        }
        n
    }
}

/// When a planted keyring entry expires (the kernel drops it then).
pub fn in_an_hour() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() + chrono::TimeDelta::hours(1)
}

/// Role options given as flags only (no profile): the `credential-process` argv and the
/// same options as `RoleArgs`, so a test can run them and compute their cache key.
pub fn explicit_role(w: &World, session: &str) -> (Vec<String>, xacct::cli::RoleArgs) {
    let argv = [
        "credential-process",
        "--role-arn",
        &w.role_arn,
        "--source-profile",
        "src",
        "--session-name",
        session,
        "--region",
        "us-east-1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let role = xacct::cli::RoleArgs {
        role_arn: Some(w.role_arn.clone()),
        source_profile: Some("src".into()),
        session_name: Some(session.into()),
        region: Some("us-east-1".into()),
        ..Default::default()
    };
    (argv, role)
}

/// The keyring key xacct uses for role options resolved in `world` (explicit flags
/// only, so the computation is independent of the host).
pub fn cache_key_for(world: &World, args: xacct::cli::RoleArgs) -> String {
    let profiles = xacct::settings::Profiles::default();
    let env = xacct::settings::EnvSnapshot {
        endpoint_url: world.env.get("AWS_ENDPOINT_URL").cloned(),
        aws_config_file: world.env.get("AWS_CONFIG_FILE").cloned(),
        aws_shared_credentials_file: world.env.get("AWS_SHARED_CREDENTIALS_FILE").cloned(),
        user: Some("tester".into()),
        ..Default::default()
    };
    let mut p = profiles;
    p.profiles.insert("src".into(), BTreeMap::new());
    let s = xacct::settings::resolve(&args, &p, &env).unwrap();
    xacct::cache::key::cache_key(&s)
}

/// The keyring store named as `--keyring` names it ("keyutils", "secret-service"), opened
/// in this process as xacct opens it, to plant, read or delete entries.
pub fn open_store(kind: &str) -> Box<dyn xacct::cache::store::CredentialStore> {
    let kind = <xacct::cli::StoreKind as clap::ValueEnum>::from_str(kind, false).unwrap();
    xacct::cache::store::open(kind).unwrap().unwrap_or_else(|| {
        panic!("no {kind:?} store on this host: run the tests through scripts/test")
    })
}

/// Every file (not directory) under `dir`, following no symlinks.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => out.extend(walk(&p)),
            Ok(_) => out.push(p),
            Err(_) => {}
        }
    }
    out
}

/// The `(place, secret)` pairs where one of `secrets` occurs in `text`.
pub fn find_secrets<'a>(place: &str, text: &[u8], secrets: &'a [String]) -> Vec<(String, &'a str)> {
    let text = String::from_utf8_lossy(text);
    secrets
        .iter()
        .filter(|s| !s.is_empty() && text.contains(s.as_str()))
        .map(|s| (place.to_string(), s.as_str()))
        .collect()
}

/// Runs xacct with `args` in `w` under `strace -f`, tracing the comma-separated
/// `syscalls`, and returns the trace. strace is installed by scripts/test.
pub fn strace(w: &World, syscalls: &str, args: &[&str]) -> String {
    let trace = w.home().join(format!("trace-{}", unique("t")));
    let out = std::process::Command::new("strace")
        .args(["-f", "-e", &format!("trace={syscalls}"), "-o"])
        .arg(&trace)
        .arg(xacct_bin())
        .args(args)
        .env_clear()
        .envs(&w.env)
        .output()
        .unwrap_or_else(|e| panic!("strace is missing ({e}): run the tests through scripts/test"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&trace).unwrap();
    std::fs::remove_file(&trace).unwrap();
    text
}
