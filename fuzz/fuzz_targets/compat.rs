//! Fuzz the libvirt-compatible converter (its own reader of LXC configs, byte-for-byte
//! libvirt's): any input gives XML or an error message, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = lxconf_convert::libvirt_compat::from_native(
        &text,
        "c7a5fdbd-edaf-9455-926a-d65c16db1809",
        "/usr/lib/libvirt/libvirt_lxc",
    );
});
