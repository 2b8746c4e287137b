//! Issue 17's lint rules: legacy keys as errors unless the configs are for LXC 2.x, findings
//! in LXC's shared configuration hidden, every finding a line caused located at that line,
//! and `#` inside a value (L026) with its fix. liblxc 5.0.2 (python3-lxc) is the oracle for
//! what a host does with such files.

use crate::liblxc::run_oracle;
use crate::support::*;
use lxconf::lint::files::{self, Options};
use lxconf::lint::settings::Settings;
use lxconf_parse::Format;
use serde_json::Value;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.to_str().expect("utf8").to_string()
}

fn json_findings(args: &[&str]) -> (Option<i32>, Vec<Value>) {
    let out = lxconf(args);
    let findings: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        out.status.code(),
        findings.as_array().cloned().unwrap_or_default(),
    )
}

fn severities(findings: &[Value], code: &str) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f["code"] == code)
        .map(|f| f["severity"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn liblxc_refuses_a_whole_file_for_any_legacy_key_and_lint_says_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        ("L002", "lxc.utsname = web\n"),
        ("L002", "lxc.rootfs.backend = dir\n"),
        ("L012", "lxc.network.link = lxcbr0\n"),
        ("L015", "lxc.pivotdir = lxc_putold\n"),
    ];
    let mut files = Vec::new();
    for (i, (code, line)) in cases.iter().enumerate() {
        let text = format!("lxc.uts.name = web\nlxc.mount.auto = proc:mixed\n{line}");
        let file = write(dir.path(), &format!("{i}.conf"), &text);
        let (status, findings) = json_findings(&["lint", "--isolated", "--format", "json", &file]);
        assert_eq!(severities(&findings, code), ["error"], "{line}");
        assert_eq!(status, Some(1), "{line}");
        let (status, findings) = json_findings(&[
            "lint",
            "--isolated",
            "--lxc-version",
            "2.0",
            "--format",
            "json",
            &file,
        ]);
        assert_eq!(severities(&findings, code), ["warning"], "{line}");
        assert_eq!(status, Some(0), "{line}");
        files.push(file);
    }
    for verdict in run_oracle("/", &files) {
        assert!(!verdict.loaded, "liblxc 5 loaded {}", verdict.file);
    }
}

#[test]
fn lxc_version_in_the_project_file_yields_to_the_command_line_and_rule_levels() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = write(
        dir.path(),
        "a.conf",
        "lxc.utsname = web\nlxc.mount.auto = proc:mixed\n",
    );
    let project = |text: &str| write(dir.path(), "lxconf.toml", text);
    let lint = |config: &str, extra: &[&str]| {
        let mut args = vec!["lint", "--config", config, "--format", "json"];
        args.extend_from_slice(extra);
        args.push(&conf);
        json_findings(&args)
    };
    let old = project("lxc-version = \"2.0\"\n[rules]\nprivileged-container = \"allow\"\n");
    let (status, findings) = lint(&old, &[]);
    assert_eq!(
        (status, severities(&findings, "L002")),
        (Some(0), vec!["warning".into()])
    );
    let (status, findings) = lint(&old, &["--lxc-version", "5.0"]);
    assert_eq!(
        (status, severities(&findings, "L002")),
        (Some(1), vec!["error".into()])
    );
    let warn = project("[rules]\nlegacy-key = \"warn\"\nprivileged-container = \"allow\"\n");
    let (status, _) = lint(&warn, &[]);
    assert_eq!(status, Some(0));
    let (status, findings) = lint(&warn, &["--allow", "legacy-key"]);
    assert_eq!((status, findings.len()), (Some(0), 0));

    let bad = project("lxc-version = \"two\"\n");
    let out = lxconf(&["lint", "--config", &bad, &conf]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("lxc-version: `two` is not an LXC version (write MAJOR.MINOR"),
        "{stderr}"
    );
    let out = lxconf(&["lint", "--isolated", "--lxc-version", "2.x", &conf]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--lxc-version: `2.x` is not an LXC version")
    );
}

