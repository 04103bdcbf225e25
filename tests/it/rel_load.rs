//! Reliability, load: 200 concurrent `credential-process` calls across 10 roles with a
//! cold cache. Single flight must hold per key (one AssumeRole per role), every caller
//! must get a valid document, and nothing but one lock file per key may be left behind.

use crate::rel_util::walk;
use crate::util::*;
use std::collections::BTreeMap;

#[test]
fn two_hundred_calls_across_ten_roles_make_ten_assume_roles() {
    let mut w = World::new();
    let tmp = w.home().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    w.set("TMPDIR", tmp.to_str().unwrap());
    let before = files_of(&w);
    let roles: Vec<String> = (0..10)
        .map(|_| format!("arn:aws:iam::{ACCOUNT_A}:role/{}", unique("load")))
        .collect();
    let children: Vec<_> = (0..200)
        .map(|i| {
            let role = &roles[i % roles.len()];
            let child = w.spawn(&[
                "credential-process",
                "--role-arn",
                role,
                "--source-profile",
                "src",
                "--region",
                "us-east-1",
            ]);
            (role.clone(), child)
        })
        .collect();
    let mut per_role: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (role, child) in children {
        let r = Run::from(child.wait_with_output().unwrap());
        assert_eq!(r.code, 0, "{role}: {}", r.stderr);
        assert_eq!(r.stderr, "", "{role}");
        let doc = r.json();
        assert_eq!(doc["Version"], 1);
        assert_eq!(doc["AccountId"], ACCOUNT_A);
        for k in [
            "AccessKeyId",
            "SecretAccessKey",
            "SessionToken",
            "Expiration",
        ] {
            assert!(doc[k].as_str().is_some_and(|v| !v.is_empty()), "{k}: {doc}");
        }
        per_role.entry(role).or_default().push(r.stdout);
    }
    assert_eq!(per_role.len(), 10);
    for (role, outs) in &per_role {
        assert_eq!(outs.len(), 20, "{role}");
        assert!(
            outs.iter().all(|o| o == &outs[0]),
            "{role}: all callers got one session"
        );
        assert_eq!(assume_records(role).len(), 1, "{role}: one AssumeRole");
    }
    // Exactly one lock file per key, nothing else anywhere in the world.
    let locks: Vec<String> = std::fs::read_dir(w.home().join("run/xacct"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    // Beside them only the `cache list` index and its lock; no temp file survives.
    let (keys, others): (Vec<&String>, Vec<&String>) = locks
        .iter()
        .partition(|l| l.starts_with("v1-") && l.ends_with(".lock"));
    assert_eq!(keys.len(), 10, "{locks:?}");
    let mut others: Vec<&str> = others.iter().map(|s| s.as_str()).collect();
    others.sort();
    assert_eq!(others, ["index.json", "index.lock"], "{locks:?}");
    let left: Vec<String> = files_of(&w)
        .into_iter()
        .filter(|p| !p.starts_with("run/xacct/"))
        .collect();
    assert_eq!(left, before, "temp files left behind");
}

fn files_of(w: &World) -> Vec<String> {
    let mut files: Vec<String> = walk(w.home())
        .iter()
        .map(|p| p.strip_prefix(w.home()).unwrap().display().to_string())
        .collect();
    files.sort();
    files
}
