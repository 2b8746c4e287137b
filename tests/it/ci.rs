//! lint in CI: SARIF validated against the OASIS schema on real runs, GitLab code quality,
//! the pre-commit hook definition and the README's Linting recipe in an ordinary repository.

use crate::support::*;
use serde_json::Value;
use std::path::Path;

fn sarif_validator() -> jsonschema::Validator {
    let path = root().join("tests/sarif/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read schema"))
        .expect("schema json");
    // Formats too (`uri`, `uri-reference`): not checked unless asked for.
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("valid schema")
}

fn assert_valid_sarif(validator: &jsonschema::Validator, sarif: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{what}: {}", errors.join("\n"));
}

fn results(sarif: &Value) -> &Vec<Value> {
    sarif["runs"][0]["results"].as_array().expect("results")
}

/// A repository with what SARIF output has to carry: a fix, related locations (a duplicate
/// key), an inline suppression, a file name with a space and a `#`, and an include by an
/// absolute path of a file outside it (kept in the returned directory's `shared/`).
fn ci_repository() -> tempfile::TempDir {
    let top = tempfile::tempdir().expect("tempdir");
    let shared = top.path().join("shared");
    std::fs::create_dir(&shared).expect("mkdir");
    std::fs::write(
        shared.join("base.conf"),
        "lxc.tty = 4
",
    )
    .expect("w");
    let d = &top.path().join("repo");
    std::fs::create_dir(d).expect("mkdir");
    std::fs::create_dir(d.join("containers")).expect("mkdir");
    std::fs::write(
        d.join("containers/web.conf"),
        "lxc.utsname = web\nlxc.rootfs.path = dir:/srv/web\nlxc.uts.name = web2\n\
         # lxconf: allow privileged-container\nlxc.net.0.type = veth\n",
    )
    .expect("w");
    std::fs::write(
        d.join("containers/db #1.conf"),
        format!(
            "lxc.include = {}\nlxc.uts.name = db\nlxc.rootfs.path = dir:/srv/db\n\
             lxc.cap.drop = sys_admin\nlxc.cap.drop = sys_admin\n",
            shared.join("base.conf").display()
        ),
    )
    .expect("w");
    std::fs::write(d.join("README.md"), "# Containers\n\nrun the tests now\n").expect("w");
    top
}

