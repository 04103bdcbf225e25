//! `xacct doctor` against moto: a healthy setup, a source profile without credentials,
//! STS at a closed port, the JSON form against the text form, and a secrets scan. The
//! failures that need a stand-in (clock, AccessDenied, IMDS) are in `doctor_faults`.

use crate::util::*;

/// One line of the text report: (status, check, the rest).
pub type Line = (String, String, String);

pub fn report(r: &Run) -> Vec<Line> {
    r.stdout
        .lines()
        .map(|l| {
            let mut it = l.splitn(3, char::is_whitespace);
            let status = it.next().unwrap_or_default().to_string();
            let rest = it.collect::<Vec<_>>().join(" ");
            let rest = rest.trim_start();
            let (check, detail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            (status, check.to_string(), detail.trim_start().to_string())
        })
        .collect()
}

/// The lines of check `name`.
pub fn lines_of<'a>(lines: &'a [Line], name: &str) -> Vec<&'a Line> {
    lines.iter().filter(|l| l.1 == name).collect()
}

/// The one line of check `name` with `status`, or a panic showing the report.
pub fn expect<'a>(r: &'a Run, lines: &'a [Line], name: &str, status: &str) -> &'a Line {
    lines_of(lines, name)
        .into_iter()
        .find(|l| l.0 == status)
        .unwrap_or_else(|| panic!("no {status} {name} line:\n{}{}", r.stdout, r.stderr))
}

/// The checks this branch builds, in the order the issue gives.
pub const REMOTE: [&str; 5] = ["config", "source", "clock", "sts", "assume"];

pub fn doctor(w: &World, extra: &[&str]) -> Run {
    let mut args = vec!["doctor", "--profile", "target"];
    args.extend_from_slice(extra);
    w.run(&args)
}

