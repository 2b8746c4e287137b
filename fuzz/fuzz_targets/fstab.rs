//! Fuzz the fstab parser: no panics, spans inside the input, escapes round-trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lxconf_model::SourceId;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (entries, diags) = lxconf_parse::fstab::parse_file(&text, SourceId(0));
    for e in &entries {
        assert!(e.line.end <= text.len());
        assert!(e.source.range.end <= text.len());
        if let Ok(encoded) = lxconf_convert::writable::fstab_path(&e.source.text) {
            assert_eq!(lxconf_parse::fstab::decode_escapes(&encoded), e.source.text);
        }
    }
    for d in &diags {
        if let Some(p) = &d.primary {
            assert!(p.origin.end as usize <= text.len());
        }
    }
});