/// Real runs of `lxconf lint --format sarif` validate against the OASIS SARIF 2.1.0 schema:
/// the fixture corpus (every rule: fixes, related locations) and a repository with a
/// suppression, odd file names and absolute include paths.
#[test]
fn sarif_of_real_runs_validates_against_the_oasis_schema() {
    let validator = sarif_validator();
    // The schema checks formats where draft 4 defines them (`uri`; `uri-reference`, of
    // artifact locations, is checked below).
    let mut bad: Value = serde_json::from_str(
        r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","informationUri":"a b"}},"results":[]}]}"#,
    )
    .expect("json");
    assert!(!validator.is_valid(&bad), "the schema checks URIs");
    bad["runs"][0]["tool"]["driver"]["informationUri"] = "https://example.invalid/x".into();
    assert_valid_sarif(&validator, &bad, "a URI");

    let out = lxconf(&[
        "lint",
        "--format",
        "sarif",
        "--include-base",
        "corpus/lint",
        "corpus/lint",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&out.stdout).expect("sarif json");
    assert_valid_sarif(&validator, &sarif, "corpus/lint");
    let text = sarif.to_string();
    assert!(text.contains("\"fixes\"") && text.contains("\"relatedLocations\""));

    let repo = ci_repository();
    let out = lxconf_in(
        &repo.path().join("repo"),
        &["lint", "--format", "sarif", "."],
    );
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sarif: Value = serde_json::from_slice(&out.stdout).expect("sarif json");
    assert_valid_sarif(&validator, &sarif, "repository");
    let uris: Vec<&str> = results(&sarif)
        .iter()
        .flat_map(|r| {
            r["locations"]
                .as_array()
                .into_iter()
                .chain(r["relatedLocations"].as_array())
                .flatten()
        })
        .filter_map(|l| l["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(uris.contains(&"containers/db%20%231.conf"), "{uris:?}");
    assert!(uris.contains(&"containers/web.conf"), "{uris:?}");
    // Relative references or `file:` URIs, every character outside RFC 3986's unreserved
    // ones and `/` percent-encoded (a `#` would start a fragment).
    assert!(
        uris.iter().all(|u| {
            let path = u.strip_prefix("file:///").unwrap_or(u);
            !path.starts_with('/')
                && path
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._~/%".contains(c))
        }),
        "{uris:?}"
    );
    assert!(
        uris.iter()
            .any(|u| u.starts_with("file:///") && u.ends_with("/shared/base.conf")),
        "the include, absolute: {uris:?}"
    );
    // The suppressed finding is not reported; the others of the file are.
    let web: Vec<&Value> = results(&sarif)
        .iter()
        .filter(|r| r.to_string().contains("containers/web.conf"))
        .collect();
    assert!(!web.is_empty());
    assert!(!web.iter().any(|r| r["ruleId"] == "M003"), "{web:?}");
}

/// `--format gitlab`: GitLab's code-quality report, one issue per finding, fingerprints
/// unique and the same from one run to the next, and not changed by a line added above.
#[test]
fn gitlab_code_quality_report_has_stable_unique_fingerprints() {
    let repo = ci_repository();
    let run = |dir: &Path| -> Vec<Value> {
        let out = lxconf_in(dir, &["lint", "--format", "gitlab", "."]);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout)
            .expect("gitlab json")
            .as_array()
            .expect("array")
            .clone()
    };
    let repo = repo.path().join("repo");
    let first = run(&repo);
    let json = lxconf_in(&repo, &["lint", "--format", "json", "."]);
    let findings: Vec<Value> = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(first.len(), findings.len());
    assert!(first.len() >= 3, "{first:?}");
    let mut fingerprints = std::collections::BTreeSet::new();
    for issue in &first {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[key].is_string(), "{key} in {issue}");
        }
        assert!(["info", "minor", "major"].contains(&issue["severity"].as_str().expect("s")));
        assert!(issue["location"]["path"].is_string(), "{issue}");
        assert!(issue["location"]["lines"]["begin"].as_u64().expect("begin") >= 1);
        assert!(fingerprints.insert(issue["fingerprint"].as_str().expect("f").to_string()));
    }
    // The two identical duplicate `lxc.cap.drop` findings are told apart.
    assert_eq!(fingerprints.len(), first.len());
    assert_eq!(run(&repo), first, "same input, same report");
    // A comment added at the top moves every line, not the fingerprints.
    let web = repo.join("containers/web.conf");
    let text = std::fs::read_to_string(&web).expect("read");
    std::fs::write(&web, format!("# the web server\n{text}")).expect("w");
    let moved = run(&repo);
    let prints = |issues: &[Value]| -> Vec<String> {
        issues
            .iter()
            .map(|i| i["fingerprint"].as_str().expect("f").to_string())
            .collect()
    };
    assert_eq!(prints(&moved), prints(&first));
    assert_ne!(moved, first, "the lines moved");
}

/// An ordinary repository: a README, a `.tsv` of four-word lines, an application's YAML, and
/// clean container configs (an LXC config, an fstab named so, an LXD instance).
fn ordinary_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let files = [
        ("README.md", "# Project\n\nrun the tests now\nread the docs first\n"),
        ("MANIFEST.tsv", "a.txt\t100\t644\troot\nb.txt\t200\t600\troot\n"),
        ("app.yaml", "config:\n  debug: true\nname: app\n"),
        ("containers/web.conf", "lxc.uts.name = web\nlxc.rootfs.path = dir:/srv/web\n"),
        ("containers/data.fstab", "/srv/a srv/a none bind 0 0\n"),
        (
            "containers/instance.yaml",
            "config:\n  security.privileged: \"true\"\ndevices:\n  root:\n    path: /\n    pool: default\n    type: disk\nprofiles: []\n",
        ),
    ];
    for (name, text) in files {
        let path = d.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("w");
    }
    dir
}

