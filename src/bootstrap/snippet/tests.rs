use super::*;

const B: &str = "arn:aws:iam::123456789012:role/xs";
const A: &str = "arn:aws:iam::111111111111:role/xt";

fn input<'a>(trustees: &'a [Trustee], external_id: Option<&'a str>) -> Input<'a> {
    Input {
        profile_name: "nightly",
        trustees,
        source_profile: "b-admin",
        role_b_arn: B,
        role_a_arn: A,
        external_id,
        region: "eu-west-1",
        xacct: "/usr/local/bin/xacct",
    }
}

#[test]
fn snippet_source_follows_source_trust() {
    let cached = "[profile nightly-cached]\ncredential_process = /usr/local/bin/xacct credential-process --profile nightly\nregion = eu-west-1\n";
    let cases: Vec<(Vec<Trustee>, Option<&str>, String)> = vec![
        (
            vec![Trustee::Ec2, Trustee::Account],
            Some("ext-1"),
            format!(
                "[profile nightly]\nrole_arn = {A}\ncredential_source = Ec2InstanceMetadata\nexternal_id = ext-1\nregion = eu-west-1\n\n{cached}"
            ),
        ),
        (
            vec![Trustee::Lambda],
            None,
            format!(
                "[profile nightly]\nrole_arn = {A}\ncredential_source = Environment\nregion = eu-west-1\n\n{cached}"
            ),
        ),
        (
            vec![Trustee::Account],
            Some("ext-2"),
            format!(
                "[profile nightly-source]\nrole_arn = {B}\nsource_profile = b-admin\nregion = eu-west-1\n\n\
                 [profile nightly]\nrole_arn = {A}\nsource_profile = nightly-source\nexternal_id = ext-2\nregion = eu-west-1\n\n{cached}"
            ),
        ),
    ];
    for (trustees, id, want) in cases {
        assert_eq!(
            render(&sections(&input(&trustees, id))),
            want,
            "{trustees:?}"
        );
    }
}

#[test]
fn xacct_paths_are_quoted_for_the_shell() {
    let cases = [
        ("/usr/bin/xacct", "/usr/bin/xacct"),
        ("/opt/my tools/xacct", "'/opt/my tools/xacct'"),
        ("/tmp/it's/xacct", r"'/tmp/it'\''s/xacct'"),
        ("", "''"),
    ];
    for (path, want) in cases {
        assert_eq!(shell_quote(path), want);
    }
}

#[test]
fn profile_names() {
    for ok in ["xacct-target", "a", "prod.reader@b"] {
        check_profile_name(ok).unwrap();
    }
    for bad in ["", "default", "a b", "x]", "a\nb"] {
        assert!(check_profile_name(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn upsert_replaces_or_appends_only_its_sections() {
    let trustees = [Trustee::Account];
    let new = sections(&input(&trustees, Some("ext-1")));
    let snippet = render(&new);
    let cases: Vec<(&str, String, String)> = vec![
        ("empty file", String::new(), snippet.clone()),
        (
            "other profiles are kept, comments too",
            "# mine\n[profile other]\nregion = us-east-1 # east\n".into(),
            format!("# mine\n[profile other]\nregion = us-east-1 # east\n\n{snippet}"),
        ),
        (
            "stale sections are replaced in place; the sso-session after them is kept",
            "[default]\nregion = us-east-1\n\n[profile nightly]\nrole_arn = old\nmfa_serial = x\n\n[sso-session s]\nsso_region = us-east-1\n".into(),
            {
                let role = &new[1];
                let rest: Vec<Section> = vec![new[0].clone(), new[2].clone()];
                format!(
                    "[default]\nregion = us-east-1\n\n{}\n[sso-session s]\nsso_region = us-east-1\n\n{}",
                    role.render(),
                    render(&rest)
                )
            },
        ),
        (
            "a duplicate section (the SDKs would merge it) is removed",
            "[profile nightly-cached]\nx = 1\n[profile nightly-cached]\ny = 2\n".into(),
            {
                let rest: Vec<Section> = vec![new[0].clone(), new[1].clone()];
                format!("{}\n{}", new[2].render(), render(&rest))
            },
        ),
    ];
    for (case, text, want) in cases {
        let once = upsert(&text, &new);
        assert_eq!(once, want, "{case}");
        assert_eq!(upsert(&once, &new), once, "{case}: not idempotent");
    }
}
