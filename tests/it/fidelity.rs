//! The per-setting fidelity property: every difference `equiv --static` classes as
//! unexpected between a model and its conversion read back is named by a diagnostic of the
//! conversion whose pointers cover it (equal, or a containing field). Checked both ways
//! (LXC → domain XML, domain XML → LXC) on every corpus file and on generated models.

use crate::generate::{container, richer_container};
use crate::support::*;
use lxconf_convert::from_native::{prepare, FromNativeOptions};
use lxconf_convert::lxc::LxcOptions;
use lxconf_model::equiv::{compare, Status};
use lxconf_model::{ByteSize, Container, Diagnostic, Document};
use lxconf_parse::fs::RealFs;
use lxconf_parse::LoadOptions;
use proptest::prelude::*;
use serde_json::Value;

/// The unexpected differences between `input` and `output` that no diagnostic covers.
fn uncovered(input: &Container, output: &Container, losses: &[Diagnostic]) -> Vec<String> {
    compare(input, output)
        .into_iter()
        .filter(|o| o.status == Status::Unexpected)
        .flat_map(|o| o.details)
        .filter(|d| d.reason.is_none())
        .flat_map(|d| leaves(&d.pointer, &d.left, &d.right))
        .filter(|(pointer, ..)| !losses.iter().any(|l| l.covers(pointer)))
        .map(|(pointer, left, right)| format!("{pointer}: {left} → {right}"))
        .collect()
}

/// A difference between two values, down to the scalars that differ: a hook list reported
/// whole (`/hooks`) is covered when each hook is (`/hooks/hooks/0`).
fn leaves(pointer: &str, left: &Value, right: &Value) -> Vec<(String, Value, Value)> {
    let empty = serde_json::Map::new();
    let object = |v: &Value| match v {
        Value::Object(o) => Some(o.clone()),
        Value::Null => Some(empty.clone()),
        _ => None,
    };
    let array = |v: &Value| match v {
        Value::Array(a) => Some(a.clone()),
        Value::Null => Some(Vec::new()),
        _ => None,
    };
    let child = |key: &str| format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
    match (left, right) {
        _ if left == right => Vec::new(),
        (Value::Object(_), _) | (_, Value::Object(_))
            if object(left).zip(object(right)).is_some() =>
        {
            let (l, r) = (
                object(left).unwrap_or_default(),
                object(right).unwrap_or_default(),
            );
            let keys: std::collections::BTreeSet<&String> = l.keys().chain(r.keys()).collect();
            keys.into_iter()
                .flat_map(|k| {
                    leaves(
                        &child(k),
                        l.get(k).unwrap_or(&Value::Null),
                        r.get(k).unwrap_or(&Value::Null),
                    )
                })
                .collect()
        }
        (Value::Array(_), _) | (_, Value::Array(_)) if array(left).zip(array(right)).is_some() => {
            let (l, r) = (
                array(left).unwrap_or_default(),
                array(right).unwrap_or_default(),
            );
            (0..l.len().max(r.len()))
                .flat_map(|i| {
                    leaves(
                        &child(&i.to_string()),
                        l.get(i).unwrap_or(&Value::Null),
                        r.get(i).unwrap_or(&Value::Null),
                    )
                })
                .collect()
        }
        _ => vec![(pointer.to_string(), left.clone(), right.clone())],
    }
}

/// The options of a reproducible conversion: a fixed memory size and host memory.
fn from_native_options() -> FromNativeOptions {
    FromNativeOptions {
        memory: Some(ByteSize(ByteSize::GIB)),
        host_memory: Some(ByteSize(8 * ByteSize::GIB)),
        ..Default::default()
    }
}

