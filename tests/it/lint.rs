//! `lxconf lint`: a fixture per rule (corpus/lint/CODE.*) with snapshots of the human and
//! JSON output, generated docs, SARIF, fixes, levels, suppressions and exit codes.

use crate::support::*;
use lxconf::lint::files::{self, FileReport, Options};
use lxconf::lint::settings::Settings;
use lxconf::lint::{output, registry, Check};
use lxconf_parse::Format;
use std::path::Path;

fn format_of(file: &str) -> Format {
    match Path::new(file).extension().and_then(|e| e.to_str()) {
        Some("fstab") => Format::Fstab,
        Some("json") => Format::ModelJson,
        Some("xml") => Format::DomXml,
        _ => Format::Lxc,
    }
}

fn fixture_settings() -> Settings {
    Settings::from_file(&root().join("corpus/lint/lxconf.toml")).expect("fixture settings")
}

fn fixture_options(host: bool) -> Options {
    Options {
        host,
        // Relative (cargo runs tests from the package root), so that rendered reports do
        // not depend on where the checkout lives: miette wraps lines by length.
        base_dir: Some(std::path::PathBuf::from("corpus/lint")),
        format: None,
        include_system: false,
    }
}

/// The fixture of a code, as a path relative to the root.
fn fixture(code: &str) -> Option<String> {
    ["conf", "fstab", "json", "xml"]
        .iter()
        .map(|e| format!("corpus/lint/{code}.{e}"))
        .find(|p| root().join(p).is_file())
}

fn lint_fixture(file: &str, host: bool) -> FileReport {
    let text = std::fs::read_to_string(root().join(file)).expect("read fixture");
    files::lint_text(
        file,
        &text,
        format_of(file),
        &fixture_options(host),
        &fixture_settings(),
    )
    .expect("lintable")
}

fn strip(text: String) -> String {
    text.replace(&format!("{}/", root().display()), "")
}

#[test]
fn every_rule_has_a_fixture_that_triggers_it() {
    let mut failures = Vec::new();
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots/lint");
    settings.bind(|| {
        for rule in registry::RULES.iter() {
            let code = rule.code.as_str();
            let Some(file) = fixture(code) else {
                failures.push(format!("{code}: no fixture corpus/lint/{code}.*"));
                continue;
            };
            let report = lint_fixture(&file, matches!(rule.check, Check::Host(_)));
            if !report.diagnostics.iter().any(|d| d.code == rule.code) {
                failures.push(format!("{code}: {file} does not trigger it"));
            }
            let reports = [report];
            let items = output::unique(&reports);
            insta::assert_snapshot!(
                format!("{code}-human"),
                strip(output::human(&items, &lxconf::report::plain_handler()))
            );
            let mut json = output::json(&items);
            strip_root(&mut json);
            insta::assert_json_snapshot!(format!("{code}-json"), json);
        }
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn there_are_at_least_thirty_rules_beyond_the_parsers() {
    let own = registry::RULES
        .iter()
        .filter(|r| !matches!(r.check, Check::Parser))
        .count();
    assert!(own >= 30, "{own} rules");
}

#[test]
fn lint_docs_are_current() {
    let dir = root().join("docs/rules");
    if std::env::var_os("LXCONF_UPDATE").is_some() {
        lxconf::lint::docs::write(&dir).expect("write docs");
        return;
    }
    let stale = lxconf::lint::docs::stale(&dir);
    assert!(
        stale.is_empty(),
        "docs/rules is stale ({}): run `LXCONF_UPDATE=1 cargo test -p lxconf --test it lint_docs`",
        stale.join(", ")
    );
}

fn all_fixture_items_sarif() -> serde_json::Value {
    let reports: Vec<FileReport> = registry::RULES
        .iter()
        .filter_map(|r| {
            fixture(r.code.as_str()).map(|f| lint_fixture(&f, matches!(r.check, Check::Host(_))))
        })
        .collect();
    let items = output::unique(&reports);
    serde_json::to_value(output::sarif(&items)).expect("serializable")
}

/// A structural check of what code scanning tools read from SARIF, beyond the schema: rule
/// indexes that agree with rule ids, relative URIs, 1-based regions.
#[test]
fn sarif_output_has_the_structure_sarif_2_1_0_requires() {
    let sarif = all_fixture_items_sarif();
    assert_eq!(sarif["version"], "2.1.0");
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "lxconf");
    let rules = driver["rules"].as_array().expect("rules");
    for r in rules {
        assert!(r["id"].is_string());
        assert!(r["shortDescription"]["text"].is_string());
        let level = r["defaultConfiguration"]["level"].as_str().expect("level");
        assert!(["none", "note", "warning", "error"].contains(&level));
    }
    let results = runs[0]["results"].as_array().expect("results");
    assert!(results.len() >= registry::RULES.len());
    for r in results {
        assert!(r["message"]["text"].is_string(), "{r}");
        let id = r["ruleId"].as_str().expect("ruleId");
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], id);
        assert!(["none", "note", "warning", "error"].contains(&r["level"].as_str().expect("level")));
        for loc in r["locations"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(r["relatedLocations"].as_array().into_iter().flatten())
        {
            let phys = &loc["physicalLocation"];
            let uri = phys["artifactLocation"]["uri"].as_str().expect("uri");
            assert!(!uri.contains(' ') && !uri.starts_with('/'), "{uri}");
            let region = &phys["region"];
            for k in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(region[k].as_u64().expect(k) >= 1, "{k} in {r}");
            }
            assert!(region["endLine"].as_u64() >= region["startLine"].as_u64());
        }
        for fix in r["fixes"].as_array().into_iter().flatten() {
            assert!(
                fix["artifactChanges"][0]["replacements"][0]["deletedRegion"]["startLine"].is_u64()
            );
        }
    }
}

