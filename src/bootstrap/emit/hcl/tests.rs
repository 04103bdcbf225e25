use super::*;
use serde_json::json;

#[test]
fn strings_escape_quotes_and_template_sequences() {
    assert_eq!(string(r#"a"b\c"#), r#""a\"b\\c""#);
    assert_eq!(string("${x} %{y} $z %w"), r#""$${x} %%{y} $z %w""#);
    assert_eq!(string("l1\nl2\u{1}"), r#""l1\nl2\u0001""#);
}

#[test]
fn values_nest_and_references_replace_their_string() {
    let doc =
        json!({"Statement": [{"Action": ["a", "b"], "Principal": {"AWS": "ARN"}}], "Version": "1"});
    let text = value(&doc, &[("ARN", "aws_iam_role.source.arn")], 2);
    assert_eq!(
        text,
        "{\n    \"Statement\" = [\n      {\n        \"Action\"    = [\"a\", \"b\"]\n        \"Principal\" = {\n          \"AWS\" = aws_iam_role.source.arn\n        }\n      },\n    ]\n    \"Version\" = \"1\"\n  }"
    );
}

#[test]
fn runs_of_single_line_attributes_align() {
    let attrs = vec![
        attr("name", "\"x\""),
        attr("provider", "aws.a"),
        attr("policy", "{\n}"),
        attr("tags", "{}"),
    ];
    assert_eq!(
        attributes(&attrs, 2),
        "  name     = \"x\"\n  provider = aws.a\n  policy   = {\n}\n  tags = {}\n"
    );
}