/// What `lxc-create -t download` writes for Debian: 18 of its 19 findings are in the
/// distribution's own include files.
#[test]
fn findings_in_lxc_shared_configuration_are_hidden_unless_asked_for() {
    let conf = "corpus/distributions/debian.conf";
    let in_system = |findings: &[Value]| {
        findings
            .iter()
            .filter(|f| {
                f["location"]["file"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("/usr/share/lxc/config/"))
            })
            .count()
    };
    let (status, shown) = json_findings(&["lint", "--isolated", "--format", "json", conf]);
    assert_eq!((status, in_system(&shown)), (Some(0), 0));
    assert!(!shown.is_empty(), "the config's own findings stay");
    let (_, all) = json_findings(&[
        "lint",
        "--isolated",
        "--include-system",
        "--format",
        "json",
        conf,
    ]);
    assert_eq!(in_system(&all), 18);
    assert_eq!(all.len(), shown.len() + 18);

    let sarif = lxconf(&["lint", "--isolated", "--format", "sarif", conf]);
    assert!(!String::from_utf8_lossy(&sarif.stdout).contains("/usr/share/lxc/config/common.conf"));

    let human = String::from_utf8_lossy(&lxconf(&["lint", "--isolated", conf]).stdout).into_owned();
    assert!(
        human.ends_with(
            "found 0 errors, 0 warnings, 1 note in 1 file\n18 findings in system include files hidden; --include-system shows them\n"
        ),
        "{human}"
    );
    // Two configs including the same shared files: each hidden finding counts once (the 14
    // of common.conf, then 4 of each distribution's own file).
    let two = lxconf(&[
        "lint",
        "--isolated",
        conf,
        "corpus/distributions/ubuntu.conf",
    ]);
    assert!(String::from_utf8_lossy(&two.stdout)
        .contains("\n22 findings in system include files hidden"));
    let shown =
        String::from_utf8_lossy(&lxconf(&["lint", "--isolated", "--include-system", conf]).stdout)
            .into_owned();
    assert!(!shown.contains("--include-system shows them"), "{shown}");
}

/// Findings no line causes: the container lacks something (id mappings, a /proc mount).
const ABOUT_AN_ABSENCE: [&str; 2] = ["M006", "M024"];

#[test]
fn every_finding_a_line_causes_is_located_at_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    // liblxc adds proc and sys mounts on /dev/.lxc for nesting: a second mount there is
    // found on the allow_nesting line.
    let conf = write(
        dir.path(),
        "nesting.conf",
        "lxc.uts.name = web\nlxc.mount.auto = proc:mixed\nlxc.mount.entry = proc dev/.lxc/proc proc create=dir,optional 0 0\nlxc.apparmor.allow_nesting = 1\n",
    );
    let (_, findings) = json_findings(&["lint", "--isolated", "--format", "json", &conf]);
    let m025: Vec<_> = findings.iter().filter(|f| f["code"] == "M025").collect();
    assert_eq!(m025.len(), 1, "{findings:?}");
    assert_eq!(m025[0]["location"]["line"], 4, "{findings:?}");
    assert_eq!(m025[0]["related"][0]["location"]["line"], 3, "{findings:?}");

    // A domain's <idmap> entries locate the id map rules.
    let (_, findings) = json_findings(&[
        "lint",
        "--isolated",
        "--format",
        "json",
        "corpus/domxml-invalid/idmap-no-root.xml",
    ]);
    let m004: Vec<_> = findings.iter().filter(|f| f["code"] == "M004").collect();
    assert_eq!(m004.len(), 2, "{findings:?}");
    assert_eq!(m004[0]["location"]["line"], 7, "{findings:?}");
    assert_eq!(m004[1]["location"]["line"], 8, "{findings:?}");

    // Across the corpus only findings about an absence are placed nowhere in particular.
    let (_, findings) = json_findings(&["lint", "--isolated", "--format", "json", "corpus"]);
    let unlocated: Vec<_> = findings
        .iter()
        .filter(|f| {
            let l = &f["location"];
            l.is_null() || (l["start"] == 0 && l["end"] == 0)
        })
        .filter(|f| !ABOUT_AN_ABSENCE.contains(&f["code"].as_str().unwrap_or_default()))
        .collect();
    assert!(unlocated.is_empty(), "{unlocated:#?}");
}

