//! No value can change the structure of a written file (issue 12, key injection).
//!
//! Models whose strings hold line breaks, NUL, blanks, quotes, separators and whole
//! `lxc.hook.* = ...` lines are written as LXC configs, fstab files and domain XML. Each
//! output is either refused with a coded error or reads back as exactly the model that was
//! written: same keys, same values, nothing added.

use lxconf_convert::lxc::{emit, LxcOptions};
use lxconf_model::model::*;
use lxconf_model::{Code, Diagnostic, Document};
use lxconf_parse::fs::MemoryFs;
use lxconf_parse::LoadOptions;
use proptest::prelude::*;

/// Text with every character class a writer must handle.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-z0-9/._-]{1,6}",
        1 => Just("\n".to_string()),
        1 => Just("\r".to_string()),
        1 => Just("\0".to_string()),
        1 => Just(" ".to_string()),
        1 => Just("\t".to_string()),
        1 => Just("\"".to_string()),
        1 => Just("'".to_string()),
        1 => Just("=".to_string()),
        1 => Just(",".to_string()),
        1 => Just("#".to_string()),
        1 => Just("\\".to_string()),
        1 => Just("\u{1b}[2J".to_string()),
        1 => Just("\nlxc.hook.pre-start = /tmp/evil.sh\n".to_string()),
    ];
    proptest::collection::vec(piece, 1..5).prop_map(|p| p.concat())
}

fn mount(source: String, target: String, option: String) -> Mount {
    Mount {
        source,
        target,
        fstype: "none".into(),
        options: vec![option],
        readonly: false,
        bind: BindKind::Bind,
        size: None,
        optional: false,
        create: None,
        relative: false,
        dump: 0,
        pass: 0,
    }
}

prop_compose! {
    fn container()(
        hostname in hostile(), arg in hostile(), env_name in hostile(), env_value in hostile(),
        cwd in hostile(), source in hostile(), target in hostile(), option in hostile(),
        link in hostile(), hook in hostile(), sysctl in hostile(), proc_key in hostile(),
        apparmor in hostile(), group in hostile(),
    ) -> Container {
        let mut c = Container { hostname: Some(hostname), ..Container::default() };
        c.init.command = vec!["/bin/sh".into(), arg];
        c.init.cwd = Some(cwd);
        c.init.env = vec![
            EnvVar { name: env_name, value: Some(env_value) },
            EnvVar { name: "container".into(), value: Some("lxc".into()) },
        ];
        c.mounts = vec![mount(format!("/{source}"), format!("/{target}"), option)];
        let mut n = Network::new(0, NetKind::Veth);
        n.link = Some(link);
        c.networks = vec![n];
        c.hooks.hooks = vec![Hook { kind: HookKind::Mount, command: hook }];
        c.sysctls = vec![Setting { key: "net.ipv4.ip_forward".into(), value: sysctl }];
        c.proc = vec![Setting { key: proc_key, value: "1".into() }];
        c.security.apparmor_profile = Some(apparmor);
        c.autostart.groups = vec![group];
        c.namespaces.clone = c.lxc_default_namespaces();
        c
    }
}

fn refusals(losses: &[Diagnostic], code: Code) -> usize {
    losses
        .iter()
        .filter(|d| d.code == code && d.is_error())
        .count()
}

fn reload(text: &str) -> lxconf_parse::Loaded {
    let fs = MemoryFs::new();
    lxconf_parse::lxc::load(
        "written.conf",
        text,
        &LoadOptions {
            fs: &fs,
            base_dir: "/".into(),
            lxd_profiles: Vec::new(),
        },
    )
}

