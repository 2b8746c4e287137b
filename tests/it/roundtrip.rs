//! Round trips through the LXC emitter: LXC config → model → LXC config → model is the
//! identity for every corpus config (legacy ones come back with modern keys).

use crate::support::*;
use lxconf_convert::lxc::{emit, LxcOptions};
use lxconf_parse::fs::RealFs;
use lxconf_parse::LoadOptions;

fn reload(text: &str, base: &std::path::Path) -> lxconf_parse::Loaded {
    lxconf_parse::lxc::load(
        "emitted.conf",
        text,
        &LoadOptions {
            fs: &RealFs,
            base_dir: base.to_path_buf(),
            lxd_profiles: Vec::new(),
        },
    )
}

#[test]
fn every_corpus_config_survives_lxc_emit_and_reload() {
    let base = root().join("corpus/lxc");
    let mut failures = Vec::new();
    let mut checked = 0;
    for file in corpus_files("corpus/lxc", "conf") {
        let loaded = load_lxc(&file, &base);
        if loaded.has_errors() {
            continue;
        }
        for opts in [
            LxcOptions::default(),
            LxcOptions {
                cgroup_v1: true,
                ..Default::default()
            },
        ] {
            let out = emit(&loaded.document, &opts);
            let back = reload(&out.text, &base);
            if back.has_errors() {
                failures.push(format!(
                    "{file}: emitted config has errors: {:?}\n{}",
                    back.diagnostics
                        .iter()
                        .filter(|d| d.is_error())
                        .map(|d| &d.message)
                        .collect::<Vec<_>>(),
                    out.text
                ));
                continue;
            }
            let mut a = loaded.document.container.clone();
            let mut b = back.document.container.clone();
            // The container name comes from the directory, not from the text.
            b.name = a.name.clone();
            // Entries LXC ignores are reported, not re-emitted.
            a.unrecognized
                .retain(|u| u.reason == "not typed by the model");
            b.unrecognized
                .retain(|u| u.reason == "not typed by the model");
            // cgroup v2 has no memory+swap limit: it becomes swap = total - memory.
            if !opts.cgroup_v1 {
                let r = &mut a.resources;
                if let (Some(total), Some(mem), None) =
                    (r.memory_swap_limit, r.memory_limit, r.swap_limit)
                {
                    r.swap_limit = Some(lxconf_model::ByteSize(total.0.saturating_sub(mem.0)));
                    r.memory_swap_limit = None;
                }
            }
            if a != b {
                let ja = serde_json::to_string_pretty(&a).unwrap_or_default();
                let jb = serde_json::to_string_pretty(&b).unwrap_or_default();
                let diff: Vec<String> = ja
                    .lines()
                    .zip(jb.lines())
                    .filter(|(x, y)| x != y)
                    .take(3)
                    .map(|(x, y)| format!("  - {x}\n  + {y}"))
                    .collect();
                failures.push(format!(
                    "{file} (cgroup v1: {}): model changed\n{}",
                    opts.cgroup_v1,
                    diff.join("\n")
                ));
            }
            checked += 1;
        }
    }
    assert!(checked >= 100, "only {checked} round trips");
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn legacy_output_uses_lxc2_keys_and_loads_back_the_same() {
    let base = root().join("corpus/lxc");
    let loaded = load_lxc("corpus/lxc/net-veth.conf", &base);
    let out = emit(
        &loaded.document,
        &LxcOptions {
            legacy: true,
            ..Default::default()
        },
    );
    assert!(out.text.contains("lxc.network.type = veth"), "{}", out.text);
    assert!(!out.text.contains("lxc.net."), "{}", out.text);
    let back = reload(&out.text, &base);
    assert!(!back.has_errors());
    let nets = |c: &lxconf_model::Container| {
        c.networks
            .iter()
            .map(|n| (n.kind, n.link.clone(), n.ipv4.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        nets(&loaded.document.container),
        nets(&back.document.container)
    );
}

mod generated {
    //! Property test: any model LXC can express survives model → LXC text → model.

    use super::*;
    use crate::generate::container;
    use lxconf_model::{ByteSize, Document};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
        #[test]
        fn lxc_expressible_models_round_trip(c in container()) {
            let doc = Document { container: c.clone(), ..Document::default() };
            let out = emit(&doc, &LxcOptions::default());
            prop_assert!(out.losses.iter().all(|d| d.severity != lxconf_model::Severity::Warning), "{:?}", out.losses);
            let back = reload(&out.text, std::path::Path::new("/"));
            prop_assert!(!back.has_errors(), "{:?}\n{}", back.diagnostics, out.text);
            prop_assert_eq!(&back.document.container, &c, "\n{}", out.text);
        }

        #[test]
        fn lxc_models_keep_their_meaning_in_domain_xml_or_report_the_loss(c in container()) {
            // model → domain XML → model: what differs (beyond the documented inherent
            // differences) must come with a loss report.
            use lxconf_model::equiv::{compare, Status};
            let mut c = c;
            c.name = Some("generated".into());
            let doc = Document { container: c.clone(), ..Document::default() };
            let options = lxconf_convert::from_native::FromNativeOptions {
                memory: Some(ByteSize(ByteSize::GIB)),
                host_memory: Some(ByteSize(8 * ByteSize::GIB)),
                ..Default::default()
            };
            let (prepared, mut losses) = match lxconf_convert::from_native::prepare(&doc, &options) {
                Ok(p) => p,
                // Refused with an error (e.g. a tmpfs libvirt cannot size): nothing written.
                Err(errors) => {
                    prop_assert!(errors.iter().all(|e| e.is_error()));
                    return Ok(());
                }
            };
            let out = lxconf_convert::libvirt_xml::emit(&prepared);
            losses.extend(out.losses);
            let back = lxconf_parse::domxml::load("converted.xml", &out.xml);
            prop_assert!(!back.has_errors(), "{:?}\n{}", back.diagnostics, out.xml);
            let unexpected: Vec<_> = compare(&c, &back.document.container)
                .into_iter()
                .filter(|o| o.status == Status::Unexpected)
                .map(|o| o.name)
                .collect();
            prop_assert!(
                unexpected.is_empty() || !losses.is_empty(),
                "meaning changed silently in {:?}\n{}",
                unexpected,
                out.xml
            );
        }
    }
}