/// The arguments after `lxconf lint` of the command lines of a document's shell and YAML
/// blocks (`lxconf lint` after `run:`, `- ` or at a line start), without comments and
/// redirections.
fn lint_commands(doc: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(root().join(doc)).expect("read doc");
    text.lines()
        .filter_map(|l| {
            let at = l.find("lxconf lint")?;
            let before = l[..at].trim();
            if !["", "-", "run:", "- run:"].contains(&before) {
                return None;
            }
            let command = l[at..].split('#').next().unwrap_or("");
            let command = command.split('>').next().unwrap_or("");
            Some(
                command
                    .split_whitespace()
                    .skip(2)
                    .map(str::to_string)
                    .collect(),
            )
        })
        .collect()
}

/// The README's Linting recipe and the CI examples of docs/ci.md run clean in an ordinary
/// repository (exit 0, nothing at error level, nothing about files that are not container
/// configs), and report a broken config once one is added (exit 1).
#[test]
fn the_documented_lint_recipes_run_clean_in_an_ordinary_repository() {
    let repo = ordinary_repository();
    let d = repo.path();
    let mut commands = lint_commands("README.md");
    let readme_commands = commands.len();
    commands.extend(lint_commands("docs/ci.md"));
    assert!(readme_commands >= 4, "{commands:?}");
    assert!(commands.len() >= readme_commands + 3, "{commands:?}");
    let has = |flag: &str| commands.iter().any(|c| c.iter().any(|a| a == flag));
    for format in ["sarif", "github", "gitlab"] {
        assert!(has(format), "no recipe for {format}");
    }
    for args in &commands {
        // `--fix config`, `--diff config`: the README's placeholder for a file.
        let args: Vec<&str> = args
            .iter()
            .map(|a| {
                if a == "config" {
                    "containers/web.conf"
                } else {
                    a
                }
            })
            .collect();
        let mut full = vec!["lint"];
        full.extend(&args);
        let out = lxconf_in(d, &full);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "lxconf {full:?}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Findings below error level in the configs are fine (the configs are small, not
        // hardened); nothing is said about the README, the .tsv or the application's YAML.
        for other in ["README", "MANIFEST", "app.yaml"] {
            assert!(!stdout.contains(other), "{other} judged: {stdout}");
        }
        if args.contains(&"sarif") {
            let sarif: Value = serde_json::from_str(&stdout).expect("sarif");
            assert!(!results(&sarif).is_empty(), "the configs were linted");
            assert!(
                results(&sarif).iter().all(|r| r["level"] != "error"),
                "{stdout}"
            );
        } else if args.contains(&"gitlab") {
            let issues: Value = serde_json::from_str(&stdout).expect("gitlab");
            let issues = issues.as_array().expect("array");
            assert!(issues.iter().all(|i| i["severity"] != "major"), "{stdout}");
        } else if args.contains(&"github") {
            assert!(!stdout.contains("::error"), "{stdout}");
        } else if args.contains(&"--diff") {
            assert!(stdout.is_empty(), "{stdout}");
        }
    }
    std::fs::write(d.join("containers/bad.conf"), "lxc.uts.nmae = web\n").expect("w");
    let out = lxconf_in(d, &["lint", "--format", "gitlab", "."]);
    assert_eq!(out.status.code(), Some(1));
    let issues: Value = serde_json::from_slice(&out.stdout).expect("json");
    let unknown = issues
        .as_array()
        .expect("array")
        .iter()
        .find(|i| i["check_name"] == "L001")
        .expect("the unknown key");
    assert_eq!(unknown["location"]["path"], "containers/bad.conf");
    assert_eq!(unknown["severity"], "major");
}

