//! One way in: `show`, `lint` and `convert` read a model document (JSON or YAML) through
//! the same loader, so they report the same problem with the same code at the same line.

use crate::support::*;

/// The line of the first report about `file` in a command's human output
/// (`file:LINE:COLUMN: message`).
fn first_line(stderr: &str, file: &str) -> Option<usize> {
    let at = stderr.find(&format!("{file}:"))? + file.len() + 1;
    let digits: String = stderr[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Code and line of the first error `lint --format json` reports.
fn lint_error(path: &str) -> (String, usize) {
    let out = lxconf(&["lint", "--isolated", "--format", "json", path]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let first = v
        .as_array()
        .and_then(|a| a.iter().find(|d| d["severity"] == "error"))
        .unwrap_or_else(|| panic!("no error: {v}"));
    let line = first["location"]["line"].as_u64().expect("located") as usize;
    (first["code"].as_str().expect("code").to_string(), line)
}

fn agree(name: &str, text: &str, code: &str, line: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    let path = path.to_str().expect("utf-8");
    assert_eq!(lint_error(path), (code.to_string(), line), "lint {name}");
    for args in [vec!["show"], vec!["convert", "--to", "lxc"]] {
        let mut args = args;
        args.push(path);
        let out = lxconf(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(code), "{args:?}: {stderr}");
        assert_eq!(first_line(&stderr, path), Some(line), "{args:?}: {stderr}");
        assert!(stderr.contains("has 1 error(s)"), "{args:?}: {stderr}");
    }
}

#[test]
fn show_lint_and_convert_agree_on_a_json_model_document_with_an_error() {
    agree(
        "model.json",
        "{\n  \"hostname\": \"web\",\n  \"init\": {\"uid\": \"root\"}\n}\n",
        "M002",
        3,
    );
}

#[test]
fn show_lint_and_convert_agree_on_a_yaml_model_document_with_an_error() {
    agree(
        "model.yaml",
        "hostname: web\ninit:\n  command: [sh]\n  uid: root\n",
        "M002",
        4,
    );
}

#[test]
fn show_lint_and_convert_agree_on_an_unknown_field() {
    agree("model.yaml", "hostname: web\n\nbogus: 1\n", "M002", 3);
    agree(
        "model.json",
        "{\n  \"hostname\": \"web\",\n  \"bogus\": 1\n}\n",
        "M002",
        3,
    );
}

#[test]
fn a_yaml_model_document_from_convert_lints_clean() {
    let out = lxconf(&["convert", "--to", "yaml", "corpus/domxml/full-featured.xml"]);
    assert_eq!(out.status.code(), Some(0));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("model.yaml");
    std::fs::write(&path, &out.stdout).expect("write");
    let out = lxconf(&[
        "lint",
        "--isolated",
        "--format",
        "json",
        path.to_str().expect("utf-8"),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        v.as_array()
            .expect("array")
            .iter()
            .all(|d| d["code"] != "M001" && d["code"] != "M002"),
        "{v}"
    );
}

#[test]
fn a_model_rule_finds_the_same_line_in_json_and_yaml() {
    let dir = tempfile::tempdir().expect("tempdir");
    let yaml = dir.path().join("M040.yaml");
    std::fs::write(
        &yaml,
        "# the same document as corpus/lint/M040.json\nproc:\n- key: ../../tmp/victim\n  value: '1'\n",
    )
    .expect("write");
    for (path, line) in [
        ("corpus/lint/M040.json", 3),
        (yaml.to_str().expect("utf-8"), 3),
    ] {
        let out = lxconf(&["lint", "--isolated", "--format", "json", path]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let found = v
            .as_array()
            .expect("array")
            .iter()
            .find(|d| d["code"] == "M040")
            .unwrap_or_else(|| panic!("{path}: no M040: {v}"));
        assert_eq!(found["location"]["line"], line, "{path}: {found}");
    }
}
