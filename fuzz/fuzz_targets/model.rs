//! Fuzz the model document readers (JSON and YAML) and, on whatever they accept, every
//! writer: no panic, spans inside the input, no written file that holds more or other
//! lines than the writer meant.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common/writers.rs"]
mod writers;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for loaded in [
        lxconf_parse::load_model_json("fuzz.json", &text),
        lxconf_parse::load_model_yaml("fuzz.yaml", &text),
    ] {
        for d in &loaded.diagnostics {
            if let Some(p) = &d.primary {
                assert!(p.origin.end as usize <= text.len());
            }
        }
        if !loaded.has_errors() {
            writers::check_all(&loaded.document);
        }
    }
});
