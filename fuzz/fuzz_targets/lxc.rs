//! Fuzz the LXC config parser and lowering: any input must give a model and diagnostics
//! whose spans lie inside the source, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lxconf_parse::fs::MemoryFs;
use lxconf_parse::LoadOptions;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let fs = MemoryFs::new().with("/inc/a.conf", "lxc.uts.name = inc\n");
    let loaded = lxconf_parse::lxc::load(
        "fuzz.conf",
        &text,
        &LoadOptions {
            fs: &fs,
            base_dir: "/inc".into(),
            lxd_profiles: Vec::new(),
        },
    );
    for d in &loaded.diagnostics {
        if let Some(p) = &d.primary {
            let file = loaded.sources.get(p.origin.source);
            assert!(p.origin.end as usize <= file.text.len());
            let _ = loaded.sources.locate(p.origin);
        }
    }
    let _ = serde_json_free_check(&loaded.document.container);
});

fn serde_json_free_check(c: &lxconf_model::Container) -> usize {
    c.mounts.len() + c.networks.len()
}
