//! Checks every writer must pass on any model a reader accepted: the output is refused
//! with a coded error, or it holds exactly what the writer meant to write.

use lxconf_convert::lxc::{emit, LxcOptions};
use lxconf_model::{Code, Diagnostic, Document};
use lxconf_model::equiv::{compare, Status};
use lxconf_parse::fs::MemoryFs;
use lxconf_parse::LoadOptions;

fn reload(text: &str) -> lxconf_parse::Loaded {
    let fs = MemoryFs::new();
    let options = LoadOptions { fs: &fs, base_dir: "/".into(), lxd_profiles: Vec::new() };
    lxconf_parse::lxc::load("written.conf", text, &options)
}

fn refused(losses: &[Diagnostic], code: Code) -> bool {
    losses.iter().any(|d| d.code == code && d.is_error())
}

/// LXC: the written lines are exactly the writer's entries; written again from what it
/// reads back, the text is the same (model → LXC → model is stable).
pub fn check_lxc(doc: &Document) {
    for opts in [LxcOptions::default(), LxcOptions { legacy: true, cgroup_v1: true }] {
        let out = emit(doc, &opts);
        if refused(&out.losses, Code::C103) {
            continue;
        }
        let read: Vec<(String, String)> = lxconf_parse::lxc::syntax::lines(&out.text)
            .filter_map(|l| match l.kind {
                lxconf_parse::lxc::syntax::LineKind::Entry(e) => {
                    Some((out.text[e.key].to_string(), out.text[e.value].to_string()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(read, out.entries, "lines changed:\n{}", out.text);
        // Without a loss, the config reads back as a container that means the same (the
        // static equivalence: representation may differ, meaning may not), and writing
        // that again gives the same text.
        let lossless = out.losses.is_empty();
        if lossless && !opts.legacy {
            let back = reload(&out.text);
            if back.has_errors() {
                continue;
            }
            let unexpected: Vec<_> = compare(&doc.container, &back.document.container)
                .into_iter()
                .filter(|o| o.status == Status::Unexpected)
                .map(|o| o.name)
                .collect();
            assert!(unexpected.is_empty(), "meaning changed in {unexpected:?}:\n{}", out.text);
            let again = emit(&back.document, &opts);
            assert_eq!(again.text, out.text, "not a fixpoint");
        }
    }
}

/// Domain XML: refused, or well-formed.
pub fn check_domxml(doc: &Document) {
    let out = lxconf_convert::libvirt_xml::emit(doc);
    if refused(&out.losses, Code::C207) {
        return;
    }
    let back = lxconf_parse::domxml::load("emitted.xml", &out.xml);
    assert!(
        !back.diagnostics.iter().any(|d| d.code == Code::X001),
        "the writer produced malformed XML:\n{}",
        out.xml
    );
}

/// fstab: each mount is refused or one line of six fields that reads back to its paths.
pub fn check_fstab(doc: &Document) {
    let rootfs = doc.container.rootfs.is_some();
    for m in &doc.container.mounts {
        let Ok(line) = lxconf_convert::fstab::line(m, rootfs) else {
            continue;
        };
        assert!(!line.contains(['\n', '\r', '\0']), "{line:?}");
        let (entries, _) = lxconf_parse::fstab::parse_file(&line, lxconf_model::SourceId(0));
        assert_eq!(entries.len(), 1, "{line:?}");
        assert_eq!(entries[0].source.text, m.source, "{line:?}");
    }
}

pub fn check_all(doc: &Document) {
    check_lxc(doc);
    check_domxml(doc);
    check_fstab(doc);
}
