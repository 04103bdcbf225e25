use super::*;
use serde_json::json;

const B: &str = "arn:aws:iam::123456789012:role/xacct-source";
const A: &str = "arn:aws:iam::111111111111:role/xacct-target";
const LEAST: SessionActions = SessionActions {
    tags: false,
    source_identity: false,
};

#[test]
fn trustees() {
    let ok = [
        ("ec2", Trustee::Ec2),
        ("lambda", Trustee::Lambda),
        ("account", Trustee::Account),
        (
            "arn:aws:iam::123456789012:root",
            Trustee::Principal("arn:aws:iam::123456789012:root".into()),
        ),
        (
            "arn:aws:iam::123456789012:user/ops/alice",
            Trustee::Principal("arn:aws:iam::123456789012:user/ops/alice".into()),
        ),
        (
            "arn:aws-cn:iam::123456789012:role/r",
            Trustee::Principal("arn:aws-cn:iam::123456789012:role/r".into()),
        ),
    ];
    for (input, want) in ok {
        assert_eq!(Trustee::parse(input), Ok(want), "{input}");
    }
    let bad = [
        ("EC2", "not ec2, lambda"),
        ("", "not ec2, lambda"),
        ("arn:aws:iam::12345:root", "12 digits"),
        ("arn:aws:s3:::bucket", "not an IAM ARN"),
        (
            "arn:aws:iam::123456789012:group/g",
            "not root, a user or a role",
        ),
        ("arn:aws:iam::123456789012:role/", "bad name"),
        ("arn:aws:iam::123456789012:role/a b", "bad name"),
        ("arn:xx:iam::123456789012:root", "partition"),
    ];
    for (input, why) in bad {
        let err = Trustee::parse(input).expect_err(input);
        assert!(err.contains(why), "{input}: {err}");
    }
}

#[test]
fn policy_arns() {
    for ok in [
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::111111111111:policy/team/read-table",
    ] {
        check_policy_arn(ok).unwrap();
    }
    for bad in [
        "ReadOnlyAccess",
        "arn:aws:iam::aws:role/x",
        "arn:aws:iam::1111:policy/x",
        "arn:aws:iam::aws:policy/",
        "arn:aws:iam:us-east-1:aws:policy/x",
        "arn:aws:iam::aws:policy/a b",
    ] {
        let err = check_policy_arn(bad).expect_err(bad);
        assert!(err.contains("managed policy ARN"), "{err}");
    }
}

#[test]
fn source_trust_documents() {
    let cases: Vec<(Vec<Trustee>, Value)> = vec![
        (
            vec![Trustee::Ec2],
            json!({"Service": ["ec2.amazonaws.com"]}),
        ),
        (
            vec![Trustee::Account, Trustee::Lambda],
            json!({"Service": ["lambda.amazonaws.com"], "AWS": ["arn:aws:iam::123456789012:root"]}),
        ),
        (
            vec![Trustee::Principal(
                "arn:aws:iam::123456789012:user/u".into(),
            )],
            json!({"AWS": ["arn:aws:iam::123456789012:user/u"]}),
        ),
    ];
    for (trustees, principal) in cases {
        let doc = source_trust(&trustees, "aws", "123456789012");
        assert_eq!(
            doc,
            json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]}),
            "{trustees:?}"
        );
    }
}

#[test]
fn target_trust_names_role_b_and_the_external_id() {
    assert_eq!(
        target_trust(B, None, LEAST),
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": B}, "Action": "sts:AssumeRole"}]})
    );
    let with_id = target_trust(B, Some("ext-1"), LEAST);
    assert_eq!(
        with_id["Statement"][0]["Condition"],
        json!({"StringEquals": {"sts:ExternalId": "ext-1"}})
    );
    assert_eq!(external_id(&with_id).as_deref(), Some("ext-1"));
    assert_eq!(external_id(&target_trust(B, None, LEAST)), None);
}

#[test]
fn source_permissions_allow_assume_role_on_role_a_only() {
    assert_eq!(
        source_permissions(A, LEAST),
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": A}]})
    );
}