#[test]
fn fixes_converge_and_leave_nothing_fixable() {
    let settings = fixture_settings();
    let mut changed = 0;
    for rule in registry::RULES.iter() {
        let Some(file) = fixture(rule.code.as_str()) else {
            continue;
        };
        let text = std::fs::read_to_string(root().join(&file)).expect("read");
        let options = fixture_options(false);
        let once =
            files::fix_text(&file, &text, format_of(&file), &options, &settings).expect("fix");
        let twice =
            files::fix_text(&file, &once.text, format_of(&file), &options, &settings).expect("fix");
        assert_eq!(twice.applied, 0, "{file}: a second --fix changed something");
        assert_eq!(twice.text, once.text, "{file}");
        assert!(
            !once
                .report
                .diagnostics
                .iter()
                .any(|d| d.fix.as_ref().is_some_and(|f| f.safe)),
            "{file}: a safe fix is left"
        );
        if once.applied > 0 {
            changed += 1;
            let new_errors = once
                .report
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .count();
            let old = lint_fixture(&file, false);
            assert!(
                new_errors <= old.diagnostics.iter().filter(|d| d.is_error()).count(),
                "{file}: fixing added errors"
            );
        }
    }
    assert!(changed >= 2, "the fixable fixtures were fixed");
}

#[test]
fn legacy_keys_and_dead_lines_are_fixed() {
    let text = "lxc.utsname = a\nlxc.tty = 2\nlxc.uts.name = b\n";
    let fixed = files::fix_text(
        "x.conf",
        text,
        Format::Lxc,
        &Options::default(),
        &Settings::default(),
    )
    .expect("fix");
    assert_eq!(fixed.text, "lxc.tty.max = 2\nlxc.uts.name = b\n");
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("mkdir");
    }
    std::fs::write(&path, text).expect("write");
    path.to_str().expect("utf8").to_string()
}

fn code(out: &std::process::Output) -> Option<i32> {
    out.status.code()
}

#[test]
fn exit_codes_follow_error_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = write(
        dir.path(),
        "clean.conf",
        "lxc.uts.name = web\nlxc.mount.auto = proc:mixed\n",
    );
    let warn = write(
        dir.path(),
        "warn.conf",
        "lxc.utsname = web\nlxc.mount.auto = proc:mixed\n",
    );
    let bad = write(dir.path(), "bad.conf", "lxc.start.auto = yes\n");
    let allow = ["--allow", "M006"];
    assert_eq!(
        code(&lxconf(&["lint", "--isolated", allow[0], allow[1], &clean])),
        Some(0)
    );
    // A legacy key is an error (liblxc 3.0+ refuses the file) unless the configs are
    // for LXC 2.x hosts.
    assert_eq!(code(&lxconf(&["lint", "--isolated", &warn])), Some(1));
    assert_eq!(
        code(&lxconf(&[
            "lint",
            "--isolated",
            "--lxc-version",
            "2.0",
            &warn
        ])),
        Some(0)
    );
    assert_eq!(
        code(&lxconf(&[
            "lint",
            "--isolated",
            "--deny",
            "legacy-key",
            &warn
        ])),
        Some(1)
    );
    assert_eq!(code(&lxconf(&["lint", "--isolated", &bad])), Some(1));
    assert_eq!(
        code(&lxconf(&["lint", "--isolated", "--allow", "L003", &bad])),
        Some(0)
    );
    assert_eq!(
        code(&lxconf(&["lint", "--isolated", "/nonexistent/x.conf"])),
        Some(2)
    );
    assert_eq!(
        code(&lxconf(&[
            "lint",
            "--isolated",
            "--deny",
            "no-such-rule",
            &clean
        ])),
        Some(2)
    );
    assert_eq!(
        code(&lxconf(&["lint", "--format", "bogus", &clean])),
        Some(2)
    );
}

