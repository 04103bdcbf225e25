//! Just enough HCL to write a Terraform file: quoted strings, JSON values as HCL
//! expressions (for `jsonencode(...)`), and blocks whose `=` line up in the style of
//! `terraform fmt` (not checked against it: Terraform cannot be installed where the
//! tests run; python-hcl2 parses the output there). Pure text building.

use serde_json::Value;

/// A quoted HCL string. `${` and `%{` start template sequences in HCL strings, so they
/// are doubled to stay literal text.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `key = value` lines at `indent`, with the `=` of each run of single-line values
/// aligned; a multi-line value ends its run, as in `terraform fmt`.
pub fn attributes(attrs: &[(String, String)], indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    let mut start = 0;
    while start < attrs.len() {
        let mut end = start;
        while end < attrs.len() && !attrs[end].1.contains('\n') {
            end += 1;
        }
        // The multi-line value (if any) belongs to the run it ends.
        let stop = (end + 1).min(attrs.len());
        let width = attrs[start..stop]
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        for (k, v) in &attrs[start..stop] {
            let gap = " ".repeat(width - k.chars().count());
            out.push_str(&format!("{pad}{k}{gap} = {v}\n"));
        }
        start = stop;
    }
    out
}

/// A JSON value as an HCL expression at `indent`; a string equal to the first of a pair
/// in `refs` becomes the second, a reference such as `aws_iam_role.source.arn`, which
/// also tells Terraform the order to create things in.
pub fn value(v: &Value, refs: &[(&str, &str)], indent: usize) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => match refs.iter().find(|(from, _)| from == s) {
            Some((_, to)) => to.to_string(),
            None => string(s),
        },
        Value::Array(items) => {
            let flat: Vec<String> = items.iter().map(|i| value(i, refs, indent)).collect();
            let one_line = format!("[{}]", flat.join(", "));
            if items.iter().all(|i| !i.is_object() && !i.is_array()) && one_line.len() <= 80 {
                return one_line;
            }
            let inner = " ".repeat(indent + 2);
            let mut out = String::from("[\n");
            for item in items {
                out.push_str(&format!("{inner}{},\n", value(item, refs, indent + 2)));
            }
            out.push_str(&format!("{}]", " ".repeat(indent)));
            out
        }
        Value::Object(map) if map.is_empty() => "{}".into(),
        Value::Object(map) => {
            let attrs: Vec<(String, String)> = map
                .iter()
                .map(|(k, v)| (string(k), value(v, refs, indent + 2)))
                .collect();
            format!(
                "{{\n{}{}}}",
                attributes(&attrs, indent + 2),
                " ".repeat(indent)
            )
        }
    }
}

/// One top-level block: `header {`, its attributes, `}`.
pub fn block(header: &str, attrs: &[(String, String)]) -> String {
    format!("{header} {{\n{}}}\n", attributes(attrs, 2))
}

/// An attribute list entry from plain strings.
pub fn attr(key: &str, value: impl Into<String>) -> (String, String) {
    (key.to_string(), value.into())
}

#[cfg(test)]
mod tests;
