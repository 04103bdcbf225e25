//! `xacct export`: every format parsed back by the tool it is meant for.

use crate::util::*;
use std::collections::BTreeMap;
use std::process::Command;

fn export(w: &World, format: &str) -> Run {
    let r = w.ok(&["export", "--profile", "target", "--format", format]);
    assert_eq!(
        r.stderr, "",
        "{format}: stdout is not a terminal, so no warning"
    );
    r
}

/// The values every format must carry, from the json format.
fn expected(w: &World) -> BTreeMap<&'static str, String> {
    let doc = export(w, "json").json();
    let s = |k: &str| doc[k].as_str().unwrap().to_string();
    BTreeMap::from([
        ("AWS_ACCESS_KEY_ID", s("AccessKeyId")),
        ("AWS_SECRET_ACCESS_KEY", s("SecretAccessKey")),
        ("AWS_SESSION_TOKEN", s("SessionToken")),
        ("AWS_CREDENTIAL_EXPIRATION", s("Expiration")),
        ("AWS_ACCOUNT_ID", s("AccountId")),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_DEFAULT_REGION", "us-east-1".into()),
    ])
}

#[test]
fn json_is_the_credential_process_document() {
    let w = World::new();
    w.target_profile("");
    let exported = export(&w, "json").json();
    let cp = w.ok(&["credential-process", "--profile", "target"]).json();
    assert_eq!(exported, cp, "same document, second one from the cache");
    assert_eq!(exported["Version"], 1);
    assert_eq!(exported["AccountId"], ACCOUNT_A);
    assert_eq!(w.assume_count(), 1);
}

#[test]
fn env_and_export_env_parse_back_in_sh() {
    let w = World::new();
    w.target_profile("");
    let want = expected(&w);

    let env = export(&w, "env").stdout;
    let got: BTreeMap<&str, String> = env
        .lines()
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            (
                want.keys().find(|w| **w == k).copied().unwrap_or("?"),
                v.to_string(),
            )
        })
        .collect();
    assert_eq!(got, want, "env lines");

    let file = w.home().join("creds.sh");
    std::fs::write(&file, export(&w, "export-env").stdout).unwrap();
    let vars: Vec<String> = want.keys().map(|k| format!("\"${k}\"")).collect();
    let script = format!(". '{}'; printf '%s\\n' {}", file.display(), vars.join(" "));
    let out = Command::new("sh")
        .args(["-c", &script])
        .env_clear()
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let got: BTreeMap<&str, String> = want
        .keys()
        .copied()
        .zip(text.lines().map(String::from))
        .collect();
    assert_eq!(got, want, "sh sourced the exports");
    assert_eq!(
        w.assume_count(),
        1,
        "every format after the first came from the cache"
    );
}

#[test]
fn ini_parses_with_configparser() {
    let w = World::new();
    w.target_profile("");
    let want = expected(&w);
    let file = w.home().join("credentials");
    std::fs::write(&file, export(&w, "ini").stdout).unwrap();
    let py = "import configparser, json, sys\n\
              c = configparser.ConfigParser()\n\
              c.read(sys.argv[1])\n\
              print(json.dumps({s: dict(c[s]) for s in c.sections()}))";
    let out = Command::new(venv_bin("python"))
        .args(["-c", py])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let section = &v["target"];
    assert_eq!(
        section["aws_access_key_id"],
        want["AWS_ACCESS_KEY_ID"].as_str()
    );
    assert_eq!(
        section["aws_secret_access_key"],
        want["AWS_SECRET_ACCESS_KEY"].as_str()
    );
    assert_eq!(
        section["aws_session_token"],
        want["AWS_SESSION_TOKEN"].as_str()
    );
    assert_eq!(section["region"], "us-east-1");
    assert_eq!(v.as_object().unwrap().len(), 1, "one [target] section: {v}");
}

#[test]
fn powershell_lines_assign_each_variable() {
    let w = World::new();
    w.target_profile("");
    let want = expected(&w);
    let ps = export(&w, "powershell").stdout;
    for (k, v) in &want {
        let line = format!("$Env:{k} = '{}'", v.replace('\'', "''"));
        assert!(ps.lines().any(|l| l == line), "{ps} lacks {line}");
    }
    assert_eq!(ps.lines().count(), want.len());
}

#[test]
fn a_terminal_on_stdout_still_gets_the_credentials_with_a_warning() {
    let w = World::new();
    w.target_profile("");
    // script(1) runs xacct on a pseudo-terminal; stdout and stderr both land in its output.
    let cmdline = format!("{} export --profile target --format env", xacct_bin());
    let out = Command::new("script")
        .args(["-qec", &cmdline, "/dev/null"])
        .env_clear()
        .envs(&w.env)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("AWS_SECRET_ACCESS_KEY="), "{text}");
    assert!(
        text.contains("warning: printing secret credentials to a terminal"),
        "{text}"
    );
}

#[test]
fn an_unknown_format_is_a_usage_error_without_a_network_call() {
    let mut w = World::new();
    w.target_profile("");
    let trip = Tripwire::new();
    w.set("AWS_ENDPOINT_URL", &trip.url());
    let r = w.run(&["export", "--profile", "target", "--format", "yaml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("export-env"), "{}", r.stderr);
    assert_eq!(trip.hits(), 0);
}