/// LXC model → domain XML → model: `Ok(uncovered differences)`, or `Err` when the
/// conversion refused the input with an error (nothing written, nothing to compare).
fn through_domain_xml(doc: &Document) -> Result<Vec<String>, String> {
    let mut options = from_native_options();
    let c = &doc.container;
    if c.hostname.is_none() && c.name.is_none() {
        // An include fragment: named as a user converting it would (`--name`).
        options.name = Some("fragment".into());
    }
    let (prepared, mut losses) = prepare(doc, &options).map_err(|errors| {
        let text: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
        text.join("; ")
    })?;
    let out = lxconf_convert::libvirt_xml::emit(&prepared);
    losses.extend(out.losses);
    if losses.iter().any(Diagnostic::is_error) {
        return Err(errors_of(&losses));
    }
    let back = lxconf_parse::domxml::load("converted.xml", &out.xml);
    if back.has_errors() {
        return Ok(vec![format!(
            "the domain XML written does not load: {}\n{}",
            errors_of(&back.diagnostics),
            out.xml
        )]);
    }
    let mut found = uncovered(&doc.container, &back.document.container, &losses);
    found.extend(unnamed(&losses));
    Ok(found)
}

/// An LXC config given as text, includes resolved from `/`.
fn load_text(name: &str, text: &str) -> lxconf_parse::Loaded {
    let options = LoadOptions {
        fs: &RealFs,
        base_dir: "/".into(),
        lxd_profiles: Vec::new(),
    };
    lxconf_parse::lxc::load(name, text, &options)
}

/// An LXC model converted to domain XML with every loss of the conversion.
fn domain_xml_of(doc: &Document) -> (String, Vec<Diagnostic>) {
    let (prepared, mut losses) = prepare(doc, &from_native_options()).expect("prepare");
    let out = lxconf_convert::libvirt_xml::emit(&prepared);
    losses.extend(out.losses);
    (out.xml, losses)
}

/// Losses that name no model field.
fn unnamed(losses: &[Diagnostic]) -> Vec<String> {
    losses
        .iter()
        .filter(|d| d.pointers.is_empty())
        .map(|d| format!("{} names no model field: {}", d.code.as_str(), d.message))
        .collect()
}

/// Domain XML model → LXC config → model, as [`through_domain_xml`].
pub fn through_lxc(doc: &Document) -> Result<Vec<String>, String> {
    let out = lxconf_convert::lxc::emit(doc, &LxcOptions::default());
    if out.losses.iter().any(Diagnostic::is_error) {
        return Err(errors_of(&out.losses));
    }
    let back = load_text("converted.conf", &out.text);
    if back.has_errors() {
        return Ok(vec![format!(
            "the LXC config written does not load: {}\n{}",
            errors_of(&back.diagnostics),
            out.text
        )]);
    }
    let mut found = uncovered(&doc.container, &back.document.container, &out.losses);
    found.extend(unnamed(&out.losses));
    Ok(found)
}

fn errors_of(diagnostics: &[Diagnostic]) -> String {
    let errors: Vec<&str> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.message.as_str())
        .collect();
    errors.join("; ")
}

/// Run `convert` on every loadable file and collect the uncovered differences per file.
fn check_corpus(
    files: &[(String, lxconf_parse::Loaded)],
    convert: fn(&Document) -> Result<Vec<String>, String>,
) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut failures = Vec::new();
    for (file, loaded) in files {
        if loaded.has_errors() {
            continue;
        }
        if let Ok(uncovered) = convert(&loaded.document) {
            checked += 1;
            if !uncovered.is_empty() {
                failures.push(format!("{file}:\n  {}", uncovered.join("\n  ")));
            }
        }
    }
    (checked, failures)
}

/// Every LXC config of the corpora: ours, the documentation examples and the real-world
/// configs (each loaded from its own directory, as liblxc would resolve its includes).
fn lxc_corpus() -> Vec<(String, lxconf_parse::Loaded)> {
    [
        "corpus/lxc",
        "corpus/examples/ubuntu-server",
        "corpus/examples/lxc-manpage",
        "corpus/distributions",
        "corpus/real-world",
    ]
    .into_iter()
    .flat_map(|dir| {
        let base = root().join(dir);
        corpus_files(dir, "conf").into_iter().map(move |f| {
            let loaded = load_lxc(&f, &base);
            (f, loaded)
        })
    })
    .collect()
}