/// The `(key, value)` entries of a written config, as the line parser reads them.
fn entries(text: &str) -> Vec<(String, String)> {
    lxconf_parse::lxc::syntax::lines(text)
        .filter_map(|l| match l.kind {
            lxconf_parse::lxc::syntax::LineKind::Entry(e) => {
                Some((text[e.key].to_string(), text[e.value].to_string()))
            }
            _ => None,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn lxc_output_is_refused_or_reads_back_as_the_model(c in container()) {
        let doc = Document { container: c.clone(), ..Document::default() };
        let out = emit(&doc, &LxcOptions::default());
        if refusals(&out.losses, Code::C103) > 0 {
            return Ok(());
        }
        // Exactly the lines the writer meant: none added, split or changed.
        prop_assert_eq!(entries(&out.text), out.entries.clone(), "{}", out.text);
        let back = reload(&out.text);
        prop_assert!(!back.has_errors(), "{:?}\n{}", back.diagnostics, out.text);
        prop_assert_eq!(&back.document.container, &c, "\n{}", out.text);
    }

    #[test]
    fn lxc_output_refuses_only_what_lxc_cannot_carry(c in container()) {
        // The refusals are not a blanket "no": a model of plain words is always written.
        let plain = |s: &str| !s.is_empty() && s.chars().all(|ch| ch.is_ascii_alphanumeric() || "/._-".contains(ch));
        let i = &c.init;
        let m = &c.mounts[0];
        let all_plain = [
            c.hostname.as_deref().unwrap_or(""), &i.command[1], &i.env[0].name,
            i.env[0].value.as_deref().unwrap_or(""), i.cwd.as_deref().unwrap_or(""),
            &m.source, &m.target, &m.options[0], c.networks[0].link.as_deref().unwrap_or(""),
            &c.hooks.hooks[0].command, &c.sysctls[0].value, &c.autostart.groups[0],
            c.security.apparmor_profile.as_deref().unwrap_or(""),
        ].iter().all(|s| plain(s))
            && lxconf_model::values::proc_key_problem(&c.proc[0].key).is_none()
            && plain(&c.proc[0].key);
        let doc = Document { container: c, ..Document::default() };
        let out = emit(&doc, &LxcOptions::default());
        if all_plain {
            prop_assert_eq!(refusals(&out.losses, Code::C103), 0, "{:?}", out.losses);
        }
    }

    #[test]
    fn domain_xml_output_is_refused_or_well_formed_with_the_same_values(c in container()) {
        let mut c = c;
        c.name = Some("generated".into());
        c.proc.clear();
        let doc = Document { container: c.clone(), ..Document::default() };
        let options = lxconf_convert::from_native::FromNativeOptions {
            memory: Some(lxconf_model::ByteSize(lxconf_model::ByteSize::GIB)),
            ..Default::default()
        };
        let Ok((prepared, _)) = lxconf_convert::from_native::prepare(&doc, &options) else {
            return Ok(());
        };
        let out = lxconf_convert::libvirt_xml::emit(&prepared);
        if refusals(&out.losses, Code::C207) > 0 {
            return Ok(());
        }
        let back = lxconf_parse::domxml::load("written.xml", &out.xml);
        prop_assert!(
            !back.diagnostics.iter().any(|d| d.code == Code::X001),
            "{:?}\n{}", back.diagnostics, out.xml
        );
        let b = &back.document.container;
        prop_assert_eq!(&b.init.command, &c.init.command, "\n{}", out.xml);
        prop_assert_eq!(&b.mounts[0].source, &c.mounts[0].source, "\n{}", out.xml);
        // A link that is no interface name libvirt accepts is a reported loss of the interface.
        if !out.losses.iter().any(|d| d.covers("/networks/0")) {
            prop_assert_eq!(&b.networks[0].link, &c.networks[0].link, "\n{}", out.xml);
        }
        let env = |x: &Container, name: &str| x.init.env.iter().rev().find(|e| e.name == name).cloned();
        let name = &c.init.env[0].name;
        // libvirt takes names of letters, digits and `_` only (others are reported losses).
        let libvirt_name = name.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
            && name.starts_with(|ch: char| ch.is_ascii_alphabetic() || ch == '_');
        if libvirt_name && !lxconf_convert::libvirt_xml::LIBVIRT_ENV.contains(&name.as_str()) {
            prop_assert_eq!(env(b, name), env(&c, name), "\n{}", out.xml);
        }
    }
}

#[test]
fn the_reported_injection_is_refused_and_located() {
    let xml = "<domain type='lxc'>\n  <name>evil</name>\n  <memory unit='KiB'>65536</memory>\n  <os>\n    <type>exe</type>\n    <init>/bin/sh</init>\n    <initenv name='X'>1&#10;lxc.hook.pre-start = /tmp/evil.sh</initenv>\n  </os>\n</domain>\n";
    let loaded = lxconf_parse::domxml::load("evil.xml", xml);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let out = emit(&loaded.document, &LxcOptions::default());
    let refused: Vec<_> = out.losses.iter().filter(|d| d.code == Code::C103).collect();
    assert_eq!(refused.len(), 1, "{:?}", out.losses);
    let at = refused[0].primary.as_ref().expect("located");
    assert_eq!(loaded.sources.locate(at.origin).line, 7);
}
