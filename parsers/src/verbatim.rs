//! Entries kept verbatim that a model document carries (`unrecognized`), judged by the
//! readers themselves.
//!
//! Writers write an entry back as it is only when lxconf's reader of that format kept it
//! ([`KeptByReader`]): a document could otherwise hold any key or element (an
//! `lxc.hook.pre-start`, a `<filesystem>` exposing the host's `/`). An entry of a model
//! document earns that mark when the reader, given the entry in a minimal file of its
//! format, keeps exactly that entry verbatim and types nothing from it: then it is what
//! `lxconf show` printed for a real source, and writing it back changes nothing typed.

use crate::fs::MemoryFs;
use crate::LoadOptions;
use lxconf_model::model::{Container, KeptByReader, Unrecognized};

/// Mark the entries a reader would have kept itself; the others stay unwritable (reported
/// as losses by the writers).
pub fn mark_trusted(c: &mut Container) {
    for i in 0..c.unrecognized.len() {
        let u = &c.unrecognized[i];
        let trusted = match u.format.as_str() {
            "lxc" => lxc_keeps(u),
            "domxml" => domxml_keeps(u),
            _ => false,
        };
        c.unrecognized[i].kept_by_reader = KeptByReader(trusted);
    }
}

/// The typed part of a container (what a kept entry must not change).
fn typed(mut c: Container) -> Container {
    c.unrecognized.clear();
    c
}

fn lxc_load(text: &str) -> crate::Loaded {
    let fs = MemoryFs::new();
    let options = LoadOptions {
        fs: &fs,
        base_dir: "/".into(),
        lxd_profiles: Vec::new(),
    };
    crate::lxc::load("entry.conf", text, &options)
}

fn lxc_keeps(u: &Unrecognized) -> bool {
    if u.key.contains(['\n', '\r', '\0', '=']) || u.value.contains(['\n', '\r', '\0']) {
        return false;
    }
    let loaded = lxc_load(&format!("{} = {}\n", u.key, u.value));
    let kept = &loaded.document.container.unrecognized;
    kept.len() == 1
        && kept[0] == *u
        && !loaded.has_errors()
        && typed(loaded.document.container) == typed(lxc_load("").document.container)
}

/// Where a kept element of key `key` goes in a probe domain: (inside `<os>`, at the top
/// level, inside `<devices>`), each with a `{}` for the element.
fn probe_places(key: &str) -> Option<(&'static str, &'static str, &'static str)> {
    let (parent, rest) = key.split_once('/').unwrap_or(("", key));
    let wrapped = |w| Some(("", w, ""));
    match parent {
        "" => Some(("", "{}", "")),
        "os" => Some(("{}", "", "")),
        "features" => wrapped("<features>{}</features>"),
        "cputune" => wrapped("<cputune>{}</cputune>"),
        "memtune" => wrapped("<memtune>{}</memtune>"),
        "blkiotune" => wrapped("<blkiotune>{}</blkiotune>"),
        "devices" => match rest.split_once('/') {
            None => Some(("", "", "{}")),
            Some((p, _)) if p.starts_with("filesystem[") => Some((
                "",
                "",
                "<filesystem type='mount'><source dir='/p'/><target dir='/p'/>{}</filesystem>",
            )),
            Some((p, _)) if p.starts_with("interface[") => {
                Some(("", "", "<interface type='ethernet'>{}</interface>"))
            }
            Some(_) => None,
        },
        _ => None,
    }
}

fn probe(places: (&str, &str, &str), element: &str) -> String {
    let fill = |p: &str| p.replace("{}", element);
    format!(
        "<domain type='lxc'><name>p</name><memory unit='KiB'>65536</memory><os><type>exe</type><init>/bin/true</init>{}</os>{}<devices>{}</devices></domain>",
        fill(places.0),
        fill(places.1),
        fill(places.2)
    )
}

/// A key without its ordinals (`devices/interface[3]/x` → `devices/interface[]/x`).
fn without_ordinals(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut in_brackets = false;
    for c in key.chars() {
        match c {
            '[' => in_brackets = true,
            ']' => in_brackets = false,
            _ if in_brackets => continue,
            _ => {}
        }
        out.push(c);
    }
    out
}

fn domxml_keeps(u: &Unrecognized) -> bool {
    let Some(places) = probe_places(&u.key) else {
        return false;
    };
    let with = crate::domxml::load("entry.xml", &probe(places, &u.value));
    let without = crate::domxml::load("entry.xml", &probe(places, ""));
    let kept = &with.document.container.unrecognized;
    kept.len() == 1
        && without_ordinals(&kept[0].key) == without_ordinals(&u.key)
        && kept[0].value == u.value
        && !with.has_errors()
        && typed(with.document.container) == typed(without.document.container)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(format: &str, key: &str, value: &str) -> Unrecognized {
        Unrecognized {
            format: format.into(),
            key: key.into(),
            value: value.into(),
            reason: "not typed by the model".into(),
            kept_by_reader: KeptByReader(false),
        }
    }

    #[test]
    fn what_a_reader_keeps_is_trusted_and_nothing_else() {
        let mut c = Container {
            unrecognized: vec![
                entry("domxml", "clock", "<clock offset='localtime'/>"),
                entry(
                    "domxml",
                    "devices/interface[0]/bandwidth",
                    "<bandwidth><inbound average='1'/></bandwidth>",
                ),
                entry(
                    "domxml",
                    "devices/filesystem",
                    "<filesystem type='mount'><source dir='/'/><target dir='/host'/></filesystem>",
                ),
                entry("domxml", "os/init", "<init>/tmp/evil.sh</init>"),
                entry("domxml", "clock", "<clock offset='utc'/><init>/x</init>"),
                entry("lxc", "lxc.hook.pre-start", "/tmp/evil.sh"),
                entry("lxc", "lxc.init.uid", "4294967295"),
                entry("lxc", "lxc.include", "/etc/shadow"),
            ],
            ..Container::default()
        };
        mark_trusted(&mut c);
        let trusted: Vec<bool> = c.unrecognized.iter().map(|u| u.kept_by_reader.0).collect();
        assert_eq!(
            trusted,
            [true, true, false, false, false, false, false, false]
        );
    }
}
