//! The shape rules of docs/architecture.md, checked on the source tree: each LXC key is
//! spelled in a string of product code only by the key table (and by the libvirt-compat
//! converter, which copies libvirt's own hard-coded reader; explanations for users are data,
//! in src/lint/explanations.toml), and no product source file outgrows one room.

use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Crates' product sources (tests excluded below).
const SOURCE_DIRS: &[&str] = &[
    "schemas/src",
    "parsers/src",
    "converters/src",
    "libvirt-compat/src",
    "runner/src",
    "src",
];

/// Where LXC key names may be spelled in code.
const KEY_TABLE_HOMES: &[&str] = &["schemas/src/lxc_key/", "libvirt-compat/src/"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "tests") {
                rust_files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs")
            && p.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(p);
        }
    }
}

/// Each product source file, relative to the root, with its text up to its test module.
fn product_sources() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for d in SOURCE_DIRS {
        rust_files(&Path::new(ROOT).join(d), &mut files);
    }
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read source");
            let code = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
            let rel = p.strip_prefix(ROOT).expect("under root");
            (rel.to_string_lossy().into_owned(), code)
        })
        .collect()
}

/// Comment lines: doc comments may name keys, code may not.
fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with("//")
}

/// String literals of a line that name an LXC key (`lxc.` and a lower-case letter).
fn key_literals(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find('"') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('"') else { break };
        let lit = &after[..end];
        let names_key = lit.match_indices("lxc.").any(|(i, _)| {
            let before = lit[..i].chars().next_back();
            let next = lit[i + 4..].chars().next();
            !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                && next.is_some_and(|c| c.is_ascii_lowercase())
                && !lit[i..].starts_with("lxc.container.conf")
        });
        if names_key {
            found.push(lit.to_string());
        }
        rest = &after[end + 1..];
    }
    found
}

#[test]
fn lxc_key_names_come_from_the_key_table() {
    let mut offenders = Vec::new();
    for (path, code) in product_sources() {
        let exempt = KEY_TABLE_HOMES.iter().any(|h| path.starts_with(h));
        if exempt {
            continue;
        }
        for (n, line) in code.lines().enumerate() {
            if is_comment(line) {
                continue;
            }
            for lit in key_literals(line) {
                offenders.push(format!("{path}:{}: \"{lit}\"", n + 1));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "LXC key names spelled outside the key table (use lxconf_model::lxc_key):\n{}",
        offenders.join("\n")
    );
}

#[test]
fn no_product_source_file_is_over_1000_lines() {
    let long: Vec<String> = product_sources()
        .into_iter()
        .filter_map(|(path, code)| {
            let n = code.lines().count();
            (n > 1000).then(|| format!("{path}: {n} lines"))
        })
        .collect();
    assert!(long.is_empty(), "split these by concern: {long:?}");
}

#[test]
fn the_key_literal_scan_finds_keys_and_ignores_comments() {
    assert_eq!(
        key_literals(r#"self.line("lxc.cap.drop", x)"#),
        vec!["lxc.cap.drop"]
    );
    assert!(key_literals(r#"m.name("vlxc.x") + "see lxc.container.conf""#).is_empty());
    assert!(is_comment(r#"    /// `lxc.cap.drop` and ..."#));
    assert!(!is_comment(r#"        let k = "lxc.cap.drop";"#));
}
