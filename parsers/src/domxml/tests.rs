use super::*;
use lxconf_model::Namespace;

const MINIMAL: &str = "<domain type='lxc'>\n  <name>web</name>\n  <uuid>6c78636f-6e66-4d00-8000-000000000001</uuid>\n  <memory unit='KiB'>65536</memory>\n  <os>\n    <type arch='x86_64'>exe</type>\n    <init>/bin/sh</init>\n    <initarg>-c</initarg>\n    <initenv name='PATH'>/usr/bin</initenv>\n  </os>\n  <devices>\n    <console type='pty'/>\n    <console type='pty'/>\n  </devices>\n</domain>\n";

#[test]
fn libvirt_defaults_are_explicit() {
    let l = load("d.xml", MINIMAL);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let c = &l.document.container;
    assert_eq!(c.init.command, ["/bin/sh", "-c"]);
    assert_eq!(
        c.init.env[0].value.as_deref(),
        Some("/usr/bin"),
        "initenv replaces PATH in place"
    );
    assert!(c
        .init
        .env
        .iter()
        .any(|e| e.name == "container" && e.value.as_deref() == Some("lxc-libvirt")));
    assert!(c
        .init
        .env
        .iter()
        .any(|e| e.name == "container_ttys" && e.value.as_deref() == Some("pts/1")));
    assert_eq!(c.resources.memory_limit, Some(ByteSize(64 << 20)));
    assert_eq!(
        c.capabilities.dropped().len(),
        5,
        "libvirt keeps mac_override"
    );
    assert_eq!(c.dev.ttys, 1);
    assert!(!c.namespaces.clone.contains(&Namespace::Net));
    assert_eq!(c.hostname.as_deref(), Some("web"));
}

#[test]
fn unmodeled_elements_are_kept_with_a_locator_key() {
    let xml = MINIMAL.replacen(
        "    <console type='pty'/>\n",
        "    <serial type='pty'/>\n    <console type='pty'/>\n",
        1,
    );
    let l = load("d.xml", &xml);
    let kept = &l.document.container.unrecognized;
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[0].key, "devices/serial");
    assert_eq!(kept[0].value, "<serial type='pty'/>");
    assert!(l.diagnostics.iter().any(|d| d.code == Code::X002));
}

#[test]
fn a_shared_netns_is_its_path_and_numa_modes_are_kept() {
    let xml = MINIMAL
        .replace(
            "<domain type='lxc'>",
            "<domain type='lxc' xmlns:lxc='http://libvirt.org/schemas/domain/lxc/1.0'>",
        )
        .replace(
            "</devices>\n",
            "</devices>\n  <lxc:namespace>\n    <lxc:sharenet type='netns' value='blue'/>\n  </lxc:namespace>\n",
        )
        .replace(
            "  <os>",
            "  <numatune>\n    <memory mode='interleave' nodeset='0-1'/>\n  </numatune>\n  <os>",
        );
    let l = load("d.xml", &xml);
    assert!(!l.has_errors(), "{:?}", l.diagnostics);
    let c = &l.document.container;
    assert_eq!(
        c.namespaces.share.get(&Namespace::Net).map(String::as_str),
        Some("/run/netns/blue")
    );
    let lv = c.libvirt.as_ref().unwrap();
    assert_eq!(lv.numa_mode.as_deref(), Some("interleave"));
    assert_eq!(
        c.resources
            .cpuset_mems
            .as_ref()
            .map(|s| s.to_string())
            .as_deref(),
        Some("0-1")
    );
}

#[test]
fn unknown_attributes_are_reported_and_kept() {
    let xml = MINIMAL.replace(
        "<console type='pty'/>",
        "<console type='pty' tty='/dev/pts/3'/>",
    );
    let l = load("d.xml", &xml);
    assert!(!l.has_errors());
    let kept = &l.document.container.unrecognized;
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert_eq!(kept[0].key, "domain/devices/console/@tty");
    assert_eq!(kept[0].value, "/dev/pts/3");
    let d = l
        .diagnostics
        .iter()
        .find(|d| d.code == Code::X002)
        .expect("X002");
    let at = d.primary.as_ref().expect("located").origin;
    assert_eq!(&xml[at.start as usize..at.end as usize], "/dev/pts/3");
}

#[test]
fn syntax_errors_are_located() {
    let l = load("d.xml", "<domain type='lxc'>\n  <name>x</nam>\n</domain>\n");
    assert_eq!(l.diagnostics[0].code, Code::X001);
    assert!(l.diagnostics[0].primary.is_some());
}

