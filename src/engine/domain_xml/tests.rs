use super::*;

const DIR: &str = "/tmp/lxconf-probe.abc/out";
const MOUNT: &str = "/dev/.lxconf-probe-0123";

fn args() -> Vec<String> {
    vec![format!("{MOUNT}/probe.sh"), "@marker:".to_string()]
}

fn probe(args: &[String]) -> ProbeInit<'_> {
    ProbeInit {
        init: "/bin/sh",
        args,
        host_dir: DIR,
        mount_point: MOUNT,
    }
}

/// The probe domain as the project's own domain XML reader sees it.
fn reread(xml: &str) -> lxconf_model::Container {
    let loaded = lxconf_parse::domxml::load("probe.xml", xml);
    assert!(!loaded.has_errors(), "{:?}\n{xml}", loaded.diagnostics);
    loaded.document.container
}

fn command(c: &lxconf_model::Container) -> Vec<String> {
    c.init.command.clone()
}

fn probe_mounts(c: &lxconf_model::Container) -> Vec<(String, String)> {
    c.mounts
        .iter()
        .filter(|m| m.target == MOUNT)
        .map(|m| (m.source.clone(), m.target.clone()))
        .collect()
}

#[test]
fn the_probe_replaces_init_and_its_arguments_and_gets_a_filesystem() {
    let a = args();
    let domain = "<domain type='lxc'>\n  <name>web</name>\n  <memory>65536</memory>\n  <os>\n    <type>exe</type>\n    <init>/sbin/init</init>\n    <initarg>--log</initarg>\n    <initarg>debug</initarg>\n    <initenv name='A'>1</initenv>\n  </os>\n  <devices>\n    <console type='pty'/>\n  </devices>\n</domain>\n";
    let p = inject(domain, &probe(&a)).expect("injected");
    assert_eq!(p.name, "web");
    assert_eq!(p.replaced_init, ["/sbin/init", "--log", "debug"]);
    let c = reread(&p.xml);
    assert_eq!(command(&c), ["/bin/sh", &a[0], &a[1]]);
    assert_eq!(probe_mounts(&c), [(DIR.to_string(), MOUNT.to_string())]);
    assert!(c
        .init
        .env
        .iter()
        .any(|e| e.name == "A" && e.value.as_deref() == Some("1")));
    assert!(!p.xml.contains("/sbin/init") && !p.xml.contains("debug"));
}

#[test]
fn a_domain_without_init_devices_or_os_gets_them() {
    let a = args();
    let p = inject(
        "<domain type='lxc'><name>bare</name><memory>1024</memory></domain>",
        &probe(&a),
    )
    .expect("injected");
    assert!(p.replaced_init.is_empty());
    assert!(p.xml.contains("<os><init>/bin/sh</init>"), "{}", p.xml);
    assert!(
        p.xml.contains("<devices><filesystem type=\"mount\">"),
        "{}",
        p.xml
    );
    let p = inject(
        "<domain type='lxc'><name>e</name><memory>65536</memory><os><type>exe</type></os><devices/></domain>",
        &probe(&a),
    )
    .expect("injected");
    assert_eq!(probe_mounts(&reread(&p.xml)).len(), 1, "{}", p.xml);
    let p = inject(
        "<domain type='lxc'><name>e</name><os/><devices/></domain>",
        &probe(&a),
    )
    .expect("injected");
    assert!(p.xml.contains("<os><init>/bin/sh</init>"), "{}", p.xml);
}

#[test]
fn only_the_first_devices_gets_the_filesystem_and_nested_inits_are_left_alone() {
    let a = args();
    let p = inject(
        "<domain type='lxc'><name>two</name><metadata><os><init>/keep</init></os></metadata><os><type>exe</type></os><devices></devices><devices></devices></domain>",
        &probe(&a),
    )
    .expect("injected");
    assert_eq!(p.xml.matches("<filesystem").count(), 1, "{}", p.xml);
    assert!(p
        .xml
        .contains("<metadata><os><init>/keep</init></os></metadata>"));
    assert!(p.replaced_init.is_empty());
}

