//! `lxconf domxml-from-native lxc-tools`: every corpus LXC config converts, the XML is valid
//! for libvirt's RelaxNG schema, and the XML and loss report are snapshotted.

use crate::support::*;
use lxconf_convert::from_native::{prepare, FromNativeOptions};
use lxconf_convert::libvirt_xml;
use lxconf_model::ByteSize;
use std::process::Command;

const RNG: &str = "/usr/share/libvirt/schemas/domain.rng";

fn options() -> FromNativeOptions {
    FromNativeOptions {
        memory: Some(ByteSize(ByteSize::GIB)),
        host_memory: Some(ByteSize(8 * ByteSize::GIB)),
        emulator: Some("/usr/lib/libvirt/libvirt_lxc".into()),
        ..FromNativeOptions::default()
    }
}

#[test]
fn every_corpus_config_converts_to_schema_valid_xml() {
    assert!(
        std::path::Path::new(RNG).exists(),
        "libvirt's schema is missing: run ./scripts/test-all.sh (it installs libvirt)"
    );
    let base = root().join("corpus/lxc");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    let mut converted = Vec::new();
    let files = corpus_files("corpus/lxc", "conf");
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots/from-native");
    settings.bind(|| {
        for file in &files {
            let loaded = load_lxc(file, &base);
            if loaded.has_errors() {
                failures.push(format!("{file}: does not load"));
                continue;
            }
            let (doc, mut losses) = match prepare(&loaded.document, &options()) {
                Ok(p) => p,
                Err(e) => {
                    failures.push(format!(
                        "{file}: {:?}",
                        e.iter().map(|d| &d.message).collect::<Vec<_>>()
                    ));
                    continue;
                }
            };
            let out = libvirt_xml::emit(&doc);
            losses.extend(out.losses);
            let name = file
                .trim_start_matches("corpus/lxc/")
                .trim_end_matches(".conf");
            let path = dir.path().join(format!("{name}.xml"));
            std::fs::write(&path, &out.xml).expect("write");
            converted.push(path);
            let report: Vec<String> = losses
                .iter()
                .map(|d| {
                    let r = d.to_record(&loaded.sources);
                    let at = r
                        .location
                        .map(|l| format!("{}:{}", l.file, l.line))
                        .unwrap_or_default();
                    format!("{} {} {at}: {}", r.code, r.severity, r.message)
                })
                .collect();
            insta::assert_snapshot!(
                name,
                format!("{}\n--- losses ---\n{}", out.xml, report.join("\n"))
            );
        }
    });
    let out = Command::new("xmllint")
        .args(["--noout", "--relaxng", RNG])
        .args(&converted)
        .output()
        .expect("xmllint (libxml2-utils) must be installed: run ./scripts/test-all.sh");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in stderr.lines().filter(|l| l.ends_with("fails to validate")) {
        failures.push(line.to_string());
    }
    eprintln!(
        "from-native: {}/{} corpus configs converted, schema-valid: {}",
        converted.len(),
        files.len(),
        stderr.lines().filter(|l| l.ends_with(" validates")).count()
    );
    assert_eq!(converted.len(), files.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_cli_converts_many_files_in_one_call() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = lxconf(&[
        "domxml-from-native",
        "lxc-tools",
        "--include-base",
        "corpus/lxc",
        "--memory",
        "1G",
        "--host-memory",
        "8G",
        "--output-dir",
        dir.path().to_str().expect("utf8"),
        "corpus/lxc/web.conf",
        "corpus/lxc/ubuntu-like.conf",
        "corpus/lxc/unprivileged.conf",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 3, "{names:?}");
}

#[test]
fn strict_mode_fails_on_a_loss_and_writes_nothing() {
    let out = lxconf(&[
        "domxml-from-native",
        "lxc-tools",
        "--strict",
        "--memory",
        "1G",
        "--include-base",
        "corpus/lxc",
        "corpus/lxc/hooks.conf",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("C301"));
}

#[test]
fn a_relative_tmpfs_size_needs_host_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.conf");
    std::fs::write(&path, "lxc.uts.name = t\nlxc.rootfs.path = /srv/t\nlxc.mount.entry = tmpfs run tmpfs size=50% 0 0\n").expect("write");
    let out = lxconf(&[
        "domxml-from-native",
        "lxc-tools",
        "--memory",
        "1G",
        path.to_str().expect("utf8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--host-memory"));
    let out = lxconf(&[
        "domxml-from-native",
        "lxc-tools",
        "--memory",
        "1G",
        "--host-memory",
        "1000",
        path.to_str().expect("utf8"),
    ]);
    assert_eq!(out.status.code(), Some(0));
    // 500 bytes: rounded up to 1 KiB, never down to 0 KiB, which libvirt reads as unlimited.
    assert!(String::from_utf8_lossy(&out.stdout).contains("<source usage='1' units='KiB'/>"));
}

#[test]
fn the_uuid_is_stable_and_idmaps_are_not_swapped() {
    let run = || {
        lxconf(&[
            "domxml-from-native",
            "lxc-tools",
            "--memory",
            "1G",
            "--include-base",
            "corpus/lxc",
            "corpus/lxc/unprivileged.conf",
        ])
    };
    let (a, b) = (run(), run());
    assert_eq!(a.stdout, b.stdout);
    let xml = String::from_utf8_lossy(&a.stdout);
    assert!(
        xml.contains("<uid start='0' target='100000' count='1000'/>"),
        "{xml}"
    );
}

mod domxml_round_trip {
    //! Domain XML → model → domain XML: every corpus file (libvirt-formatted: each is what
    //! `virsh dumpxml` printed) comes back byte for byte, and re-reading gives the same model.
    use crate::support::*;
    use lxconf_convert::libvirt_xml;

    #[test]
    fn corpus_domain_xml_survives_emit_and_reparse() {
        let mut failures = Vec::new();
        let mut identical = 0;
        let files = corpus_files("corpus/domxml", "xml");
        for file in &files {
            let text = std::fs::read_to_string(root().join(file)).expect("read");
            let a = lxconf_parse::domxml::load(file, &text);
            assert!(!a.has_errors(), "{file}: {:?}", a.diagnostics);
            let out = libvirt_xml::emit(&a.document);
            if out.xml == text {
                identical += 1;
            } else {
                let first = text
                    .lines()
                    .zip(out.xml.lines())
                    .position(|(x, y)| x != y)
                    .unwrap_or(text.lines().count().min(out.xml.lines().count()));
                failures.push(format!(
                    "{file}: not byte-identical from line {}: {:?} became {:?}",
                    first + 1,
                    text.lines().nth(first),
                    out.xml.lines().nth(first)
                ));
            }
            // What was written back verbatim is no loss.
            let kept_losses: Vec<_> = out
                .losses
                .iter()
                .filter(|d| d.message.contains("`devices/") || d.message.contains("`clock`"))
                .map(|d| d.message.clone())
                .collect();
            if !kept_losses.is_empty() {
                failures.push(format!(
                    "{file}: written back but reported lost: {kept_losses:?}"
                ));
            }
            let b = lxconf_parse::domxml::load("emitted.xml", &out.xml);
            if b.has_errors() {
                failures.push(format!(
                    "{file}: emitted XML has errors {:?}",
                    b.diagnostics
                        .iter()
                        .filter(|d| d.is_error())
                        .map(|d| &d.message)
                        .collect::<Vec<_>>()
                ));
                continue;
            }
            let d = lxconf_model::diff::diff(&a.document.container, &b.document.container);
            if !d.is_empty() {
                failures.push(format!(
                    "{file}: {:?}",
                    d.iter()
                        .take(3)
                        .map(|d| format!("{} {} -> {}", d.pointer, d.left, d.right))
                        .collect::<Vec<_>>()
                ));
            }
        }
        eprintln!(
            "domxml round trip: {}/{} models identical after emit+reparse ({} byte-identical)",
            files.len() - failures.len(),
            files.len(),
            identical
        );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

mod to_native {
    //! Domain XML → LXC config: liblxc loads every result, and the LXC config means what the
    //! domain meant (statically equivalent), or the difference is reported as a loss.
    use crate::liblxc::run_oracle;
    use crate::support::*;
    use lxconf_convert::lxc::{emit, LxcOptions};
    use lxconf_model::equiv::{compare, Status};
    use lxconf_model::Code;

    #[test]
    fn every_corpus_domain_converts_to_an_lxc_config_liblxc_loads() {
        let files = corpus_files("corpus/domxml", "xml");
        let dir = tempfile::tempdir().expect("tempdir");
        let mut written = Vec::new();
        let mut failures = Vec::new();
        let mut equivalent = 0;
        for file in &files {
            let text = std::fs::read_to_string(root().join(file)).expect("read");
            let xml = lxconf_parse::domxml::load(file, &text);
            let out = emit(&xml.document, &LxcOptions::default());
            let path = dir.path().join(format!(
                "{}.conf",
                file.trim_start_matches("corpus/domxml/")
                    .trim_end_matches(".xml")
            ));
            std::fs::write(&path, &out.text).expect("write");
            written.push(path.display().to_string());
            let back = lxconf_parse::lxc::load(
                "converted.conf",
                &out.text,
                &lxconf_parse::LoadOptions {
                    fs: &lxconf_parse::fs::RealFs,
                    base_dir: "/".into(),
                    lxd_profiles: Vec::new(),
                },
            );
            if back.has_errors() {
                failures.push(format!("{file}: lxconf refuses its own output"));
                continue;
            }
            let unexpected: Vec<_> = compare(&xml.document.container, &back.document.container)
                .into_iter()
                .filter(|o| o.status == Status::Unexpected)
                .collect();
            if unexpected.is_empty() {
                equivalent += 1;
            } else if !out
                .losses
                .iter()
                .any(|d| d.code == Code::C101 || d.is_error())
            {
                // A refused conversion (an error) writes nothing, so it cannot change meaning;
                // tests/it/fidelity.rs checks each difference against the loss pointers.
                failures.push(format!(
                    "{file}: meaning changed without a reported loss: {:?}",
                    unexpected
                        .iter()
                        .map(|o| (
                            o.name,
                            o.details
                                .iter()
                                .map(|d| d.pointer.clone())
                                .collect::<Vec<_>>()
                        ))
                        .collect::<Vec<_>>()
                ));
            }
        }
        let verdicts = run_oracle("/", &written);
        let loaded = verdicts.iter().filter(|v| v.loaded).count();
        for v in verdicts.iter().filter(|v| !v.loaded) {
            failures.push(format!("{}: liblxc refuses it: {:?}", v.file, v.error));
        }
        eprintln!("domxml-to-native: liblxc loads {loaded}/{}; statically equivalent {equivalent}/{} (the rest report their losses)", files.len(), files.len());
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

mod xml_lxc_xml {
    //! Every corpus domain: XML → LXC → XML keeps its meaning (`equiv` between the first and
    //! the last model), or one of the two conversions reported the loss.
    use super::options;
    use crate::support::*;
    use lxconf_convert::from_native::prepare;
    use lxconf_convert::libvirt_xml;
    use lxconf_convert::lxc::{emit, LxcOptions};
    use lxconf_model::equiv::{compare, Status};
    use lxconf_model::Severity;

    #[test]
    fn corpus_domains_keep_their_meaning_through_lxc_and_back() {
        let files = corpus_files("corpus/domxml", "xml");
        let (mut equivalent, mut with_losses) = (0, 0);
        let mut failures = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(root().join(file)).expect("read");
            let xml = lxconf_parse::domxml::load(file, &text);
            let lxc = emit(&xml.document, &LxcOptions::default());
            let mid = lxconf_parse::lxc::load(
                "converted.conf",
                &lxc.text,
                &lxconf_parse::LoadOptions {
                    fs: &lxconf_parse::fs::RealFs,
                    base_dir: "/".into(),
                    lxd_profiles: Vec::new(),
                },
            );
            assert!(!mid.has_errors(), "{file}: {:?}", mid.diagnostics);
            let (prepared, mut losses) = match prepare(&mid.document, &options()) {
                Ok(p) => p,
                Err(e) => {
                    failures.push(format!(
                        "{file}: the LXC config does not convert back: {e:?}"
                    ));
                    continue;
                }
            };
            let out = libvirt_xml::emit(&prepared);
            losses.extend(out.losses);
            losses.extend(lxc.losses);
            let back = lxconf_parse::domxml::load("back.xml", &out.xml);
            assert!(!back.has_errors(), "{file}: {:?}", back.diagnostics);
            let unexpected: Vec<_> = compare(&xml.document.container, &back.document.container)
                .into_iter()
                .filter(|o| o.status == Status::Unexpected)
                .map(|o| o.name)
                .collect();
            let reported = losses.iter().any(|d| d.severity >= Severity::Note);
            match (unexpected.is_empty(), reported) {
                (true, _) => equivalent += 1,
                (false, true) => with_losses += 1,
                (false, false) => failures.push(format!(
                    "{file}: meaning changed silently in {unexpected:?}"
                )),
            }
        }
        eprintln!(
            "XML → LXC → XML: {equivalent}/{} keep their meaning, {with_losses} with reported losses",
            files.len()
        );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

mod equivalence {
    //! equiv(config, domxml-from-native(config)) over the whole corpus: every difference is
    //! either an inherent one (docs/equivalence.md) or reported by the conversion as a loss.
    use super::options;
    use crate::support::*;
    use lxconf_convert::from_native::prepare;
    use lxconf_convert::libvirt_xml;
    use lxconf_model::equiv::{compare, Status};
    use lxconf_model::{Code, Severity};

    #[test]
    fn every_converted_corpus_config_keeps_its_meaning_or_reports_the_loss() {
        let base = root().join("corpus/lxc");
        let mut failures = Vec::new();
        let (mut equivalent, mut with_losses) = (0, 0);
        let files = corpus_files("corpus/lxc", "conf");
        for file in &files {
            let loaded = load_lxc(file, &base);
            let (doc, mut losses) = prepare(&loaded.document, &options()).expect("prepare");
            let out = libvirt_xml::emit(&doc);
            losses.extend(out.losses);
            let back = lxconf_parse::domxml::load("converted.xml", &out.xml);
            assert!(!back.has_errors(), "{file}: {:?}", back.diagnostics);
            let unexpected: Vec<_> = compare(&loaded.document.container, &back.document.container)
                .into_iter()
                .filter(|o| o.status == Status::Unexpected)
                .collect();
            let reported = losses.iter().any(|d| {
                matches!(
                    d.code,
                    Code::C301 | Code::C302 | Code::C201 | Code::C202 | Code::C204
                ) && d.severity >= Severity::Note
            });
            match (unexpected.is_empty(), reported) {
                (true, _) => equivalent += 1,
                (false, true) => with_losses += 1,
                (false, false) => failures.push(format!(
                    "{file}: meaning changed silently in {:?}",
                    unexpected.iter().map(|o| o.name).collect::<Vec<_>>()
                )),
            }
        }
        eprintln!("equiv(config, from-native(config)): {equivalent}/{} equivalent, {with_losses} with reported losses", files.len());
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