#[test]
fn exe_without_init_and_a_disk_are_errors() {
    let l = load("d.xml", "<domain type='lxc'><name>x</name><os><type>exe</type></os><devices><disk type='file'/></devices></domain>");
    let codes: Vec<Code> = l.diagnostics.iter().map(|d| d.code).collect();
    assert!(
        codes.contains(&Code::X004) && codes.contains(&Code::X005),
        "{codes:?}"
    );
}

#[test]
fn the_lxc_namespace_is_matched_by_uri_not_by_prefix() {
    let share =
        "</devices>\n  <x:namespace><x:sharenet type='netns' value='blue'/></x:namespace>\n";
    let xml = MINIMAL.replace("</devices>\n", share).replace(
        "<domain type='lxc'>",
        "<domain type='lxc' xmlns:x='http://libvirt.org/schemas/domain/lxc/1.0'>",
    );
    let l = load("d.xml", &xml);
    assert!(l
        .document
        .container
        .namespaces
        .share
        .contains_key(&Namespace::Net));
    // `lxc:` bound to another URI is not libvirt's namespace: kept, not applied.
    let other = share.replace("x:", "lxc:");
    let xml = MINIMAL.replace("</devices>\n", &other).replace(
        "<domain type='lxc'>",
        "<domain type='lxc' xmlns:lxc='http://example.com/not-lxc'>",
    );
    let l = load("d.xml", &xml);
    assert!(l.document.container.namespaces.share.is_empty());
    assert!(l.diagnostics.iter().any(|d| d.code == Code::X002));
}

#[test]
fn nesting_past_the_limit_is_refused_without_recursion() {
    let deep = format!("<domain type='lxc'>{}", "<a>".repeat(200_000));
    let l = load("d.xml", &deep);
    assert_eq!(l.diagnostics.len(), 1);
    assert_eq!(l.diagnostics[0].code, Code::I006);
}

#[test]
fn a_duplicate_name_memory_or_init_keeps_the_first_as_libvirt_does() {
    let xml = MINIMAL
        .replace("<name>web</name>", "<name>web</name><name>evil</name>")
        .replace(
            "<init>/bin/sh</init>",
            "<init>/bin/sh</init><init>/evil</init>",
        )
        .replace(
            "<memory unit='KiB'>65536</memory>",
            "<memory unit='KiB'>65536</memory><memory>1</memory>",
        );
    let l = load("d.xml", &xml);
    let c = &l.document.container;
    assert_eq!(c.name.as_deref(), Some("web"));
    assert_eq!(c.init.command[0], "/bin/sh");
    let dups = l
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::X009)
        .count();
    assert_eq!(dups, 3, "{:?}", l.diagnostics);
}

#[test]
fn invalid_utf8_and_foreign_encodings_are_errors() {
    let xml = MINIMAL.replace("web", "w\u{fffd}b");
    let l = load("d.xml", &xml);
    assert!(l
        .diagnostics
        .iter()
        .any(|d| d.code == Code::X008 && d.is_error()));
    let latin1 = format!("<?xml version='1.0' encoding='ISO-8859-1'?>\n{MINIMAL}");
    let l = load("d.xml", &latin1);
    assert_eq!(l.diagnostics[0].code, Code::X010);
    let utf16 = format!("<?xml version='1.0' encoding='UTF-16'?>\n{MINIMAL}");
    assert!(load("d.xml", &utf16).diagnostics.is_empty());
}

#[test]
fn attribute_values_are_located_on_a_line_with_thousands_of_attributes() {
    let attrs: String = (0..6000).map(|i| format!(" a{i}='v{i}'")).collect();
    let xml = MINIMAL.replace(
        "<console type='pty'/>\n    <console",
        &format!("<console type='pty'{attrs}/>\n    <console"),
    );
    let l = load("d.xml", &xml);
    let d = l
        .diagnostics
        .iter()
        .find(|d| d.message.contains("`a5999`"))
        .expect("a5999");
    let r = d.primary.as_ref().expect("located").origin.range();
    assert_eq!(&xml[r], "v5999");
}

#[test]
fn idmap_entries_are_located() {
    let xml = "<domain type='lxc'><name>x</name><memory>65536</memory>\n<idmap>\n<uid start='0' target='100000' count='65536'/>\n<gid start='0' target='100000' count='65536'/>\n</idmap></domain>";
    let l = load("d.xml", xml);
    for (i, element) in ["<uid", "<gid"].iter().enumerate() {
        let o = l
            .document
            .origins
            .get(&lxconf_model::pointer::item(lxconf_model::pointer::IDMAP, i).to_string())
            .expect("located");
        assert!(xml[o.start as usize..].starts_with(element), "{o:?}");
    }
}
