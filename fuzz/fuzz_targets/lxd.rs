//! Fuzz the LXD instance/profile reader (YAML tree, validation, expansion with a profile,
//! lowering through the LXC lowering): any input gives a model and diagnostics whose
//! spans lie inside their source, never a panic or a hang (alias bombs stop at the node
//! budget, D015).
#![no_main]

use libfuzzer_sys::fuzz_target;
use lxconf_parse::fs::MemoryFs;
use lxconf_parse::{Format, LoadOptions};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let fs = MemoryFs::new().with(
        "/p/default.yaml",
        "config:\n  limits.processes: \"10\"\ndevices:\n  root: {path: /, pool: default, type: disk}\nname: default\nused_by: []\n",
    );
    let options = LoadOptions {
        fs: &fs,
        base_dir: "/p".into(),
        lxd_profiles: vec!["/p/default.yaml".into()],
    };
    let (_, loaded) = lxconf_parse::load(Some(Format::Lxd), "web.yaml", &text, &options);
    for d in &loaded.diagnostics {
        for label in d.primary.iter().chain(&d.secondary) {
            let file = loaded.sources.get(label.origin.source);
            assert!(label.origin.end as usize <= file.text.len());
            let _ = loaded.sources.locate(label.origin);
        }
    }
});
