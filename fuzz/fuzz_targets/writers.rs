//! Fuzz the writers on models read from LXC configs and domain XML (the inputs users
//! convert most): every written file is refused or holds exactly what was meant.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lxconf_parse::fs::MemoryFs;
use lxconf_parse::LoadOptions;

#[path = "common/writers.rs"]
mod writers;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let fs = MemoryFs::new();
    let lxc = lxconf_parse::lxc::load(
        "fuzz.conf",
        &text,
        &LoadOptions {
            fs: &fs,
            base_dir: "/".into(),
            lxd_profiles: Vec::new(),
        },
    );
    writers::check_all(&lxc.document);
    let xml = lxconf_parse::domxml::load("fuzz.xml", &text);
    if !xml.has_errors() {
        writers::check_all(&xml.document);
    }
});
