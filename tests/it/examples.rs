//! Documentation examples (`corpus/examples/`, sources in its SOURCES.md): every example
//! converts in every direction that applies, to output its target accepts (domain XML valid
//! for libvirt's RelaxNG schema, an LXC config liblxc loads), and every difference
//! `equiv --static` calls unexpected comes with a named loss. Missing judges (xmllint,
//! python3-lxc) fail the test: they are what this test is about.

use crate::realworld::{libvirt_formatting, schema_invalid, without_generated_macs};
use crate::support::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const DIR: &str = "corpus/examples";

/// Examples that fail because of a defect in another part of lxconf, with the reason; each is
/// reported to be fixed, and leaves this list when it is (the test fails on an entry that no
/// longer fails). (file, direction, the problem it has, reason)
const KNOWN_DEFECTS: &[(&str, &str, &str, &str)] = &[];

/// One conversion of an example.
struct Conversion {
    /// `file → target`, for messages.
    what: String,
    /// The example.
    input: String,
    /// The converted text, when the conversion succeeded.
    output: Option<String>,
    /// The codes of the losses it reported (warnings and errors).
    losses: Vec<String>,
    /// stderr, for messages.
    stderr: String,
}

fn example_files() -> Vec<String> {
    let mut files = Vec::new();
    for source in std::fs::read_dir(root().join(DIR)).expect("corpus/examples") {
        let source = source.expect("entry").path();
        if !source.is_dir() {
            continue;
        }
        let name = source
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        for ext in ["conf", "xml"] {
            files.extend(corpus_files(&format!("{DIR}/{name}"), ext));
        }
    }
    files.sort();
    files
}

/// Whether `problem` of `file → direction` is a known defect.
fn known_defect(file: &str, direction: &str, problem: &str) -> bool {
    KNOWN_DEFECTS
        .iter()
        .any(|(f, d, what, _)| file.ends_with(f) && *d == direction && problem.contains(what))
}

/// The codes of the warnings and errors in a human report.
fn loss_codes(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(report_code)
        .filter(|(mark, code)| *mark != '☞' && code.starts_with('C'))
        .map(|(_, code)| code.to_string())
        .collect()
}

fn run(what: String, input: &str, args: &[&str]) -> Conversion {
    let out = lxconf(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    Conversion {
        what,
        input: input.to_string(),
        output: out
            .status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned()),
        losses: loss_codes(&stderr),
        stderr,
    }
}

/// The conversions that apply to `file`: an LXC config to domain XML and back to LXC, a
/// domain XML to LXC and to domain XML; both to the model.
fn conversions(file: &str) -> Vec<(&'static str, Conversion)> {
    let mut out = Vec::new();
    if file.ends_with(".conf") {
        let base = Path::new(file)
            .parent()
            .expect("dir")
            .to_str()
            .expect("utf8");
        let fragment = load_lxc(file, &root().join(base))
            .document
            .container
            .hostname
            .is_none();
        let mut args = vec!["domxml-from-native", "lxc-tools", "--include-base", base];
        if fragment {
            args.extend(["--name", "example"]);
        }
        args.push(file);
        out.push(("domxml", run(format!("{file} → domain XML"), file, &args)));
        for (to, target) in [("lxc", "lxc"), ("json", "model")] {
            let args = ["convert", "--to", to, "--include-base", base, file];
            out.push((target, run(format!("{file} → {target}"), file, &args)));
        }
    } else {
        out.push((
            "lxc",
            run(
                format!("{file} → LXC"),
                file,
                &["domxml-to-native", "lxc-tools", file],
            ),
        ));
        for (to, target) in [("domxml", "domxml"), ("json", "model")] {
            let args = ["convert", "--to", to, file];
            out.push((target, run(format!("{file} → {target}"), file, &args)));
        }
    }
    out
}