#[test]
fn a_bad_project_file_exits_two() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write(dir.path(), "lxconf.toml", "[rules]\nnope = \"allow\"\n");
    let f = write(dir.path(), "a.conf", "lxc.uts.name = a\n");
    let out = lxconf(&["lint", "--config", &cfg, &f]);
    assert_eq!(code(&out), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown rule `nope`"));
}

#[test]
fn project_file_levels_and_per_path_overrides() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write(
        dir.path(),
        "lxconf.toml",
        "[rules]\nprivileged-container = \"allow\"\nno-proc-mount = \"allow\"\nL002 = \"error\"\n\n[[overrides]]\nfiles = [\"legacy/**\"]\nrules = { legacy-key = \"allow\" }\n",
    );
    write(dir.path(), "new/a.conf", "lxc.utsname = a\n");
    write(dir.path(), "legacy/b.conf", "lxc.utsname = b\n");
    let out = lxconf(&[
        "lint",
        "--config",
        &cfg,
        "--format",
        "json",
        dir.path().to_str().expect("utf8"),
    ]);
    assert_eq!(
        code(&out),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let found: Vec<(String, String, String)> = v
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["severity"].as_str().unwrap_or("").to_string(),
                d["location"]["file"]
                    .as_str()
                    .unwrap_or("")
                    .rsplit('/')
                    .take(2)
                    .collect::<Vec<_>>()
                    .join("<"),
            )
        })
        .collect();
    assert_eq!(
        found,
        [(
            "L002".to_string(),
            "error".to_string(),
            "a.conf<new".to_string()
        )]
    );
}

