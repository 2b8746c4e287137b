//! Fuzz `upgrade` (legacy keys → modern keys, a writer that edits text): no panic, and an
//! upgrade without errors of a config without errors means the same container.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lxconf_model::{Severity, SourceId};
use lxconf_parse::fs::MemoryFs;
use lxconf_parse::LoadOptions;

fn load(text: &str) -> lxconf_parse::Loaded {
    let fs = MemoryFs::new();
    let options = LoadOptions {
        fs: &fs,
        base_dir: "/".into(),
        lxd_profiles: Vec::new(),
    };
    lxconf_parse::lxc::load("fuzz.conf", text, &options)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let up = lxconf_parse::lxc::upgrade::upgrade(&text, SourceId(0));
    if up.diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return;
    }
    let before = load(&text);
    if before.has_errors() {
        return;
    }
    let after = load(&up.text);
    assert!(!after.has_errors(), "upgrade made errors:\n{}", up.text);
    assert_eq!(
        after.document.container, before.document.container,
        "upgrade changed the meaning:\n{}",
        up.text
    );
});