const COMMENTED: &str = "lxc.uts.name = web # the host name\r
lxc.mount.auto = proc:mixed\r
  lxc.init.cmd = /sbin/tini -- /init\t# reaps zombies\r
lxc.environment = SALT=a #b\r
lxc.environment = URL=http://example.org/#top\r
lxc.hook.start = /bin/sh -c \"echo # kept\"\r
";

const UNCOMMENTED: &str = "lxc.uts.name = web\r
lxc.mount.auto = proc:mixed\r
  lxc.init.cmd = /sbin/tini -- /init\r
lxc.environment = SALT=a #b\r
lxc.environment = URL=http://example.org/#top\r
lxc.hook.start = /bin/sh -c \"echo # kept\"\r
";

fn lint(text: &str) -> files::FileReport {
    files::lint_text(
        "c.conf",
        text,
        Format::Lxc,
        &Options::default(),
        &Settings::default(),
    )
    .expect("lintable")
}

#[test]
fn a_comment_after_a_value_is_flagged_and_moved_to_its_own_line() {
    let report = lint(COMMENTED);
    let l026: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == lxconf_model::Code::L026)
        .collect();
    let lines: Vec<_> = l026
        .iter()
        .filter_map(|d| d.primary.as_ref())
        .map(|p| report.sources.locate(p.origin).line)
        .collect();
    // Not the `#` inside a word or inside quotes.
    assert_eq!(lines, [1, 3, 4]);
    let safe: Vec<_> = l026
        .iter()
        .map(|d| d.fix.as_ref().is_some_and(|f| f.safe))
        .collect();
    assert_eq!(
        safe,
        [true, true, false],
        "an environment value may hold a `#`"
    );

    let fixed = files::fix_text(
        "c.conf",
        COMMENTED,
        Format::Lxc,
        &Options::default(),
        &Settings::default(),
    )
    .expect("lintable");
    assert_eq!(
        fixed.text,
        format!(
            "# the host name\r\n{}",
            UNCOMMENTED.replacen("  lxc.init", "  # reaps zombies\r\n  lxc.init", 1)
        )
    );
    let left: Vec<_> = fixed
        .report
        .diagnostics
        .iter()
        .filter(|d| d.code == lxconf_model::Code::L026)
        .collect();
    assert_eq!(left.len(), 1, "only the unsafe one is left");
    // The fixed file means what the file without comments means.
    let load = |text: &str| {
        files::load("c.conf", text, Format::Lxc, &Options::default())
            .document
            .container
    };
    assert_eq!(load(&fixed.text), load(UNCOMMENTED));
    assert_ne!(load(COMMENTED), load(UNCOMMENTED));
}

/// liblxc keeps what follows a `#` in the value, as lxconf's model does.
#[test]
fn liblxc_reads_a_trailing_comment_as_part_of_the_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(
        dir.path(),
        "c.conf",
        "lxc.uts.name = web # the host name\nlxc.init.cmd = /sbin/tini -- /init # reaps zombies\nlxc.tty.max = 0 # none\n",
    );
    let lines = std::fs::read_to_string(&file).expect("read");
    let (loadable, refused) = lines.split_at(lines.rfind("lxc.tty").expect("line"));
    let ok = write(dir.path(), "ok.conf", loadable);
    let bad = write(
        dir.path(),
        "bad.conf",
        &format!("lxc.uts.name = web\n{refused}"),
    );
    let verdicts = run_oracle("/", &[ok.clone(), bad]);
    assert!(verdicts[0].loaded);
    assert_eq!(verdicts[0].items["lxc.uts.name"], "web # the host name");
    assert_eq!(
        verdicts[0].items["lxc.init.cmd"],
        "/sbin/tini -- /init # reaps zombies"
    );
    assert!(!verdicts[1].loaded, "a number with a comment is refused");
    let loaded = files::load(&ok, loadable, Format::Lxc, &Options::default());
    assert_eq!(
        loaded.document.container.hostname.as_deref(),
        Some("web # the host name")
    );
}
