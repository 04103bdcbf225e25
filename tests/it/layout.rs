//! The source tree keeps the shape DESIGN.md describes: no two modules import each other
//! (no cycle at all in the module graph), no `#[path]` test files, no file over ~400
//! lines, and no `process::exit` outside `main.rs` (commands return their exit code).
//!
//! The graph is built from the source text, one node per file module (`src/a/b.rs` is
//! `a::b`; `tests` modules and the `testing` fixtures are left out). An edge is every
//! `crate::` path in code, every top-level `use super::`, and every path through a child
//! module (`plan::x` in `bootstrap/mod.rs`). Edges between a module and its own ancestors
//! are containment, not imports: a parent that declares and re-exports its children, and
//! children that implement the parent's trait, are one unit.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `src/a/b.rs` -> `a::b`, `src/a/mod.rs` -> `a`, `src/lib.rs` -> `` (the root).
fn module_of(rel: &Path) -> String {
    let mut parts: Vec<String> = rel
        .with_extension("")
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

/// The code of a file without its comments and its inline test module.
fn code_of(text: &str) -> String {
    let text = text
        .split("\n#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Expands the path that starts at `s` (just after `crate::` or `super::`), with
/// `{a, b::{c, d}}` groups, into full paths.
fn expand(s: &str) -> Vec<Vec<String>> {
    fn path(s: &[char], i: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        let mut cur = prefix;
        loop {
            if s.get(*i) == Some(&'{') {
                *i += 1;
                loop {
                    while s.get(*i).is_some_and(|c| c.is_whitespace() || *c == ',') {
                        *i += 1;
                    }
                    if s.get(*i) == Some(&'}') || *i >= s.len() {
                        *i += 1;
                        return;
                    }
                    path(s, i, cur.clone(), out);
                    // Skip `as name` and anything up to the next item.
                    while s.get(*i).is_some_and(|c| *c != ',' && *c != '}') {
                        *i += 1;
                    }
                }
            }
            let start = *i;
            while s.get(*i).is_some_and(|c| c.is_alphanumeric() || *c == '_') {
                *i += 1;
            }
            if *i == start {
                out.push(cur);
                return;
            }
            let ident: String = s[start..*i].iter().collect();
            if ident != "self" {
                cur.push(ident);
            }
            if s.get(*i) == Some(&':') && s.get(*i + 1) == Some(&':') {
                *i += 2;
            } else {
                out.push(cur);
                return;
            }
        }
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = vec![];
    path(&chars, &mut 0, vec![], &mut out);
    out
}

/// The longest prefix of `path` (under `base`) that is a module.
fn resolve(base: &[String], path: &[String], modules: &BTreeSet<String>) -> Option<String> {
    let full: Vec<String> = base.iter().chain(path).cloned().collect();
    (1..=full.len())
        .rev()
        .map(|n| full[..n].join("::"))
        .find(|m| modules.contains(m))
}

fn is_related(a: &str, b: &str) -> bool {
    let under = |x: &str, y: &str| y.is_empty() || x == y || x.starts_with(&format!("{y}::"));
    under(a, b) || under(b, a)
}

/// The module graph: module -> modules it uses.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = vec![];
    rust_files(&src(), &mut files);
    let mut code: BTreeMap<String, String> = BTreeMap::new();
    for f in &files {
        let rel = f.strip_prefix(src()).unwrap();
        let m = module_of(rel);
        let skip =
            rel == Path::new("main.rs") || m == "testing" || m.split("::").any(|p| p == "tests");
        if !skip {
            code.insert(m, code_of(&std::fs::read_to_string(f).unwrap()));
        }
    }
    let modules: BTreeSet<String> = code.keys().cloned().collect();
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, text) in &code {
        let segs: Vec<String> = m
            .split("::")
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let parent = &segs[..segs.len().saturating_sub(1)];
        let mut targets = vec![];
        for (at, _) in text.match_indices("crate::") {
            for p in expand(&text[at + 7..]) {
                targets.extend(resolve(&[], &p, &modules));
            }
        }
        for line in text
            .lines()
            .filter(|l| l.starts_with("use super::") || l.starts_with("pub use super::"))
        {
            let at = line.find("super::").unwrap() + 7;
            for p in expand(&line[at..]) {
                targets.extend(resolve(parent, &p, &modules));
            }
        }
        // Paths through a child module: `plan::x` in bootstrap/mod.rs.
        let children = modules.iter().filter(|c| {
            c.strip_prefix(m.as_str())
                .map(|rest| rest.trim_start_matches("::"))
                .is_some_and(|rest| !rest.is_empty() && !rest.contains("::"))
                && (m.is_empty() || c.starts_with(&format!("{m}::")))
        });
        for child in children {
            let name = child.rsplit("::").next().unwrap();
            let used = text.match_indices(&format!("{name}::")).any(|(at, _)| {
                !text[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
            });
            if used {
                targets.push(child.clone());
            }
        }
        let edges = g.entry(m.clone()).or_default();
        for t in targets {
            if !is_related(m, &t) {
                edges.insert(t);
            }
        }
    }
    g
}

/// A cycle in `g`, if any (depth-first search).
fn find_cycle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == n) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_string());
        for next in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(next, g, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    g.keys().find_map(|n| visit(n, g, &mut vec![], &mut done))
}

#[test]
fn no_two_modules_import_each_other() {
    let g = graph();
    // The graph must be real, or an empty one would pass: these edges exist today.
    for (from, to) in [
        ("aws::iam", "bootstrap::iam"),
        ("provider", "cache::entry"),
        ("cmd::exec", "exec::server"),
        ("bootstrap", "bootstrap::policy"),
    ] {
        let has = g.get(from).is_some_and(|e| e.contains(to)) || is_related(from, to);
        assert!(has, "expected edge {from} -> {to}; graph: {g:#?}");
    }
    assert!(g.len() > 40, "only {} modules found", g.len());
    if let Some(cycle) = find_cycle(&g) {
        panic!("modules import each other: {}", cycle.join(" -> "));
    }
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let g: BTreeMap<String, BTreeSet<String>> =
        [("a", &["b"][..]), ("b", &["c"][..]), ("c", &["a"][..])]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect();
    assert_eq!(find_cycle(&g).unwrap().len(), 4);
    assert_eq!(
        expand("cache::{entry::{self, Miss}, key}, x"),
        vec![
            vec!["cache".to_string(), "entry".into()],
            vec!["cache".to_string(), "entry".into(), "Miss".into()],
            vec!["cache".to_string(), "key".into()],
        ]
    );
}

#[test]
fn files_stay_small_and_tests_live_in_tests_modules() {
    let mut files = vec![];
    rust_files(&src(), &mut files);
    let mut problems = vec![];
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let rel = f.strip_prefix(src()).unwrap().display().to_string();
        let lines = text.lines().count();
        if lines > 450 {
            problems.push(format!(
                "{rel} has {lines} lines (split it by responsibility)"
            ));
        }
        if text.contains("#[path") {
            problems.push(format!(
                "{rel} uses #[path]: put tests in a `tests` module file"
            ));
        }
        if rel != "main.rs" && text.contains("process::exit") {
            problems.push(format!("{rel} calls process::exit: return an exit code"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