#[test]
fn session_actions_appear_on_both_sides_only_when_asked() {
    let all = SessionActions {
        tags: true,
        source_identity: true,
    };
    let both = json!(["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"]);
    assert_eq!(
        target_trust(B, Some("e-1"), all)["Statement"][0]["Action"],
        both
    );
    assert_eq!(source_permissions(A, all)["Statement"][0]["Action"], both);
    let tags = SessionActions {
        tags: true,
        ..LEAST
    };
    assert_eq!(
        source_permissions(A, tags)["Statement"][0]["Action"],
        json!(["sts:AssumeRole", "sts:TagSession"])
    );
    let identity = SessionActions {
        source_identity: true,
        ..LEAST
    };
    assert_eq!(
        target_trust(B, None, identity)["Statement"][0]["Action"],
        json!(["sts:AssumeRole", "sts:SetSourceIdentity"])
    );
    // Least privilege: the trust of a pair made without the flags differs from one made
    // with them, so a re-run without the flags writes it back.
    assert!(!same(
        &target_trust(B, None, LEAST),
        &target_trust(B, None, all)
    ));
    assert!(!same(
        &source_permissions(A, LEAST),
        &source_permissions(A, tags)
    ));
}

#[test]
fn permission_policy_files() {
    parse_permission_policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#).unwrap();
    parse_permission_policy(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#)
        .unwrap();
    let bad = [
        ("", "not JSON"),
        ("{", "not JSON"),
        ("[]", "not an IAM policy"),
        (r#"{"Version":"2012-10-17"}"#, "not an IAM policy"),
        (r#"{"Statement":[]}"#, "not an IAM policy"),
    ];
    for (text, why) in bad {
        let err = parse_permission_policy(text).expect_err(text);
        assert!(err.contains(why), "{text:?}: {err}");
    }
}

#[test]
fn documents_decode_from_url_encoding_or_plain_json() {
    let plain = r#"{"Statement": [{"Effect": "Allow", "Resource": "a b"}]}"#;
    let encoded = "%7B%22Statement%22%3A%20%5B%7B%22Effect%22%3A%20%22Allow%22%2C%20%22Resource%22%3A%20%22a%20b%22%7D%5D%7D";
    let want = json!({"Statement": [{"Effect": "Allow", "Resource": "a b"}]});
    assert_eq!(decode_document(plain).unwrap(), want);
    assert_eq!(decode_document(encoded).unwrap(), want);
    assert!(decode_document("%7Bnot").is_err());
    assert!(decode_document("%FF%FE").is_err());
}

#[test]
fn comparison_ignores_list_order_and_singletons() {
    let a = json!({"Statement": [{"Principal": {"AWS": [B]}, "Action": ["sts:AssumeRole"]}]});
    let b = json!({"Statement": {"Action": "sts:AssumeRole", "Principal": {"AWS": B}}});
    assert!(same(&a, &b));
    let two = json!({"Principal": {"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]}});
    let two_swapped = json!({"Principal": {"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com", "ec2.amazonaws.com"]}});
    assert!(same(&two, &two_swapped));
    assert!(!same(
        &target_trust(B, None, LEAST),
        &target_trust(B, Some("x1"), LEAST)
    ));
    assert!(!same(
        &target_trust(B, None, LEAST),
        &target_trust(A, None, LEAST)
    ));
}

#[test]
fn stale_unique_ids_are_found() {
    let stale = json!({"Statement": [{"Principal": {"AWS": "AROAEXAMPLE1234567890"}}]});
    assert_eq!(stale_principals(&stale), vec!["AROAEXAMPLE1234567890"]);
    let mixed = json!({"Statement": [{"Principal": {"AWS": [B, "AIDAUSER1"]}}]});
    assert_eq!(stale_principals(&mixed), vec!["AIDAUSER1"]);
    for fine in [
        target_trust(B, None, LEAST),
        json!({"Statement": [{"Principal": {"AWS": "AROA"}}]}),
        json!({"Statement": [{"Principal": {"Service": "AROAXYZ"}}]}),
        json!({}),
    ] {
        assert!(stale_principals(&fine).is_empty(), "{fine}");
    }
}
