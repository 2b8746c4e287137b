//! The command line: exit codes, stdin, formats.

use crate::support::*;
use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn show_prints_json_and_exits_zero() {
    let out = lxconf(&["show", "-q", "corpus/lxc/minimal.conf"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json on stdout");
    assert!(v.get("init").is_some());
}

#[test]
fn show_reads_stdin_and_yaml_output() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lxconf"))
        .args(["show", "--format", "yaml", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"lxc.uts.name = fromstdin\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("hostname: fromstdin"));
}

#[test]
fn a_bad_config_exits_one_with_file_line_and_hint() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.conf");
    std::fs::write(&path, "lxc.uts.name = a\nlxc.uts.nmae = b\n").expect("write");
    let out = lxconf(&["show", path.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "no model on stdout for a rejected file"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.conf:2:1"), "{err}");
    assert!(err.contains("did you mean `lxc.uts.name`?"), "{err}");
}

#[test]
fn a_missing_file_exits_two() {
    let out = lxconf(&["show", "/nonexistent/lxconf.conf"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(lxconf(&["show"]).status.code(), Some(2));
    assert_eq!(lxconf(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn schema_prints_the_committed_schema() {
    let out = lxconf(&["schema"]);
    let committed = std::fs::read(root().join("schemas/lxconf.schema.json")).expect("schema");
    assert_eq!(out.stdout, committed);
}

#[test]
fn fstab_files_are_detected_and_shown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("x.fstab");
    std::fs::write(
        &path,
        "# c\n/srv/a\\040b\tmnt/ab\tnone\tbind,ro 0 0\ntmpfs run tmpfs size=64m\n",
    )
    .expect("write");
    let out = lxconf(&["show", "-q", path.to_str().expect("utf8")]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["mounts"][0]["source"], "/srv/a b");
    assert_eq!(v["mounts"][0]["readonly"], true);
    assert_eq!(v["mounts"][1]["size"], "67108864");
}

#[test]
fn origins_point_at_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("o.conf");
    std::fs::write(&path, "# x\n\nlxc.uts.name = web\n").expect("write");
    let out = lxconf(&["show", "--origins", path.to_str().expect("utf8")]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["origins"]["/hostname"]["line"], 3);
    assert_eq!(v["origins"]["/hostname"]["column"], 16);
}

#[test]
fn a_shown_model_reads_back_as_the_same_model() {
    let out = lxconf(&[
        "show",
        "-q",
        "--include-base",
        "corpus/lxc",
        "corpus/lxc/ubuntu-like.conf",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("model.json");
    std::fs::write(&path, &out.stdout).expect("write");
    let again = lxconf(&["show", "-q", path.to_str().expect("utf8")]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(again.stdout, out.stdout);
}

#[test]
fn a_bad_model_document_is_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.json");
    std::fs::write(&path, "{\n  \"hostname\": \"a\",\n  \"bogus\": 1\n}\n").expect("write");
    let out = lxconf(&["show", path.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.json:3:"), "{err}");
    assert!(err.contains("unknown field `bogus`"), "{err}");
}

#[test]
fn convert_to_lxc_then_back_gives_the_same_model() {
    let out = lxconf(&[
        "convert",
        "--to",
        "lxc",
        "--include-base",
        "corpus/lxc",
        "corpus/lxc/legacy-lxc2-full.conf",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("lxc.uts.name = everything"), "{text}");
    assert!(!text.contains("lxc.utsname"), "{text}");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("out.conf");
    std::fs::write(&path, &out.stdout).expect("write");
    let a = lxconf(&[
        "show",
        "-q",
        "--include-base",
        "corpus/lxc",
        "corpus/lxc/legacy-lxc2-full.conf",
    ]);
    let b = lxconf(&[
        "show",
        "-q",
        "--include-base",
        "corpus/lxc",
        path.to_str().expect("utf8"),
    ]);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn inline_fstab_keeps_the_file_and_mount_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_path = dir.path().join("web.conf");
    let out = lxconf(&[
        "convert",
        "--to",
        "lxc",
        "--inline-fstab",
        "--include-base",
        "corpus/lxc",
        "-o",
        out_path.to_str().expect("utf8"),
        "corpus/lxc/web.conf",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&out_path).expect("output");
    assert!(
        !text.lines().any(|l| l.starts_with("lxc.mount.fstab")),
        "{text}"
    );
    assert!(
        text.starts_with("# lxconf corpus: mounts from an fstab file."),
        "{text}"
    );
    // Same mounts, same order as LXC would apply them.
    let a = lxconf(&[
        "show",
        "-q",
        "--include-base",
        "corpus/lxc",
        "corpus/lxc/web.conf",
    ]);
    let b = lxconf(&["show", "-q", out_path.to_str().expect("utf8")]);
    let ma: serde_json::Value = serde_json::from_slice(&a.stdout).expect("json");
    let mb: serde_json::Value = serde_json::from_slice(&b.stdout).expect("json");
    assert_eq!(ma["mounts"], mb["mounts"]);
}

#[test]
fn fstab_converts_to_mount_entries_and_back() {
    let out = lxconf(&[
        "convert",
        "--from",
        "fstab",
        "--to",
        "lxc",
        "corpus/lxc/fstab/web.fstab",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "lxc.mount.entry = /srv/web\\040assets var/www/assets none bind,create=dir 0 0"
        ),
        "{text}"
    );
    let out = lxconf(&[
        "convert",
        "--to",
        "fstab",
        "--include-base",
        "corpus/lxc",
        "corpus/lxc/web.conf",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("/srv/www var/www none bind,ro")),
        "{text}"
    );
}

#[test]
fn a_yaml_model_document_converts_to_every_format_and_errors_are_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    // domain XML → YAML → domain XML is byte for byte: the elements kept verbatim are
    // written back because the domain XML reader itself keeps them (parsers/src/verbatim.rs).
    let out = lxconf(&["convert", "--to", "yaml", "corpus/domxml/full-featured.xml"]);
    assert!(out.status.success());
    let yaml = dir.path().join("model.yaml");
    std::fs::write(&yaml, &out.stdout).expect("write");
    let yaml = yaml.to_str().expect("utf-8");
    let out = lxconf(&["convert", "--to", "domxml", yaml]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let original = std::fs::read(root().join("corpus/domxml/full-featured.xml")).expect("read");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&original)
    );
    // --from yaml, and the other outputs.
    for to in ["lxc", "json", "fstab"] {
        let out = lxconf(&["convert", "--from", "yaml", "--to", to, yaml]);
        assert!(
            out.status.success(),
            "--to {to}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A broken document: exit 1, file:line:column where the parser gave up (the end of
    // the unclosed `[`), and the message names where the `[` opened.
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "name: web\ninit: [1, 2\n").expect("write");
    let out = lxconf(&["show", bad.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.yaml:3:1"), "{stderr}");
    assert!(stderr.contains("line 2 column 7"), "{stderr}");
}

/// `lxconf equiv --help` names the engines and the fallback (a snapshot: the help is part
/// of the interface).
#[test]
fn equiv_help_names_the_engines() {
    let out = lxconf(&["equiv", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/cli");
    settings.bind(|| {
        insta::assert_snapshot!("equiv-help", String::from_utf8_lossy(&out.stdout));
    });
}

/// `--engine` chooses where a run happens: it means nothing with `--static`.
#[test]
fn equiv_engine_and_static_conflict() {
    let out = lxconf(&[
        "equiv",
        "--static",
        "--engine",
        "real",
        "corpus/lxc/minimal.conf",
        "corpus/lxc/minimal.conf",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
}

/// `--fallback` stands in for a real engine: it means nothing without `--engine`.
#[test]
fn equiv_fallback_needs_an_engine() {
    let out = lxconf(&[
        "equiv",
        "--fallback",
        "lxconf",
        "corpus/lxc/minimal.conf",
        "corpus/lxc/minimal.conf",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--engine"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Completion scripts come from the same definitions as the parser: every shell gets one
/// that names the subcommands, and bash's parses.
#[test]
fn completions_name_every_subcommand_and_bash_parses_its_script() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = lxconf(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        for sub in ["lint", "convert", "migrate", "domxml-from-native"] {
            assert!(text.contains(sub), "{shell} completions lack {sub}");
        }
    }
    let script = lxconf(&["completions", "bash"]).stdout;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("lxconf.bash");
    std::fs::write(&path, script).expect("write");
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .expect("run bash");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert_eq!(lxconf(&["completions", "tcsh"]).status.code(), Some(2));
}

/// `lxconf man` is lxconf(1); `lxconf man lint` is lxconf-lint(1), the name `man lxconf-lint`
/// looks for; an unknown subcommand is a usage error.
#[test]
fn man_pages_for_lxconf_and_each_subcommand() {
    let page = String::from_utf8_lossy(&lxconf(&["man"]).stdout).into_owned();
    assert!(page.contains(".TH lxconf 1"), "{page}");
    assert!(page.contains("migrate"), "{page}");
    let lint = String::from_utf8_lossy(&lxconf(&["man", "lint"]).stdout).into_owned();
    assert!(lint.contains(".TH lxconf-lint 1"), "{lint}");
    assert!(lint.contains("\\-\\-format"), "{lint}");
    let synopsis = lint.split(".SH SYNOPSIS").nth(1).expect("a synopsis");
    assert!(
        synopsis.contains("\\fBlxconf lint\\fR"),
        "typed as a command: {synopsis}"
    );
    let out = lxconf(&["man", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no subcommand"));
}