/// Files liblxc does not load, with its error.
pub fn liblxc_refuses(paths: &[PathBuf]) -> Vec<String> {
    let script = root().join("tests/oracle/liblxc_dump.py");
    let out = Command::new("/usr/bin/python3")
        .arg(&script)
        .args(paths)
        .output()
        .expect("/usr/bin/python3 must exist (python3-lxc is the judge of LXC output)");
    assert!(
        out.status.success(),
        "liblxc_dump.py failed (is python3-lxc installed? ./scripts/test-all.sh installs it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|r| r["loaded"] != serde_json::Value::Bool(true))
        .map(|r| format!("{}: {}", r["file"], r["errors"]))
        .collect()
}

/// The pointers `equiv --static` calls unexpected differences between `a` and `b`.
fn unexpected_differences(a: &str, b: &Path) -> Vec<String> {
    let out = lxconf(&[
        "equiv",
        "--static",
        "--format",
        "json",
        a,
        b.to_str().expect("utf8"),
    ]);
    let report: serde_json::Value = match serde_json::from_slice(&out.stdout) {
        Ok(r) => r,
        Err(_) => {
            return vec![format!(
                "equiv failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )]
        }
    };
    let mut pointers = Vec::new();
    for o in report["observations"].as_array().into_iter().flatten() {
        if o["status"] == "unexpected" {
            for d in o["details"].as_array().into_iter().flatten() {
                pointers.push(d["pointer"].as_str().unwrap_or("?").to_string());
            }
        }
    }
    pointers
}

/// What is wrong with one conversion's output, judged without external tools.
fn output_problems(c: &Conversion, direction: &str, text: &str, path: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    // Every unexpected difference between the example and its conversion must come with a
    // loss the conversion named.
    let unexpected = unexpected_differences(&c.input, path);
    if !unexpected.is_empty() && c.losses.is_empty() {
        problems.push(format!(
            "{}: unexpected differences {unexpected:?} without any loss reported",
            c.what
        ));
    }
    // libvirt always gives its uuid variables a value (it generates a uuid at define time):
    // an empty one is not what a user of that domain gets.
    if direction == "lxc" {
        for line in text.lines() {
            let value = line.split_once('=').map_or("", |(_, v)| v.trim());
            if ["container_uuid=", "LIBVIRT_LXC_UUID="].contains(&value) {
                problems.push(format!("{}: empty assignment `{line}`", c.what));
            }
        }
    }
    problems
}

#[test]
fn documentation_examples_convert_to_output_the_target_accepts() {
    let files = example_files();
    assert!(files.len() >= 10, "{files:?}");
    let dir = tempfile::tempdir().expect("tempdir");
    // Problems by (file, direction), so that known defects can be told from new ones.
    let mut problems: Vec<(String, &str, String)> = Vec::new();
    let (mut xml_outputs, mut lxc_outputs) = (Vec::new(), Vec::new());
    let mut figures = std::collections::BTreeMap::<String, (usize, usize)>::new();
    for (n, file) in files.iter().enumerate() {
        let source = file.split('/').nth(2).unwrap_or("?").to_string();
        for (direction, c) in conversions(file) {
            let tally = figures
                .entry(format!("{source} → {direction}"))
                .or_default();
            tally.1 += 1;
            let Some(text) = &c.output else {
                let problem = format!("{}: not converted:\n{}", c.what, c.stderr);
                problems.push((file.clone(), direction, problem));
                continue;
            };
            tally.0 += 1;
            let ext = match direction {
                "model" => "json",
                "lxc" => "conf",
                _ => "xml",
            };
            let path = dir.path().join(format!("{n}-{direction}.{ext}"));
            std::fs::write(&path, text).expect("write");
            match direction {
                "domxml" => xml_outputs.push(path.clone()),
                "lxc" => lxc_outputs.push(path.clone()),
                _ => {}
            }
            for problem in output_problems(&c, direction, text, &path) {
                problems.push((file.clone(), direction, problem));
            }
        }
    }
    for (what, (ok, all)) in &figures {
        println!("examples {what}: {ok} of {all} converted");
    }
    let mut failures: Vec<String> = problems
        .iter()
        .filter(|(file, direction, p)| !known_defect(file, direction, p))
        .map(|(_, _, p)| p.clone())
        .collect();
    for (file, direction, what, reason) in KNOWN_DEFECTS {
        if problems
            .iter()
            .any(|(f, d, p)| f.ends_with(file) && d == direction && p.contains(what))
        {
            println!("known defect, still there: {file} → {direction}: {reason}");
        } else {
            failures.push(format!(
                "{file} → {direction} is fixed: remove it from KNOWN_DEFECTS"
            ));
        }
    }
    failures.extend(schema_invalid(&xml_outputs));
    failures.extend(liblxc_refuses(&lxc_outputs));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn libvirt_formats_every_example_as_lxconf_does() {
    // libvirt as the judge of domain XML: each example, and each domain lxconf writes from an
    // LXC example, is defined by the live libvirtd; libvirt's formatting of a domain example
    // reads back through lxconf byte for byte, and libvirt formats lxconf's output exactly
    // as lxconf wrote it (apart from the MAC address libvirt generates).
    ensure_libvirtd();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut problems = Vec::new();
    for (n, file) in example_files().iter().enumerate() {
        let name = format!("examples-doc-{n}");
        let written = if file.ends_with(".xml") {
            let text = std::fs::read_to_string(root().join(file)).expect("read");
            let (_, libvirt) = match libvirt_formatting(&text, &name) {
                Ok(f) => f,
                Err(e) => {
                    problems.push(format!("{file}: libvirt refuses the example itself: {e}"));
                    continue;
                }
            };
            let path = dir.path().join(format!("{n}.xml"));
            std::fs::write(&path, &libvirt).expect("write");
            let out = lxconf(&["convert", "--to", "domxml", path.to_str().expect("utf8")]);
            if String::from_utf8_lossy(&out.stdout) != libvirt {
                problems.push(format!(
                    "{file}: libvirt's formatting does not read back byte for byte:\n{libvirt}\n---\n{}",
                    String::from_utf8_lossy(&out.stdout)
                ));
            }
            out.stdout
        } else {
            lxconf(&[
                "domxml-from-native",
                "lxc-tools",
                "--name",
                &name,
                "--include-base",
                DIR,
                file,
            ])
            .stdout
        };
        let written = String::from_utf8_lossy(&written).into_owned();
        match libvirt_formatting(&written, &name) {
            Ok((written, libvirt)) if without_generated_macs(&libvirt, &written) != written => {
                problems.push(format!(
                    "{file}: libvirt formats lxconf's output differently:\n{libvirt}"
                ));
            }
            Ok(_) => {}
            Err(e) => problems.push(format!("{file}: libvirt refuses lxconf's output: {e}")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn every_example_has_its_source() {
    let sources = std::fs::read_to_string(root().join(DIR).join("SOURCES.md")).expect("SOURCES.md");
    for file in example_files() {
        let name = file.trim_start_matches(&format!("{DIR}/"));
        assert!(sources.contains(name), "{name} is not listed in SOURCES.md");
    }
    for (file, _, _, reason) in KNOWN_DEFECTS {
        assert!(
            !reason.is_empty() && root().join(DIR).join(file).exists(),
            "{file}"
        );
    }
}