/// `.pre-commit-hooks.yaml` parses, defines `lxconf-lint` with a language that builds this
/// repository's binary, and its entry (with pre-commit's way of passing files: none) runs
/// clean on an ordinary repository and fails on a broken config.
#[test]
fn the_pre_commit_hook_runs_lxconf_lint_on_the_repository() {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).expect("read hooks");
    let hooks: Vec<Value> = serde_norway::from_str(&text).expect("hooks yaml");
    let hook = hooks
        .iter()
        .find(|h| h["id"] == "lxconf-lint")
        .expect("lxconf-lint hook");
    assert!(["rust", "system"].contains(&hook["language"].as_str().expect("language")));
    assert_eq!(
        hook["pass_filenames"], false,
        "the walk decides what is a config"
    );
    let files = hook["files"].as_str().expect("files");
    assert!(files.contains("conf") && files.contains("xml"), "{files}");
    let entry: Vec<&str> = hook["entry"]
        .as_str()
        .expect("entry")
        .split_whitespace()
        .collect();
    assert_eq!(entry[0], "lxconf", "the binary's name");
    let mut args: Vec<&str> = entry[1..].to_vec();
    let extra: Vec<String> = hook["args"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| a.as_str().expect("arg").to_string())
        .collect();
    args.extend(extra.iter().map(String::as_str));
    assert_eq!(args.first(), Some(&"lint"));
    let repo = ordinary_repository();
    let out = lxconf_in(repo.path(), &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    std::fs::write(
        repo.path().join("containers/bad.conf"),
        "lxc.uts.nmae = web\n",
    )
    .expect("w");
    let out = lxconf_in(repo.path(), &args);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("bad.conf"));
}

/// The YAML blocks of docs/ci.md parse, and each CI example uploads the file its lint step
/// writes: the SARIF to code scanning, the code-quality report to GitLab.
#[test]
fn the_ci_examples_are_yaml_that_upload_what_lint_writes() {
    let text = std::fs::read_to_string(root().join("docs/ci.md")).expect("read docs/ci.md");
    let blocks: Vec<String> = text
        .split("```yaml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap_or_default().to_string())
        .collect();
    assert!(blocks.len() >= 3, "{blocks:?}");
    for b in &blocks {
        let parsed: Result<serde_norway::Value, _> = serde_norway::from_str(b);
        // A step excerpt (`- run: ...` indented under `steps:`) is not a document alone.
        if b.starts_with("      - ") {
            continue;
        }
        parsed.unwrap_or_else(|e| panic!("{e}\n{b}"));
    }
    let github = blocks
        .iter()
        .find(|b| b.contains("upload-sarif"))
        .expect("a GitHub workflow");
    let workflow: Value = serde_norway::from_str(github).expect("workflow");
    let steps = workflow["jobs"]["lint"]["steps"].as_array().expect("steps");
    let written = steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .find_map(|r| r.strip_prefix("lxconf lint --format sarif . > "))
        .expect("a lint step writing SARIF");
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("upload step");
    assert_eq!(upload["with"]["sarif_file"], written.trim());
    assert_eq!(
        workflow["permissions"]["security-events"], "write",
        "upload-sarif needs it"
    );
    let gitlab = blocks
        .iter()
        .find(|b| b.contains("codequality"))
        .expect("a GitLab job");
    let job: Value = serde_norway::from_str(gitlab).expect("gitlab ci");
    let job = &job["lxconf"];
    let written = job["script"]
        .as_array()
        .expect("script")
        .iter()
        .filter_map(Value::as_str)
        .find_map(|r| r.strip_prefix("lxconf lint --format gitlab . > "))
        .expect("a lint command writing the report");
    assert_eq!(job["artifacts"]["reports"]["codequality"], written.trim());
    assert_eq!(job["artifacts"]["when"], "always", "kept when lint fails");
}

/// A rule's SARIF default level is lint's default: legacy keys are errors (LXC 3.0 and
/// later refuse them) though the code table calls them warnings.
#[test]
fn sarif_rule_defaults_are_lints_default_levels() {
    let out = lxconf(&[
        "lint",
        "--isolated",
        "--format",
        "sarif",
        "corpus/lint/L002.conf",
    ]);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF");
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let level = |id: &str| {
        rules.iter().find(|r| r["id"] == id).expect("rule")["defaultConfiguration"]["level"].clone()
    };
    assert_eq!(level("L002"), "error");
    assert_eq!(level("L015"), "error");
    assert_eq!(level("L019"), "warning");
    assert_eq!(level("M006"), "note");
}