#[test]
fn hostile_init_text_and_values_cannot_become_markup() {
    // An initarg whose text spells markup, and probe values full of XML's specials: the
    // domain read back has exactly the probe's init, arguments and one extra filesystem.
    let hostile = vec![
        "</initarg><init>/evil</init><initarg>".to_string(),
        "a'b\"c<d>&e".to_string(),
    ];
    let dir = "/tmp/x'\"<y>&z";
    let p = ProbeInit {
        init: "/bin/sh",
        args: &hostile,
        host_dir: dir,
        mount_point: MOUNT,
    };
    let domain = "<domain type='lxc'><name>h&amp;x</name><memory>65536</memory><os><type>exe</type><initarg>&lt;/initarg&gt;&lt;init&gt;/evil&lt;/init&gt;</initarg><init><![CDATA[</init><init>/evil]]></init></os><devices/></domain>";
    let out = inject(domain, &p).expect("injected");
    assert_eq!(out.name, "h&x");
    assert_eq!(
        out.replaced_init,
        ["</initarg><init>/evil</init>", "</init><init>/evil"]
    );
    let c = reread(&out.xml);
    assert_eq!(command(&c), ["/bin/sh", &hostile[0], &hostile[1]]);
    assert_eq!(probe_mounts(&c), [(dir.to_string(), MOUNT.to_string())]);
}

#[test]
fn everything_else_reaches_libvirt_as_written() {
    let a = args();
    let domain = "<?xml version='1.0'?>\n<!-- a comment -->\n<domain type='lxc' xmlns:lxc='http://libvirt.org/schemas/domain/lxc/1.0'>\n  <name>keep</name>\n  <title>a &amp; b</title>\n  <os><type arch='x86_64'>exe</type></os>\n  <lxc:namespace><sharenet type='netns' value='red'/></lxc:namespace>\n  <devices><console type='pty'/></devices>\n</domain>\n";
    let p = inject(domain, &probe(&a)).expect("injected");
    for kept in [
        "<?xml version='1.0'?>\n<!-- a comment -->\n<domain type='lxc' xmlns:lxc=",
        "<title>a &amp; b</title>",
        "<lxc:namespace><sharenet type='netns' value='red'/></lxc:namespace>",
        "<console type='pty'/>",
    ] {
        assert!(p.xml.contains(kept), "{kept} in\n{}", p.xml);
    }
}

#[test]
fn what_is_not_a_domain_with_a_name_is_refused() {
    let a = args();
    for (text, want) in [
        ("<network><name>n</name></network>", "not `<domain>`"),
        ("<domain><os/></domain>", "no <name>"),
        ("<domain><name> </name></domain>", "no <name>"),
        ("<domain><name>a</name><os>", "not closed"),
        ("<domain><name>a</name></os></domain>", "cannot be read"),
        (
            "<domain><name>a</name></domain><domain><name>b</name></domain>",
            "second root",
        ),
        ("<domain><name>a</name><os><init>x", "unexpected end"),
    ] {
        let e = inject(text, &probe(&a)).expect_err(text);
        assert!(e.to_string().contains(want), "{text}: {e}");
    }
}

mod property {
    use super::*;
    use proptest::prelude::*;

    /// Text with XML's specials, quotes, entity-like runs and markup-like runs.
    fn hostile() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("<".to_string()),
                Just(">".to_string()),
                Just("&".to_string()),
                Just("&amp;".to_string()),
                Just("&#x3c;".to_string()),
                Just("'".to_string()),
                Just("\"".to_string()),
                Just("</init>".to_string()),
                Just("<init>".to_string()),
                Just("</os>".to_string()),
                Just("<devices>".to_string()),
                Just("]]>".to_string()),
                Just("<![CDATA[".to_string()),
                Just("<!--".to_string()),
                "[a-z/ ]{0,4}",
            ],
            0..8,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        /// Whatever the domain holds (written raw into its init, initarg and title) and
        /// whatever the probe's values are: no panic; and when the domain is one the
        /// project's reader accepts, the copy is too, with exactly the probe's init and
        /// one probe filesystem.
        #[test]
        fn injection_never_panics_and_keeps_the_probe_exact(
            init in hostile(),
            title in hostile(),
            arg in hostile(),
            dir in hostile(),
        ) {
            let domain = format!(
                "<domain type='lxc'><name>p</name><title>{title}</title><memory>65536</memory><os><type>exe</type><init>{init}</init><initarg>{init}</initarg></os><devices/></domain>"
            );
            let args = vec![arg.clone(), "@m:".to_string()];
            let host_dir = format!("/tmp/{dir}");
            let probe = ProbeInit { init: "/bin/sh", args: &args, host_dir: &host_dir, mount_point: MOUNT };
            let Ok(out) = inject(&domain, &probe) else { return Ok(()) };
            if lxconf_parse::domxml::load("d.xml", &domain).has_errors() {
                return Ok(());
            }
            let loaded = lxconf_parse::domxml::load("probe.xml", &out.xml);
            prop_assert!(!loaded.has_errors(), "{:?}\n{}", loaded.diagnostics, out.xml);
            let c = loaded.document.container;
            prop_assert_eq!(c.init.command.clone(), vec!["/bin/sh".to_string(), arg, "@m:".to_string()]);
            prop_assert_eq!(probe_mounts(&c), vec![(host_dir, MOUNT.to_string())]);
        }
    }
}