#[test]
fn inline_comments_suppress_a_rule_on_the_next_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(
        dir.path(),
        "s.conf",
        "# lxconf: allow invalid-value\nlxc.start.auto = yes\nlxc.ephemeral = yes\n",
    );
    let out = lxconf(&[
        "lint",
        "--isolated",
        "--allow",
        "M006,M024",
        "--format",
        "json",
        &f,
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let lines: Vec<u64> = v
        .as_array()
        .expect("array")
        .iter()
        .map(|d| d["location"]["line"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(lines, [3], "only the unsuppressed line is reported");
}

#[test]
fn fix_rewrites_the_file_and_diff_only_shows_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(
        dir.path(),
        "f.conf",
        "lxc.utsname = a\nlxc.mount.auto = proc:mixed\n",
    );
    let out = lxconf(&["lint", "--isolated", "--diff", &f]);
    assert_eq!(code(&out), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("-lxc.utsname = a") && diff.contains("+lxc.uts.name = a"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(&f).expect("read"),
        "lxc.utsname = a\nlxc.mount.auto = proc:mixed\n"
    );
    let out = lxconf(&["lint", "--isolated", "--allow", "M006", "--fix", &f]);
    assert_eq!(
        code(&out),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        std::fs::read_to_string(&f).expect("read"),
        "lxc.uts.name = a\nlxc.mount.auto = proc:mixed\n"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("ls").collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left behind");
    let out = lxconf(&["lint", "--isolated", "--diff", &f]);
    assert_eq!(code(&out), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn directories_are_walked_honouring_gitignore_and_hidden_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), ".gitignore", "ignored/\n");
    write(dir.path(), "a/config", "lxc.start.auto = yes\n");
    write(dir.path(), "ignored/b.conf", "lxc.start.auto = yes\n");
    write(dir.path(), ".hidden/c.conf", "lxc.start.auto = yes\n");
    write(dir.path(), "README.md", "# not a config\n");
    let out = lxconf(&[
        "lint",
        "--isolated",
        "--format",
        "json",
        dir.path().to_str().expect("utf8"),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let files: std::collections::BTreeSet<String> = v
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            d["location"]["file"]
                .as_str()
                .unwrap_or("")
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(files.into_iter().collect::<Vec<_>>(), ["config"]);
}

#[test]
fn stdin_and_github_annotations() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_lxconf"))
        .args([
            "lint",
            "--isolated",
            "--allow",
            "M006,M024",
            "--format",
            "github",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"lxc.uts.name = a\nlxc.start.auto = yes\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(code(&out), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(
            "::error file=<stdin>,line=2,col=18,endLine=2,endColumn=21,title=L003 invalid-value::"
        ),
        "{text}"
    );
}

#[test]
fn a_model_document_from_show_lints_clean_and_schema_errors_are_located() {
    let out = lxconf(&["show", "-q", "corpus/lxc/minimal.conf"]);
    assert_eq!(code(&out), Some(0));
    let dir = tempfile::tempdir().expect("tempdir");
    let model = write(
        dir.path(),
        "model.json",
        &String::from_utf8_lossy(&out.stdout),
    );
    let out = lxconf(&["lint", "--isolated", "--format", "json", &model]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        v.as_array()
            .expect("array")
            .iter()
            .all(|d| d["code"] != "M001" && d["code"] != "M002"),
        "{v}"
    );
    let report = lint_fixture("corpus/lint/M002.json", false);
    let lines: Vec<usize> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == lxconf_model::Code::M002)
        .filter_map(|d| {
            d.primary
                .as_ref()
                .map(|p| report.sources.locate(p.origin).line)
        })
        .collect();
    assert!(lines.contains(&3) && lines.contains(&4), "{lines:?}");
}

#[test]
fn the_corpus_lints_without_crashing_and_within_time() {
    let start = std::time::Instant::now();
    let out = lxconf(&[
        "lint",
        "--include-base",
        "corpus/lxc",
        "--format",
        "json",
        "corpus/lxc",
    ]);
    assert!(
        matches!(code(&out), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(start.elapsed().as_secs() < 30);
}

/// Validation against the OASIS SARIF 2.1.0 JSON Schema, vendored in tests/sarif/ (its
/// notice is beside it).
#[test]
fn sarif_output_validates_against_the_oasis_schema() {
    let path = root().join("tests/sarif/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read schema"))
            .expect("schema json");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    // The schema bites: a log with a wrong version and no runs is refused.
    assert!(!validator.is_valid(&serde_json::json!({"version": "2.0.0"})));
    let sarif = all_fixture_items_sarif();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn domain_xml_is_linted_with_the_same_model_rules() {
    // An invalid domain: its parser error, located, and exit 1.
    let out = lxconf(&["lint", "corpus/domxml-invalid/bad-mac-address.xml"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("bad-mac-address.xml:12:7"), "{stdout}");
    // The valid corpus: no errors, and no LXC-only advice for libvirt's deliberate choices
    // (an `ethernet` interface has no bridge on purpose).
    let out = lxconf(&["lint", "--format", "json", "corpus/domxml"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let text = report.to_string();
    assert!(!text.contains("\"M012\""), "{text}");
    assert!(text.contains("\"X002\""), "verbatim elements are reported");
}

/// `lxconf lint .` in an ordinary repository judges only container configs: a README and a
/// .tsv of four-word lines are not fstab files, an application's YAML with a `config:` is
/// not an LXD instance, and the `.bak` files `upgrade --in-place` leaves are skipped. An
/// fstab named so, an LXC config and an LXD instance are still found.
#[test]
fn lint_of_an_ordinary_repository_judges_only_container_configs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(
        d.join("README.md"),
        "# Project\n\nrun the tests now\nread the docs first\n",
    )
    .expect("w");
    std::fs::write(
        d.join("MANIFEST.tsv"),
        "a.txt\t100\t644\troot\nb.txt\t200\t600\troot\n",
    )
    .expect("w");
    std::fs::write(d.join("app.yaml"), "config:\n  debug: true\nname: app\n").expect("w");
    std::fs::write(d.join("web.conf.bak"), "lxc.utsname = web\n").expect("w");
    std::fs::write(
        d.join("web.conf"),
        "lxc.uts.name = web\nlxc.rootfs.path = dir:/srv/web\n",
    )
    .expect("w");
    std::fs::write(d.join("data.fstab"), "/srv/a srv/a none bind 0 0\n").expect("w");
    std::fs::write(
        d.join("instance.yaml"),
        "config:\n  security.privileged: \"true\"\ndevices:\n  root:\n    path: /\n    pool: default\n    type: disk\nprofiles: []\n",
    )
    .expect("w");
    let out = lxconf(&["lint", d.to_str().expect("utf8")]);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{all}");
    // web.conf, data.fstab and instance.yaml, nothing else.
    assert!(all.contains(" in 3 files"), "{all}");
    for skipped in ["README.md", "MANIFEST.tsv", "app.yaml", "web.conf.bak"] {
        assert!(!all.contains(skipped), "{skipped} linted: {all}");
    }
}
