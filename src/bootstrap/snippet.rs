//! The `~/.aws/config` profiles that use the pair, and their idempotent insertion into an
//! existing config file. Pure: text in, text out.
//!
//! How the role profile gets role B's credentials follows `--source-trust`:
//! - `ec2`: `credential_source = Ec2InstanceMetadata` (on an instance with the instance
//!   profile, the instance's credentials are role B's);
//! - else `lambda`: `credential_source = Environment` (a function's credentials are role B's);
//! - else (`account` or a principal ARN): a `NAME-source` profile assumes role B with
//!   `--source-profile`'s credentials, and the role profile chains from it.
//!
//! `NAME-cached` runs xacct as the `credential_process`, so every tool shares the cache.
//!
//! `upsert` replaces or appends only the `[profile X]` sections it writes; every other
//! line of the file is kept as it was. It is not an INI parser.

use super::policy::Trustee;

/// One `[profile NAME]` section: its name and `key = value` lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    pub lines: Vec<(String, String)>,
}

impl Section {
    fn new(name: &str) -> Section {
        Section {
            name: name.into(),
            lines: vec![],
        }
    }
    fn set(mut self, key: &str, value: &str) -> Section {
        self.lines.push((key.into(), value.into()));
        self
    }
    fn render(&self) -> String {
        let mut s = format!("[profile {}]\n", self.name);
        for (k, v) in &self.lines {
            s.push_str(&format!("{k} = {v}\n"));
        }
        s
    }
}

/// What the snippet is built from.
pub struct Input<'a> {
    pub profile_name: &'a str,
    pub trustees: &'a [Trustee],
    pub source_profile: &'a str,
    pub role_b_arn: &'a str,
    pub role_a_arn: &'a str,
    pub external_id: Option<&'a str>,
    pub region: &'a str,
    /// The xacct executable the `credential_process` line runs.
    pub xacct: &'a str,
}

/// Profile names: the characters the AWS CLI accepts in a section name, no `default`.
pub fn check_profile_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 120
        && name != "default"
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "--profile-name {:?} is not a usable profile name (1-120 letters, digits and +=,.@_-, not \"default\")",
            crate::arn::truncate(name, 80)
        ))
    }
}

/// Quotes a path for `credential_process`, which botocore splits like a POSIX shell and the
/// Rust SDK runs through `sh -c`.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@,=".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The sections, in the order they are printed.
pub fn sections(i: &Input) -> Vec<Section> {
    let name = i.profile_name;
    let mut out = Vec::new();
    let role = Section::new(name).set("role_arn", i.role_a_arn);
    let role = if i.trustees.contains(&Trustee::Ec2) {
        role.set("credential_source", "Ec2InstanceMetadata")
    } else if i.trustees.contains(&Trustee::Lambda) {
        role.set("credential_source", "Environment")
    } else {
        let source = format!("{name}-source");
        out.push(
            Section::new(&source)
                .set("role_arn", i.role_b_arn)
                .set("source_profile", i.source_profile)
                .set("region", i.region),
        );
        role.set("source_profile", &source)
    };
    let role = match i.external_id {
        Some(id) => role.set("external_id", id),
        None => role,
    };
    out.push(role.set("region", i.region));
    out.push(
        Section::new(&format!("{name}-cached"))
            .set(
                "credential_process",
                &format!(
                    "{} credential-process --profile {name}",
                    shell_quote(i.xacct)
                ),
            )
            .set("region", i.region),
    );
    out
}

/// The snippet as printed: sections separated by blank lines.
pub fn render(sections: &[Section]) -> String {
    sections
        .iter()
        .map(Section::render)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Any section header: `[profile x]`, `[default]`, `[sso-session y]`, `[services z]`.
fn is_header(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('[') && t.ends_with(']')
}

/// The profile a header opens (`[profile x]` -> `x`); `None` for other lines and sections.
fn profile_name(line: &str) -> Option<String> {
    let inner = line.trim().strip_prefix('[')?.strip_suffix(']')?;
    match inner.split_whitespace().collect::<Vec<_>>().as_slice() {
        ["profile", name] => Some(name.to_string()),
        _ => None,
    }
}

/// Replaces each section in `text` (the first of that name; later duplicates are removed,
/// since the SDKs would merge them) or appends it. Running it twice changes nothing.
pub fn upsert(text: &str, sections: &[Section]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for s in sections {
        let rendered: Vec<String> = s.render().lines().map(str::to_string).collect();
        let mut i = 0;
        let mut replaced = false;
        while i < lines.len() {
            if profile_name(&lines[i]).as_deref() != Some(s.name.as_str()) {
                i += 1;
                continue;
            }
            let mut end = i + 1;
            while end < lines.len() && !is_header(&lines[end]) {
                end += 1;
            }
            // Keep the blank lines that separate this section from the next.
            while end > i + 1 && lines[end - 1].trim().is_empty() {
                end -= 1;
            }
            if replaced {
                lines.drain(i..end);
            } else {
                lines.splice(i..end, rendered.clone());
                i += rendered.len();
                replaced = true;
            }
        }
        if !replaced {
            while lines.last().is_some_and(|l| l.trim().is_empty()) {
                lines.pop();
            }
            if !lines.is_empty() {
                lines.push(String::new());
            }
            lines.extend(rendered);
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests;