#[test]
fn a_healthy_setup_on_moto_is_ok_in_every_remote_check_and_exits_0() {
    let w = World::new();
    w.target_profile("external_id = doctor-healthy-ext-id");
    let r = doctor(&w, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let lines = report(&r);
    let first: Vec<&str> = lines.iter().take(5).map(|l| l.1.as_str()).collect();
    assert_eq!(first, REMOTE, "{}", r.stdout);
    for check in REMOTE {
        let ls = lines_of(&lines, check);
        assert!(
            ls.iter().all(|l| l.0 == "ok"),
            "{check} not ok:\n{}",
            r.stdout
        );
    }
    let config = expect(&r, &lines, "config", "ok");
    assert!(config.2.contains("chain target -> src"), "{}", config.2);
    assert!(config.2.contains("external id set"), "{}", config.2);
    let source = expect(&r, &lines, "source", "ok");
    assert!(
        source.2.contains("static keys (profile \"src\")"),
        "{}",
        source.2
    );
    assert!(source.2.contains("in account 123456789012"), "{}", source.2);
    let clock = expect(&r, &lines, "clock", "ok");
    assert!(clock.2.contains(" s"), "{}", clock.2);
    let sts = expect(&r, &lines, "sts", "ok");
    assert!(
        sts.2.contains("override from AWS_ENDPOINT_URL"),
        "{}",
        sts.2
    );
    let assume = expect(&r, &lines, "assume", "ok");
    assert!(assume.2.contains(&w.role_arn), "{}", assume.2);
    assert!(assume.2.contains("(not cached)"), "{}", assume.2);
    // One AssumeRole, and nothing cached: a credential-process run right after misses.
    assert_eq!(w.assume_count(), 1);
    w.ok(&["credential-process", "--profile", "target"]);
    assert_eq!(w.assume_count(), 2, "doctor's AssumeRole was cached");
    assert!(!r.stdout.contains("doctor-healthy-ext-id"));
}

#[test]
fn a_source_profile_without_credentials_fails_the_source_check_naming_it() {
    let w = World::new();
    w.write_config(&format!(
        "[profile target]\nrole_arn = {}\nsource_profile = nokeys\nregion = us-east-1\n\
         [profile nokeys]\nregion = us-east-1\n",
        w.role_arn
    ));
    let r = doctor(&w, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let lines = report(&r);
    let source = expect(&r, &lines, "source", "fail");
    assert!(source.2.contains("profile \"nokeys\""), "{}", source.2);
    assert!(
        source
            .2
            .contains("fix: give profile \"nokeys\" credentials"),
        "{}",
        source.2
    );
    expect(&r, &lines, "config", "ok");
    // STS itself still answers; the role is not tried.
    expect(&r, &lines, "sts", "ok");
    expect(&r, &lines, "assume", "skip");
    assert_eq!(w.assume_count(), 0);
}

/// A source whose credential_process waits for a person (a prompt nobody answers in a
/// cron job) fails the source check after doctor's 15 s, instead of hanging doctor.
#[test]
fn a_source_that_never_answers_fails_the_source_check_in_bounded_time() {
    let w = World::new();
    w.write_config(&format!(
        "[profile target]\nrole_arn = {}\nsource_profile = waits\nregion = us-east-1\n\
         [profile waits]\ncredential_process = sleep 40\nregion = us-east-1\n",
        w.role_arn
    ));
    let started = std::time::Instant::now();
    let r = doctor(&w, &[]);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(35),
        "doctor waited for the source: {:?}",
        started.elapsed()
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let lines = report(&r);
    let source = expect(&r, &lines, "source", "fail");
    assert!(source.2.contains("took over 15 s"), "{}", source.2);
    expect(&r, &lines, "assume", "skip");
}

/// The sts line names the proxy the SDK really uses: the first proxy variable that is
/// set wins, even when empty (hyper-util's rule), so `HTTP_PROXY=` with `http_proxy` set
/// means no proxy; a proxy that is used and dead fails the check, named.
#[test]
fn the_sts_check_names_the_proxy_the_sdk_uses() {
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("127.0.0.1:{}", l.local_addr().unwrap().port())
    };
    let mut w = World::new();
    w.target_profile("");
    w.set("HTTP_PROXY", "")
        .set("http_proxy", &format!("http://{dead}"));
    let r = doctor(&w, &[]);
    let lines = report(&r);
    let sts = expect(&r, &lines, "sts", "ok");
    assert!(!sts.2.contains("through proxy"), "{}", sts.2);
    w.set("HTTP_PROXY", &format!("http://{dead}"));
    let r = doctor(&w, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let lines = report(&r);
    let sts = expect(&r, &lines, "sts", "fail");
    assert!(
        sts.2
            .contains(&format!("through proxy {dead} from HTTP_PROXY")),
        "{}",
        sts.2
    );
}

#[test]
fn sts_at_a_closed_port_fails_the_sts_check_and_exits_1() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let mut w = World::new();
    w.target_profile("");
    w.set("AWS_ENDPOINT_URL", &closed);
    let r = doctor(&w, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let lines = report(&r);
    let sts = expect(&r, &lines, "sts", "fail");
    assert!(
        sts.2.contains(&format!("cannot reach {closed}/")),
        "{}",
        sts.2
    );
    assert!(sts.2.contains("fix: check AWS_ENDPOINT_URL"), "{}", sts.2);
    for (check, why) in [
        ("source", "see the sts check"),
        ("clock", "see the sts check"),
        ("assume", "see the sts check"),
    ] {
        let l = expect(&r, &lines, check, "skip");
        assert!(l.2.contains(why), "{check}: {}", l.2);
    }
}

#[test]
fn a_problem_in_the_profile_is_a_config_failure_and_a_bad_flag_is_exit_2() {
    let w = World::new();
    w.target_profile("");
    let r = w.run(&["doctor", "--profile", "nosuch"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let lines = report(&r);
    let config = expect(&r, &lines, "config", "fail");
    assert!(
        config.2.contains("profile \"nosuch\" not found"),
        "{}",
        config.2
    );
    for check in &REMOTE[1..] {
        expect(&r, &lines, check, "skip");
    }
    let trip = Tripwire::new();
    let mut w = w;
    w.set("AWS_ENDPOINT_URL", &trip.url());
    // With a role, and without one (only the host's checks would run): the same rule.
    for args in [
        &["doctor", "--profile", "target", "--duration", "ten"][..],
        &["doctor", "--duration", "ten"],
        &["doctor", "--tag", "no-equals-sign"],
    ] {
        let r = w.run(args);
        assert_eq!(
            (r.code, r.stdout.as_str()),
            (2, ""),
            "{args:?}: {}",
            r.stderr
        );
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    }
    assert_eq!(trip.hits(), 0, "bad input made a network call");
}

#[test]
fn without_a_role_the_remote_checks_skip_naming_the_flags() {
    let trip = Tripwire::new();
    let mut w = World::new();
    w.set("AWS_ENDPOINT_URL", &trip.url());
    let r = w.run(&["doctor"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let lines = report(&r);
    let config = expect(&r, &lines, "config", "skip");
    assert!(config.2.contains("pass --profile NAME"), "{}", config.2);
    for check in &REMOTE[1..] {
        expect(&r, &lines, check, "skip");
    }
    assert_eq!(trip.hits(), 0, "no role, yet AWS was called");
}

#[test]
fn json_parses_and_has_the_same_checks_as_the_text() {
    let w = World::new();
    w.target_profile("");
    let text = doctor(&w, &[]);
    let json = doctor(&w, &["--json"]);
    assert_eq!(json.code, text.code, "{}", json.stderr);
    let doc = json.json();
    let from_json: Vec<(String, String)> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let from_text: Vec<(String, String)> = report(&text)
        .into_iter()
        .map(|(status, check, _)| (check, status))
        .collect();
    assert_eq!(from_json, from_text);
    assert!(from_json.len() >= REMOTE.len());
}

#[test]
fn no_secret_or_external_id_in_doctors_output_at_vv() {
    let w = World::new();
    let external_id = format!("ext-{}", unique("secret"));
    w.target_profile(&format!("external_id = {external_id}"));
    let mut outputs = vec![];
    for args in [
        vec!["-vv", "doctor", "--profile", "target"],
        vec!["-vv", "doctor", "--profile", "target", "--json"],
    ] {
        let r = w.run(&args);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        outputs.push(format!("{}{}", r.stdout, r.stderr));
    }
    let mut secrets = issued_secrets();
    secrets.push("source-secret-not-real".into());
    secrets.push(external_id.clone());
    // The scan finds what is there.
    let planted = format!("x {external_id} y");
    assert_eq!(
        find_secrets("planted", planted.as_bytes(), &secrets).len(),
        1
    );
    for (i, out) in outputs.iter().enumerate() {
        let found = find_secrets(&format!("run {i}"), out.as_bytes(), &secrets);
        assert!(found.is_empty(), "{found:?} in:\n{out}");
    }
    assert!(w.assume_count() >= 2, "doctor did not assume the role");
}
