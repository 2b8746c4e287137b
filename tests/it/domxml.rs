//! Domain XML: snapshots of the model of every corpus domain and of the report for every
//! invalid one; differential checks that the corpus is what libvirt itself prints, that it
//! validates against libvirt's RelaxNG schema, and that libvirt refuses what lxconf refuses.

use crate::support::*;
use std::process::Command;

#[test]
fn every_corpus_domain_has_a_stable_model() {
    let files = corpus_files("corpus/domxml", "xml");
    assert!(files.len() >= 30, "the XML corpus should have at least 30 domains");
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots/domxml");
    settings.bind(|| {
        for file in &files {
            let text = std::fs::read_to_string(root().join(file)).expect("read");
            let loaded = lxconf_parse::domxml::load(file, &text);
            assert!(!loaded.has_errors(), "{file}: {:?}", loaded.diagnostics);
            let model = serde_json::to_value(&loaded.document.container).expect("json");
            let name = file
                .trim_start_matches("corpus/domxml/")
                .trim_end_matches(".xml");
            insta::assert_json_snapshot!(
                name,
                serde_json::json!({"model": model, "diagnostics": diagnostic_records(&loaded)})
            );
        }
    });
}

#[test]
fn show_prints_the_model_of_a_domain() {
    let out = lxconf(&["show", "--format", "json", "corpus/domxml/hello-world-busybox.xml"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let model: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(model["name"], "hello-world");
    assert_eq!(model["init"]["command"][0], "/bin/sh");
}

#[test]
fn every_invalid_domain_is_rejected_with_a_located_error_and_a_hint() {
    let files = corpus_files("corpus/domxml-invalid", "xml");
    assert!(files.len() >= 15);
    let mut failures = Vec::new();
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots/domxml-invalid");
    settings.bind(|| {
        for file in &files {
            let text = std::fs::read_to_string(root().join(file)).expect("read");
            let loaded = lxconf_parse::domxml::load(file, &text);
            let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
            if errors.is_empty() {
                failures.push(format!("{file}: accepted"));
                continue;
            }
            if errors.iter().any(|e| e.primary.is_none() || e.help.is_none()) {
                failures.push(format!("{file}: an error lacks a location or a hint"));
            }
            let name = file
                .trim_start_matches("corpus/domxml-invalid/")
                .trim_end_matches(".xml");
            let text = lxconf::report::render_plain(&loaded.diagnostics, &loaded.sources);
            insta::assert_snapshot!(name, text);
        }
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The CLI exits 1 (input errors) with the report on stderr.
    let out = lxconf(&["show", "corpus/domxml-invalid/bad-mac-address.xml"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad-mac-address.xml:"), "{stderr}");
}

#[test]
fn the_corpus_is_what_libvirt_prints_for_it() {
    // virsh define + dumpxml --inactive of each file gives the file back byte for byte, so
    // the byte-identical round trip (tests/it/from_native.rs) is about libvirt's format.
    ensure_libvirtd();
    let mut failures = Vec::new();
    let files = corpus_files("corpus/domxml", "xml");
    for file in &files {
        let out = Command::new(root().join("tests/oracle/libvirt/canonicalize.sh"))
            .arg(root().join(file))
            .output()
            .expect("canonicalize.sh");
        let text = std::fs::read_to_string(root().join(file)).expect("read");
        if !out.status.success() {
            failures.push(format!(
                "{file}: libvirt refuses it: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        } else if out.stdout != text.as_bytes() {
            failures.push(format!("{file}: libvirt prints it differently"));
        }
    }
    eprintln!(
        "libvirt canonical form: {}/{} corpus domains",
        files.len() - failures.len(),
        files.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_corpus_validates_against_libvirts_schema() {
    let out = Command::new(root().join("tests/oracle/libvirt/validate-corpus.sh"))
        .output()
        .expect("validate-corpus.sh");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn libvirt_refuses_the_invalid_domains_it_should() {
    ensure_libvirtd();
    let out = Command::new(root().join("tests/oracle/libvirt/check-invalid.sh"))
        .output()
        .expect("check-invalid.sh");
    assert!(
        out.status.success(),
        "libvirt's verdicts differ:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