/// Every domain of the corpora: ours and the documentation examples.
fn domxml_corpus() -> Vec<(String, lxconf_parse::Loaded)> {
    let files = ["corpus/domxml", "corpus/examples/libvirt-drvlxc"]
        .into_iter()
        .flat_map(|dir| corpus_files(dir, "xml"));
    files
        .map(|f| {
            let text = std::fs::read_to_string(root().join(&f)).expect("read corpus file");
            let loaded = lxconf_parse::domxml::load(&f, &text);
            (f, loaded)
        })
        .collect()
}

#[test]
fn every_lxc_corpus_difference_in_domain_xml_is_reported() {
    let (checked, failures) = check_corpus(&lxc_corpus(), through_domain_xml);
    assert!(checked >= 200, "only {checked} LXC configs converted");
    assert!(
        failures.is_empty(),
        "{} of {checked} configs changed meaning silently:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_domain_xml_corpus_difference_in_lxc_is_reported() {
    let (checked, failures) = check_corpus(&domxml_corpus(), through_lxc);
    assert!(checked >= 55, "only {checked} domains converted");
    assert!(
        failures.is_empty(),
        "{} of {checked} domains changed meaning silently:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn uncovered_differences_are_found() {
    // The property is not vacuous: a conversion that silently drops the hostname fails it.
    let input = Container {
        hostname: Some("web".into()),
        ..Container::default()
    };
    let output = Container::default();
    assert_eq!(uncovered(&input, &output, &[]).len(), 1);
    let loss = Diagnostic::new(lxconf_model::Code::C101, "hostname")
        .covering(lxconf_model::pointer::HOSTNAME);
    assert!(uncovered(&input, &output, &[loss]).is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn generated_lxc_models_keep_their_meaning_in_domain_xml_or_name_the_loss(c in richer_container()) {
        let mut c = c;
        c.name = Some("generated".into());
        let doc = Document { container: c, ..Document::default() };
        if let Ok(uncovered) = through_domain_xml(&doc) {
            prop_assert!(uncovered.is_empty(), "uncovered:\n{}", uncovered.join("\n"));
        }
    }

    #[test]
    fn generated_lxc_models_keep_their_meaning_in_lxd_or_name_the_loss(c in richer_container()) {
        let mut c = c;
        c.name = Some("generated".into());
        let doc = Document { container: c, ..Document::default() };
        if let Ok(uncovered) = through_lxd(&doc) {
            prop_assert!(uncovered.is_empty(), "uncovered:\n{}", uncovered.join("\n"));
        }
    }

    #[test]
    fn generated_domains_keep_their_meaning_in_lxc_or_name_the_loss(c in container()) {
        // A libvirt-side model: what the domain XML reader makes of the conversion.
        let mut c = c;
        c.name = Some("generated".into());
        let doc = Document { container: c, ..Document::default() };
        let Ok((prepared, _)) = prepare(&doc, &from_native_options()) else {
            return Ok(());
        };
        let xml = lxconf_convert::libvirt_xml::emit(&prepared).xml;
        let domain = lxconf_parse::domxml::load("generated.xml", &xml);
        prop_assert!(!domain.has_errors(), "{:?}\n{xml}", domain.diagnostics);
        if let Ok(uncovered) = through_lxc(&domain.document) {
            prop_assert!(uncovered.is_empty(), "uncovered:\n{}", uncovered.join("\n"));
        }
    }
}

/// Every loss names the model fields it covers, and every pointer names a value of the model (checked against its JSON
/// Schema), in both directions over the whole corpus.
#[test]
fn every_loss_pointer_names_a_model_value() {
    let mut bad = Vec::new();
    let mut seen = 0;
    let mut check = |file: &str, losses: &[Diagnostic]| {
        for d in losses {
            if d.pointers.is_empty() {
                bad.push(format!(
                    "{file}: {} names no model field: {}",
                    d.code.as_str(),
                    d.message
                ));
            }
            for p in &d.pointers {
                seen += 1;
                if !lxconf_model::pointer::names_model_value(p) {
                    bad.push(format!("{file}: {} names {p}", d.code.as_str()));
                }
            }
        }
    };
    for (file, loaded) in lxc_corpus() {
        if let Ok((prepared, mut losses)) = prepare(&loaded.document, &from_native_options()) {
            losses.extend(lxconf_convert::libvirt_xml::emit(&prepared).losses);
            check(&file, &losses);
        }
    }
    for (file, loaded) in domxml_corpus() {
        let out = lxconf_convert::lxc::emit(&loaded.document, &LxcOptions::default());
        check(&file, &out.losses);
    }
    assert!(seen > 100, "only {seen} pointers reported");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// `--format json` of each converting command gives each loss its pointers.
#[test]
fn json_reports_carry_loss_pointers() {
    let runs: [&[&str]; 3] = [
        &[
            "domxml-from-native",
            "lxc-tools",
            "--format",
            "json",
            "--include-base",
            "corpus/lxc",
            "corpus/lxc/web.conf",
        ],
        &[
            "domxml-to-native",
            "lxc-tools",
            "--format",
            "json",
            "corpus/domxml/hostdev-usb.xml",
        ],
        &[
            "convert",
            "--to",
            "domxml",
            "--format",
            "json",
            "--include-base",
            "corpus/lxc",
            "corpus/lxc/hooks.conf",
        ],
    ];
    for args in runs {
        let out = lxconf(args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let record: Value = serde_json::from_str(stdout.lines().next().unwrap_or_default())
            .unwrap_or_else(|e| panic!("{args:?}: {e}\n{stdout}"));
        let losses = record["losses"].as_array().cloned().unwrap_or_default();
        assert!(
            losses
                .iter()
                .any(|l| l["pointers"].as_array().is_some_and(|p| !p.is_empty())),
            "{args:?}: no loss names a pointer\n{stdout}"
        );
    }
}

/// `ADDRESS/PREFIX BROADCAST`, as the Gentoo wiki writes it: a broadcast libvirt cannot set
/// is a loss naming it; the default one (host bits all ones) is no loss.
#[test]
fn an_explicit_broadcast_is_reported_when_lost() {
    let load = |address: &str| {
        let text = format!("lxc.uts.name = gentoo\nlxc.net.0.type = veth\nlxc.net.0.link = br0\nlxc.net.0.flags = up\nlxc.net.0.ipv4.address = {address}\n");
        load_text("gentoo.conf", &text)
    };
    let broadcast = "/networks/0/ipv4/0/broadcast";
    let losses = |address: &str| {
        let loaded = load(address);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        let (_, losses) = domain_xml_of(&loaded.document);
        (loaded.document, losses)
    };
    let (doc, lost) = losses("10.0.3.5/24 10.0.3.127");
    assert!(lost.iter().any(|d| d.covers(broadcast)), "{lost:?}");
    assert_eq!(through_domain_xml(&doc), Ok(Vec::new()));
    let (_, kept) = losses("10.0.3.5/24 10.0.3.255");
    assert!(!kept.iter().any(|d| d.covers(broadcast)), "{kept:?}");
}

/// A bind of a device node stays a bind (`type='block'` would mount the filesystem on the
/// device), and a device libvirt's cgroup denies is named as lost.
#[test]
fn a_bound_device_node_stays_a_bind_and_its_access_is_reported() {
    let text = "lxc.uts.name = android\nlxc.rootfs.path = /var/lib/lxc/android/rootfs\nlxc.mount.entry = /dev/binder dev/binder none bind,create=file 0 0\nlxc.mount.entry = /dev/null dev/null2 none bind,create=file 0 0\n";
    let (xml, losses) = domain_xml_of(&load_text("android.conf", text).document);
    assert!(xml.contains("<source dir='/dev/binder'/>"), "{}", xml);
    assert!(!xml.contains("type='block'"), "{}", xml);
    let device_losses: Vec<_> = losses
        .iter()
        .filter(|d| d.message.contains("access to the device"))
        .collect();
    assert_eq!(device_losses.len(), 1, "{losses:?}");
    assert!(device_losses[0].covers("/mounts/0"));
}

/// A template placeholder where a host interface name belongs (`<bridge_auto>`, from a
/// real installer template) is a loss of that interface, and the domain stays valid.
#[test]
fn a_placeholder_interface_name_is_a_loss_and_the_domain_stays_valid() {
    let text = "lxc.uts.name = b\nlxc.net.0.type = veth\nlxc.net.0.link = <bridge_auto>\nlxc.net.1.type = veth\nlxc.net.1.link = br0\nlxc.net.1.name = eth 1\nlxc.net.2.type = phys\nlxc.net.2.link = {{dev}}\n";
    let (xml, losses) = domain_xml_of(&load_text("template.conf", text).document);
    for pointer in ["/networks/0", "/networks/1/name", "/networks/2"] {
        assert!(
            losses.iter().any(|d| d.covers(pointer)),
            "{pointer}: {losses:?}"
        );
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("template.xml");
    std::fs::write(&path, &xml).expect("write");
    let invalid = crate::realworld::schema_invalid(&[path]);
    assert!(invalid.is_empty(), "{invalid:?}\n{}", xml);
}

/// LXC model → LXD instance YAML → model (the LXD reader lowers what LXD hands liblxc, on
/// this host's cgroup v1 layout), as [`through_domain_xml`].
fn through_lxd(doc: &Document) -> Result<Vec<String>, String> {
    let options = lxconf_convert::lxd::LxdOptions {
        cgroup_v1: true,
        ..Default::default()
    };
    let out = lxconf_convert::lxd::emit(doc, &options);
    if out.losses.iter().any(Diagnostic::is_error) {
        return Err(errors_of(&out.losses));
    }
    let name = doc
        .container
        .name
        .clone()
        .unwrap_or_else(|| "converted".into());
    let fs = RealFs;
    let back = lxconf_parse::lxd::load(
        &format!("{name}.yaml"),
        &out.text,
        &LoadOptions::new(&fs, "/"),
    );
    if back.has_errors() {
        return Ok(vec![format!(
            "the instance YAML written does not load: {}\n{}",
            errors_of(&back.diagnostics),
            out.text
        )]);
    }
    // LXD mounts its disk devices in path order, before raw.lxc's entries: compared by
    // target (the writer keeps a mount whose order matters in raw.lxc).
    let input = doc.container.clone();
    let mut output = back.document.container.clone();
    let lost = |list: &'static str| {
        let losses = &out.losses;
        move |i: usize| {
            let at = lxconf_model::pointer::item(list, i).to_string();
            losses.iter().any(|d| d.pointers.contains(&at))
        }
    };
    use lxconf_model::pointer as p;
    output.mounts = aligned(
        &input.mounts,
        output.mounts,
        |m| m.target.clone(),
        lost(p::MOUNTS),
    );
    // What LXD adds and the input does not have (its optional binds, /dev/mqueue): the
    // writer names it in one C402 note; any other extra mount still counts.
    let matched = input.mounts.len().min(output.mounts.len());
    let extra: Vec<lxconf_model::Mount> = output.mounts.split_off(matched);
    output.mounts.extend(
        without_lxd_additions(&Container {
            mounts: extra,
            ..Container::default()
        })
        .mounts,
    );
    // LXD writes `limits.kernel.*` and `linux.sysctl.*` in key order; the order of
    // distinct keys means nothing.
    output.prlimits = aligned(
        &input.prlimits,
        output.prlimits,
        |l| l.resource.clone(),
        lost(p::PRLIMITS),
    );
    output.sysctls = aligned(
        &input.sysctls,
        output.sysctls,
        |s| s.key.clone(),
        lost(p::SYSCTLS),
    );
    // LXD numbers NICs by device name (the writer notes each renumbered index).
    output.networks = aligned(
        &input.networks,
        output.networks,
        |n| (n.kind, n.link.clone(), n.name.clone(), n.vlan_id),
        lost(p::NETWORKS),
    );
    let mut found = uncovered(&input, &output, &out.losses);
    // C402 "LXD adds its own settings to every container" is about LXD, not a setting.
    let settings: Vec<Diagnostic> = out
        .losses
        .iter()
        .filter(|d| d.code != lxconf_model::Code::C402)
        .cloned()
        .collect();
    found.extend(unnamed(&settings));
    Ok(found)
}

/// The model without the mounts LXD adds to every container and no instance can remove
/// (its optional binds and /dev/mqueue; the writer names them in one C402 note), on both
/// sides: an LXC config's own optional bind of the same host path is one LXD makes anyway.
/// Removed by name, so that any other difference still counts.
fn without_lxd_additions(c: &Container) -> Container {
    let added = |m: &lxconf_model::Mount| {
        let target = m.target.trim_start_matches('/');
        m.optional
            && (lxconf_model::lxd::additions::OPTIONAL_BINDS
                .iter()
                .any(|(path, _)| path.trim_start_matches('/') == target && m.source == *path)
                || (target == "dev/mqueue" && (m.fstype == "mqueue" || m.source == "/dev/mqueue")))
    };
    let mut c = c.clone();
    c.mounts.retain(|m| !added(m));
    c
}

/// `output` in the order of `input`, matched by `key` (for mounts the target: LXD mounts its disk devices in
/// path order, before raw.lxc's entries; the writer keeps a mount whose order matters in
/// raw.lxc); items of `output` no input item matches come last. Input indices, which
/// the losses name, are kept.
fn aligned<T: PartialEq + Clone, K: PartialEq>(
    input: &[T],
    output: Vec<T>,
    key: impl Fn(&T) -> K,
    lost: impl Fn(usize) -> bool,
) -> Vec<T> {
    // An equal item first (two mounts on one target: LXD's own bind and the config's
    // filesystem), then one with the same key.
    let mut left: Vec<Option<T>> = output.into_iter().map(Some).collect();
    let mut take = |pick: &dyn Fn(&T) -> bool| {
        let i = left.iter().position(|o| o.as_ref().is_some_and(pick))?;
        left[i].take()
    };
    let mut out: Vec<Option<T>> = input.iter().map(|m| take(&|o| o == m)).collect();
    for (slot, m) in out.iter_mut().zip(input) {
        if slot.is_none() {
            *slot = take(&|o| key(o) == key(m));
        }
    }
    // An input item nothing matches keeps its place: the next item left over fills it, or,
    // when a loss names the whole item (`lost`), the item itself (its difference is named
    // already, and the items after it keep their indices); the next leftover is then what
    // LXD made in its place.
    let mut rest = left.into_iter().flatten();
    let mut placed = Vec::new();
    for (i, slot) in out.into_iter().enumerate() {
        let filler = || {
            if lost(i) {
                // What LXD made instead (a new network namespace's loopback for a shared
                // one) is part of the named loss.
                rest.next();
                Some(input[i].clone())
            } else {
                rest.next()
            }
        };
        match slot.or_else(filler) {
            Some(item) => placed.push(item),
            None => break,
        }
    }
    placed.extend(rest);
    placed
}

#[test]
fn every_lxc_corpus_difference_in_lxd_is_reported() {
    let (checked, failures) = check_corpus(&lxc_corpus(), through_lxd);
    assert!(checked >= 200, "only {checked} LXC configs converted");
    assert!(
        failures.is_empty(),
        "{} of {checked} configs changed meaning silently:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
