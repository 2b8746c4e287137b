//! Fuzz the domain XML reader and writer: no panics, spans inside the input, and whatever
//! the reader accepts, the writer's output reads back without errors.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let loaded = lxconf_parse::domxml::load("fuzz.xml", &text);
    for d in &loaded.diagnostics {
        if let Some(p) = &d.primary {
            assert!(p.origin.end as usize <= text.len());
        }
    }
    if !loaded.has_errors() {
        let out = lxconf_convert::libvirt_xml::emit(&loaded.document);
        let back = lxconf_parse::domxml::load("emitted.xml", &out.xml);
        assert!(
            !back.diagnostics.iter().any(|d| d.code == lxconf_model::Code::X001),
            "the writer produced malformed XML:\n{}",
            out.xml
        );
    }
});
