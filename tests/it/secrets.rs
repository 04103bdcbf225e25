//! Secrets never leak. The first test runs a representative workload in a World of its own
//! (cold and warm runs in both Linux keyrings, single flight, the AWS CLI through
//! credential_process, a role chain with a warning, a missing keyring, a corrupt entry,
//! bad input, an unreachable STS), with HOME, the XDG dirs and TMPDIR all inside the
//! World; then it searches every file there, every stderr it captured and the new
//! files in the system temp dir for any secret access key or session token moto has
//! issued. It first proves the search finds a secret that is planted. The second runs
//! xacct under the AWS CLI and boto3 and searches their stderr and xacct's.

use crate::util::*;
use std::time::SystemTime;

#[test]
fn no_issued_secret_reaches_a_file_or_stderr() {
    let started = SystemTime::now();
    let mut w = World::new();
    let tmp = w.home().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    w.set("TMPDIR", tmp.to_str().unwrap());
    let middle = format!("arn:aws:iam::222222222222:role/{}", unique("mid"));
    w.write_config(&format!(
        "[profile target]\nrole_arn = {role}\nsource_profile = src\nregion = us-east-1\n\
         [profile mid]\nrole_arn = {middle}\nsource_profile = src\n\
         [profile chained]\nrole_arn = {role}\nsource_profile = mid\nduration_seconds = 7200\n\
         [profile app]\ncredential_process = {bin} credential-process --profile target\nregion = us-east-1\n",
        role = w.role_arn,
        bin = xacct_bin()
    ));
    let mut stderrs: Vec<(String, String)> = vec![];
    let mut printed: Vec<String> = vec![];
    let cp = |p: &str| {
        vec![
            "credential-process".to_string(),
            "--profile".into(),
            p.into(),
        ]
    };
    let mut record = |what: &str, r: Run, want_ok: bool| {
        assert_eq!(r.code == 0, want_ok, "{what}: {}", r.stderr);
        if r.code == 0 && what.starts_with("xacct") {
            let doc = r.json();
            printed.push(doc["SecretAccessKey"].as_str().unwrap().to_string());
            printed.push(doc["SessionToken"].as_str().unwrap().to_string());
        }
        stderrs.push((what.to_string(), r.stderr));
    };
    let run = |w: &World, a: &[String]| w.run(&a.iter().map(String::as_str).collect::<Vec<_>>());

    // Kernel keyring: cold, warm, eight concurrent callers of a second key.
    record("xacct keyutils cold", run(&w, &cp("target")), true);
    record("xacct keyutils warm", run(&w, &cp("target")), true);
    let mut cold = cp("target");
    cold.extend(["--session-name".into(), "secrets-flight".into()]);
    let cold: Vec<&str> = cold.iter().map(String::as_str).collect();
    for r in w.run_concurrently(&cold, 8) {
        record("xacct single flight", r, true);
    }
    // A chained role: one clamp warning on stderr.
    record("xacct chained", run(&w, &cp("chained")), true);
    // A corrupt entry, overwritten.
    let (corrupt, corrupt_role) = explicit_role(&w, "secrets-corrupt");
    let key = cache_key_for(&w, corrupt_role);
    let ku = open_store("keyutils");
    ku.set(&key, "{\"version\":1,\"credentials\":", in_an_hour())
        .unwrap();
    record("xacct corrupt entry", run(&w, &corrupt), true);

    // Secret Service: cold and warm.
    let mut ss = World::new();
    ss.env = w.env.clone();
    ss.set("XACCT_KEYRING", "secret-service")
        .set("DBUS_SESSION_BUS_ADDRESS", &dbus_address());
    record("xacct secret-service cold", run(&ss, &cp("target")), true);
    record("xacct secret-service warm", run(&ss, &cp("target")), true);
    // No keyring at all: one warning.
    ss.set("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    record("xacct no keyring", run(&ss, &cp("target")), true);

    // The AWS CLI through credential_process.
    for _ in 0..2 {
        let r = w.tool("aws", &["sts", "get-caller-identity", "--profile", "app"]);
        record("aws cli", r, true);
    }
    // The other commands, at the most verbose level, with a cold and a warm cache.
    let verbose = |args: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = vec!["-vv".into()];
        a.extend(args.iter().map(|s| s.to_string()));
        a
    };
    for args in [
        &[
            "whoami",
            "--profile",
            "target",
            "--session-name",
            "secrets-whoami",
        ][..],
        &[
            "whoami",
            "--profile",
            "target",
            "--session-name",
            "secrets-whoami",
            "--json",
        ],
        &["cache", "list"],
        &["export", "--profile", "target", "--format", "export-env"],
        &[
            "exec",
            "--profile",
            "target",
            "--session-name",
            "secrets-exec",
            "--",
            "true",
        ],
        &[
            "exec",
            "--server",
            "--profile",
            "target",
            "--session-name",
            "secrets-exec",
            "--",
            "true",
        ],
    ] {
        let label = format!("cmd {}", args.join(" "));
        record(&label, run(&w, &verbose(args)), true);
    }
    // RUST_LOG=trace turns on the SDK's own logs too, on a cache miss.
    let mut traced = World::new();
    traced.env = w.env.clone();
    traced.set("RUST_LOG", "trace");
    let mut miss = cp("target");
    miss.extend(["--session-name".into(), "secrets-trace".into()]);
    record("cmd RUST_LOG=trace miss", run(&traced, &miss), true);

    // Failures after credentials exist: bad input, an unreachable STS.
    let mut bad = cp("target");
    bad.extend(["--duration".into(), "forever".into()]);
    record("bad input", run(&w, &bad), false);
    let mut off = World::new();
    off.env = w.env.clone();
    off.set("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    let mut fresh = cp("target");
    fresh.extend(["--session-name".into(), "secrets-offline".into()]);
    record("unreachable sts", run(&off, &fresh), false);

    let mut issued = issued_secrets();
    issued.sort();
    issued.dedup();
    for p in &printed {
        assert!(
            issued.contains(p),
            "moto issued what xacct printed: the search is real"
        );
    }
    assert!(printed.len() >= 2 * 14, "the workload produced credentials");

    // The search finds a planted secret.
    let planted = w.home().join("planted");
    std::fs::write(&planted, format!("x{}y", printed[0])).unwrap();
    assert_eq!(
        scan(&w, started, &issued, &[]).len(),
        1,
        "the scan finds a planted secret"
    );
    std::fs::remove_file(&planted).unwrap();

    let hits = scan(&w, started, &issued, &stderrs);
    assert!(
        hits.is_empty(),
        "secrets found: {:?}",
        hits.iter().map(|h| &h.0).collect::<Vec<_>>()
    );
    ku.delete(&key).unwrap();
}

/// Places (file paths, stderr labels) holding an issued secret: every file under the
/// World's HOME (its XDG dirs and TMPDIR are inside), the files in the system temp dir
/// changed since the test started, and the captured stderrs.
fn scan(
    w: &World,
    since: SystemTime,
    issued: &[String],
    stderrs: &[(String, String)],
) -> Vec<(String, String)> {
    let mut files = walk(w.home());
    for e in std::fs::read_dir(std::env::temp_dir())
        .into_iter()
        .flatten()
        .flatten()
    {
        let Ok(meta) = e.metadata() else { continue };
        if meta.is_file() && meta.len() < 16 << 20 && meta.modified().is_ok_and(|m| m >= since) {
            files.push(e.path());
        }
    }
    let mut hits = vec![];
    for f in files {
        let bytes = std::fs::read(&f).unwrap_or_default();
        hits.extend(find_secrets(&f.display().to_string(), &bytes, issued));
    }
    for (what, text) in stderrs {
        hits.extend(find_secrets(
            &format!("stderr of {what}"),
            text.as_bytes(),
            issued,
        ));
    }
    hits.into_iter().map(|(p, s)| (p, s.to_string())).collect()
}

/// The AWS CLI and boto3 run xacct as their credential_process, with a cold and a warm
/// cache. botocore throws a helper's stderr away when it succeeds, so xacct runs under
/// `sh -c '... 2>>LOG'` and its real stderr is kept. Then the clients' own stderr,
/// xacct's stderr as they ran it, and every file under HOME are searched for the
/// session's secret key and token.
#[test]
fn no_secret_reaches_stderr_or_files_outside_the_keyring() {
    let w = World::new();
    let log = w.home().join("xacct-stderr.log");
    w.write_config(&format!(
        "[profile target]\nrole_arn = {role}\nsource_profile = src\n\
         [profile app]\ncredential_process = /bin/sh -c 'exec \"$0\" -vv credential-process --profile target 2>>\"$1\"' {bin} {log}\n\
         region = us-east-1\n",
        role = w.role_arn,
        bin = xacct_bin(),
        log = log.display()
    ));
    let boto3 =
        "import boto3; boto3.Session(profile_name='app').client('sts').get_caller_identity()";
    let aws = ["sts", "get-caller-identity", "--profile", "app"];
    let mut stderrs = vec![];
    for (tool, args) in [("aws", &aws[..]), ("python", &["-c", boto3][..])] {
        for _ in 0..2 {
            let r = w.tool(tool, args);
            assert_eq!(r.code, 0, "{tool}: {}", r.stderr);
            stderrs.push((format!("stderr of {tool}"), r.stderr));
        }
    }
    assert_eq!(w.assume_count(), 1);
    // -vv says on each run whether the cache answered: the log is xacct's real stderr
    // of all four runs.
    let xacct_stderr = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        (
            xacct_stderr.matches("cache miss").count(),
            xacct_stderr.matches("from the cache").count()
        ),
        (1, 3),
        "{xacct_stderr}"
    );
    let issued = &assume_records(&w.role_arn)[0];
    let secrets: Vec<String> = ["secret_access_key", "session_token"]
        .iter()
        .map(|k| issued[k].as_str().unwrap().to_string())
        .collect();
    let doc = w.ok(&["credential-process", "--profile", "target"]).json();
    assert_eq!(
        (
            doc["SecretAccessKey"].as_str(),
            doc["SessionToken"].as_str()
        ),
        (Some(secrets[0].as_str()), Some(secrets[1].as_str())),
        "the search looks for what the clients were given"
    );
    let mut hits = vec![];
    for (place, text) in &stderrs {
        hits.extend(find_secrets(place, text.as_bytes(), &secrets));
    }
    for f in walk(w.home()) {
        let bytes = std::fs::read(&f).unwrap();
        hits.extend(find_secrets(&f.display().to_string(), &bytes, &secrets));
    }
    let places: Vec<&String> = hits.iter().map(|h| &h.0).collect();
    assert!(places.is_empty(), "secrets found in {places:?}");
}
