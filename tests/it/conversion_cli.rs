//! The converting commands on the command line: a file given to the command of the other
//! direction, batches with `--format json`, and `upgrade` on several files and directories.

use crate::support::*;
use serde_json::Value;
use std::process::Output;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Domain XML, an LXD instance or a model document given to `domxml-from-native`, and an
/// LXC config, LXD YAML or a model document given to `domxml-to-native`: one error that
/// says what the file is and which command converts it, exit 2, nothing on stdout. (Before:
/// a warning per XML line then "no lxc.uts.name"; "X001 no root element".)
#[test]
fn a_file_given_to_the_command_of_the_other_direction_gets_one_clear_error() {
    let model = tempfile::tempdir().expect("tempdir");
    let model_json = model.path().join("web.json");
    let shown = lxconf(&["show", "-q", "corpus/lxc/minimal.conf"]);
    std::fs::write(&model_json, &shown.stdout).expect("w");
    let model_json = model_json.display().to_string();
    let cases: [(&str, &str, &str, &str); 6] = [
        (
            "domxml-from-native",
            "corpus/domxml/app-shell-bridge.xml",
            "is libvirt domain XML, not an LXC config",
            "`lxconf domxml-to-native lxc-tools corpus/domxml/app-shell-bridge.xml`",
        ),
        (
            "domxml-from-native",
            "corpus/lxd/web.yaml",
            "is LXD/Incus YAML, not an LXC config",
            "`lxconf convert --to domxml corpus/lxd/web.yaml`",
        ),
        (
            "domxml-from-native",
            &model_json,
            "is an lxconf model document, not an LXC config",
            "lxconf convert --to domxml",
        ),
        (
            "domxml-to-native",
            "corpus/lxc/web.conf",
            "is an LXC config, not libvirt domain XML",
            "`lxconf domxml-from-native lxc-tools corpus/lxc/web.conf`",
        ),
        (
            "domxml-to-native",
            "corpus/lxd/web.yaml",
            "is LXD/Incus YAML, not libvirt domain XML",
            "`lxconf convert --to lxc corpus/lxd/web.yaml`",
        ),
        (
            "domxml-to-native",
            &model_json,
            "is an lxconf model document, not libvirt domain XML",
            "lxconf convert --to lxc",
        ),
    ];
    for (command, file, what, how) in cases {
        let out = lxconf(&[command, "lxc-tools", file]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{command} {file}: {err}");
        assert!(out.stdout.is_empty(), "{command} {file}");
        assert!(
            err.contains(what) && err.contains(how),
            "{command} {file}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "one error, no parser noise: {err}");
        assert!(!err.contains("ignored") && !err.contains("X001"), "{err}");
        // The command it names converts the file.
        if let Some(named) = how
            .strip_prefix("`lxconf ")
            .and_then(|h| h.strip_suffix('`'))
        {
            let args: Vec<&str> = named.split(' ').collect();
            let out = lxconf(&args);
            assert_eq!(out.status.code(), Some(0), "{named}: {}", stderr(&out));
        }
    }
    // With --format json the reason is in the record.
    let out = lxconf(&[
        "domxml-to-native",
        "lxc-tools",
        "--format",
        "json",
        "corpus/lxc/web.conf",
    ]);
    let record: Value = serde_json::from_slice(&out.stdout).expect("json record");
    assert_eq!(record["ok"], false);
    assert!(record["output"].is_null());
    assert!(record["error"]
        .as_str()
        .is_some_and(|e| e.contains("is an LXC config")));
    // An empty input is no format: the parser's own error, as before.
    let empty = model.path().join("empty.xml");
    std::fs::write(&empty, "").expect("w");
    let out = lxconf(&[
        "domxml-to-native",
        "lxc-tools",
        empty.to_str().expect("utf8"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("X001"), "{}", stderr(&out));
}

fn records(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON record a line"))
        .collect()
}

/// `domxml-from-native --format json` of a batch: one record per input, in order, whatever
/// became of it; a failed input has `ok: false`, no XML, and its reason (diagnostics, or an
/// error for an unreadable file or one in another format). Files that convert are written
/// to `--output-dir`; the others are not, and the exit code is the worst.
#[test]
fn a_json_batch_gives_every_input_a_record_with_its_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("good.conf"), "lxc.uts.name = good\n").expect("w");
    std::fs::write(d.join("broken.conf"), "lxc.uts.nmae = broken\n").expect("w");
    std::fs::write(d.join("noname.conf"), "lxc.tty.max = 1\n").expect("w");
    std::fs::write(d.join("again.conf"), "lxc.uts.name = good\n").expect("w");
    let xml = root().join("corpus/domxml/app-shell-bridge.xml");
    let out_dir = d.join("out");
    let out = lxconf_in(
        d,
        &[
            "domxml-from-native",
            "lxc-tools",
            "--format",
            "json",
            "--output-dir",
            "out",
            "good.conf",
            "broken.conf",
            "missing.conf",
            xml.to_str().expect("utf8"),
            "noname.conf",
            "again.conf",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let records = records(&out);
    let files: Vec<&str> = records
        .iter()
        .map(|r| r["file"].as_str().expect("file"))
        .collect();
    assert_eq!(files.len(), 6, "{records:?}");
    assert_eq!(files[0], "good.conf");
    assert_eq!(files[5], "again.conf");
    let ok: Vec<bool> = records
        .iter()
        .map(|r| r["ok"].as_bool().expect("ok"))
        .collect();
    assert_eq!(ok, [true, false, false, false, false, false], "{records:?}");
    assert!(records[0]["xml"].is_string());
    assert!(records[0]["written"]
        .as_str()
        .is_some_and(|w| w.ends_with("good.xml")));
    for r in &records[1..] {
        assert!(r["xml"].is_null() && r["written"].is_null(), "{r}");
        let has_reason =
            r["diagnostics"].as_array().is_some_and(|d| !d.is_empty()) || r["error"].is_string();
        assert!(has_reason, "no reason given: {r}");
    }
    assert_eq!(
        records[1]["diagnostics"][0]["code"], "L001",
        "{}",
        records[1]
    );
    assert!(records[2]["error"]
        .as_str()
        .is_some_and(|e| e.contains("missing.conf")));
    assert!(records[3]["error"]
        .as_str()
        .is_some_and(|e| e.contains("domain XML")));
    assert!(
        records[4]["diagnostics"].to_string().contains("uts.name"),
        "{}",
        records[4]
    );
    assert!(records[5]["error"]
        .as_str()
        .is_some_and(|e| e.contains("already used by good.conf")));
    // Written: the file that converted, and only it.
    let mut written: Vec<String> = std::fs::read_dir(&out_dir)
        .expect("out dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(written, ["good.xml"]);

    // The same batch in human form says why each failed, on stderr.
    let out = lxconf_in(
        d,
        &[
            "domxml-from-native",
            "lxc-tools",
            "good.conf",
            "broken.conf",
            "noname.conf",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("broken.conf has 1 error(s)"), "{err}");
    assert!(err.contains("uts.name"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("<name>good</name>"));
}

/// `convert --format json` of a file that does not load: a record with its diagnostics.
#[test]
fn convert_json_of_an_invalid_file_gives_a_record_with_its_diagnostics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.conf");
    std::fs::write(&bad, "lxc.uts.nmae = web\n").expect("w");
    let bad = bad.to_str().expect("utf8");
    let out = lxconf(&["convert", "--to", "lxd", "--format", "json", bad]);
    assert_eq!(out.status.code(), Some(1));
    let record: Value = serde_json::from_slice(&out.stdout).expect("record");
    assert_eq!(record["file"], bad);
    assert_eq!(record["ok"], false);
    assert!(record["output"].is_null());
    assert_eq!(record["diagnostics"][0]["code"], "L001", "{record}");
    let out = lxconf(&[
        "convert",
        "--to",
        "lxd",
        "--format",
        "json",
        "corpus/lxc/web.conf",
    ]);
    let record: Value = serde_json::from_slice(&out.stdout).expect("record");
    assert_eq!(record["ok"], true, "{record}");
}

const LEGACY: &str = "lxc.utsname = web\nlxc.rootfs = /srv/web\n";

/// `upgrade` takes files and directories like `lint`: in a directory only LXC configs are
/// upgraded (not a README, not a `.bak`), each in place with its `.bak`; `--diff` shows
/// what would change and writes nothing; several inputs without either are refused rather
/// than printed one after the other.
#[test]
fn upgrade_takes_several_files_and_directories() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir_all(d.join("containers/db")).expect("mkdir");
    std::fs::write(d.join("containers/web.conf"), LEGACY).expect("w");
    std::fs::write(d.join("containers/db/config"), LEGACY).expect("w");
    std::fs::write(d.join("containers/modern.conf"), "lxc.uts.name = m\n").expect("w");
    std::fs::write(d.join("containers/old.conf.bak"), LEGACY).expect("w");
    std::fs::write(d.join("README.md"), "# lxc.utsname is old\n\nrun it now\n").expect("w");
    std::fs::write(d.join("single.conf"), LEGACY).expect("w");

    // Several inputs on stdout would be ambiguous: refused, nothing changed.
    for args in [
        vec!["upgrade", "containers"],
        vec!["upgrade", "single.conf", "containers/web.conf"],
    ] {
        let out = lxconf_in(d, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("--in-place"), "{}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
    // One file still goes to stdout.
    let out = lxconf_in(d, &["upgrade", "single.conf"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("lxc.uts.name = web"));

    let out = lxconf_in(d, &["upgrade", "--diff", ".", "single.conf"]);
    assert_eq!(out.status.code(), Some(1), "a change is pending");
    let diff = String::from_utf8_lossy(&out.stdout).into_owned();
    for f in ["containers/web.conf", "containers/db/config", "single.conf"] {
        assert!(
            diff.contains(&format!("+++ b/./{f}")) || diff.contains(&format!("+++ b/{f}")),
            "{f}: {diff}"
        );
    }
    assert!(!diff.contains("README") && !diff.contains(".bak"), "{diff}");
    assert_eq!(
        std::fs::read_to_string(d.join("containers/web.conf")).expect("r"),
        LEGACY,
        "--diff writes nothing"
    );

    let out = lxconf_in(d, &["upgrade", "--in-place", "containers"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for f in ["containers/web.conf", "containers/db/config"] {
        let text = std::fs::read_to_string(d.join(f)).expect("r");
        assert!(text.contains("lxc.uts.name = web"), "{f}: {text}");
        let bak = std::fs::read_to_string(d.join(format!("{f}.bak"))).expect("bak");
        assert_eq!(bak, LEGACY);
    }
    assert!(stderr(&out).contains("containers/modern.conf: nothing to upgrade"));
    assert_eq!(
        std::fs::read_to_string(d.join("containers/old.conf.bak")).expect("r"),
        LEGACY,
        "a .bak is not upgraded"
    );
    assert!(!d.join("README.md.bak").exists());
    // Nothing is pending any more.
    let out = lxconf_in(d, &["upgrade", "--diff", "containers"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// `convert` of several files: into `--output-dir` (each named as its input with the
/// target's extension), or one `--format json` record per input; several on stdout are
/// refused, and so is an output that would replace its input or another output.
#[test]
fn convert_takes_several_files_into_an_output_dir_or_as_json_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir(d.join("a")).expect("mkdir");
    std::fs::write(d.join("web.conf"), "lxc.uts.name = web\n").expect("w");
    std::fs::write(d.join("a/web.conf"), "lxc.uts.name = web2\n").expect("w");
    std::fs::write(d.join("db.conf"), "lxc.uts.nmae = db\n").expect("w");
    std::fs::write(d.join("cache"), "lxc.uts.name = cache\n").expect("w");

    let out = lxconf_in(d, &["convert", "--to", "domxml", "web.conf", "cache"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--output-dir"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());

    let out = lxconf_in(
        d,
        &[
            "convert",
            "--to",
            "domxml",
            "--output-dir",
            "out",
            "web.conf",
            "db.conf",
            "cache",
            "a/web.conf",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("db.conf has 1 error(s)"), "{err}");
    assert!(err.contains("is the output of web.conf already"), "{err}");
    let xml = std::fs::read_to_string(d.join("out/web.xml")).expect("web.xml");
    assert!(xml.contains("<name>web</name>"), "{xml}");
    assert!(std::fs::read_to_string(d.join("out/cache.xml"))
        .expect("cache.xml")
        .contains("<name>cache</name>"));
    assert!(!d.join("out/db.xml").exists());

    // An output that would replace its input: refused, the input kept.
    let out = lxconf_in(
        d,
        &["convert", "--to", "lxc", "--output-dir", ".", "web.conf"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("would replace the input"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(d.join("web.conf")).expect("r"),
        "lxc.uts.name = web\n"
    );

    let out = lxconf_in(
        d,
        &[
            "convert", "--to", "lxd", "--format", "json", "web.conf", "db.conf", "cache",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let records = records(&out);
    let summary: Vec<(&str, bool)> = records
        .iter()
        .map(|r| {
            (
                r["file"].as_str().expect("f"),
                r["ok"].as_bool().expect("ok"),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [("web.conf", true), ("db.conf", false), ("cache", true)]
    );
    assert!(records[0]["output"].is_string());
    assert_eq!(records[1]["diagnostics"][0]["code"], "L001");

    // A config libvirt cannot take (no name): the reason in the record too.
    std::fs::write(d.join("noname.conf"), "lxc.tty.max = 1\n").expect("w");
    let out = lxconf_in(
        d,
        &[
            "convert",
            "--to",
            "domxml",
            "--format",
            "json",
            "noname.conf",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let unnamed = self::records(&out);
    assert_eq!(unnamed.len(), 1, "{unnamed:?}");
    assert_eq!(unnamed[0]["ok"], false);
    assert!(
        unnamed[0]["diagnostics"].to_string().contains("uts.name"),
        "{unnamed:?}"
    );
}
