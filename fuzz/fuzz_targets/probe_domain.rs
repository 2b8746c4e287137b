//! Fuzz the copy of a domain XML that `lxconf equiv --engine real` gives libvirt (the probe
//! as init, one more filesystem): no panics on any input, and whatever the project's domain
//! XML reader accepts, the copy reads back without errors, with exactly the probe's init
//! and arguments.
#![no_main]

// The module is compiled here by path: it needs only quick-xml and thiserror, and the
// fuzz crate stays free of the CLI crate's dependencies.
#[path = "../../src/engine/domain_xml.rs"]
#[allow(dead_code)]
mod domain_xml;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let args = ["/dev/.lxconf-equiv-0/probe.sh".to_string(), "@m:".to_string()];
    let probe = domain_xml::ProbeInit {
        init: "/bin/sh",
        args: &args,
        host_dir: "/tmp/x'\"<&>",
        mount_point: "/dev/.lxconf-equiv-0",
    };
    let Ok(copy) = domain_xml::inject(&text, &probe) else {
        return;
    };
    if lxconf_parse::domxml::load("in.xml", &text).has_errors() {
        return;
    }
    let back = lxconf_parse::domxml::load("copy.xml", &copy.xml);
    assert!(
        !back.has_errors(),
        "the copy of an accepted domain is refused: {:?}\n{}",
        back.diagnostics,
        copy.xml
    );
    assert_eq!(
        back.document.container.init.command,
        ["/bin/sh", args[0].as_str(), args[1].as_str()],
        "{}",
        copy.xml
    );
});
