//! Model → LXC config text (LXC 3.0+ keys, or 2.x keys with `legacy`).
//!
//! Only what differs from LXC's own defaults is written, so an LXC-derived model gives back
//! a config that loads into the same model. Whatever LXC cannot express is returned as a
//! coded loss diagnostic pointing at where the value came from.

use crate::fstab;
use crate::writable::{self, Unwritable};
use lxconf_model::lxc_key::{ExactKey as K, Family, Field, ROOTFS_BACKEND};
use lxconf_model::model::*;
use lxconf_model::values::{proc_key_problem, RESERVED_ID};
use lxconf_model::{pointer, Cap, Code, Diagnostic, Document, Namespace, Origin};
use std::fmt::Write;

mod identity;
mod mounts;
mod network;
mod other;
mod resources;

/// Emitter options.
#[derive(Debug, Clone, Default)]
pub struct LxcOptions {
    /// Write LXC 2.x key names (`lxc.utsname`, `lxc.network.*`, ...).
    pub legacy: bool,
    /// Write resource limits as cgroup v1 keys (`lxc.cgroup.*`) instead of cgroup v2.
    pub cgroup_v1: bool,
}

/// The emitted text and what could not be expressed.
#[derive(Debug, Clone)]
pub struct LxcOutput {
    /// The config text.
    pub text: String,
    /// Loss and note diagnostics.
    pub losses: Vec<Diagnostic>,
    /// Every `(key, value)` written, in order: reading `text` back line by line must give
    /// exactly these (no value can add, drop or change a line).
    pub entries: Vec<(String, String)>,
}

struct Emitter<'a> {
    doc: &'a Document,
    opts: &'a LxcOptions,
    out: String,
    losses: Vec<Diagnostic>,
    entries: Vec<(String, String)>,
}

fn gateway(g: &Gateway) -> String {
    match g {
        Gateway::Auto => "auto".into(),
        Gateway::Dev => "dev".into(),
        Gateway::Address(a) => a.to_string(),
    }
}

fn lower(s: impl std::fmt::Debug) -> String {
    format!("{s:?}").to_lowercase()
}

impl<'a> Emitter<'a> {
    /// Write a line whose value the emitter composed (numbers, keywords, lists of names).
    /// It is checked all the same: nothing reaches the file unchecked.
    fn line(&mut self, key: &str, value: impl std::fmt::Display) {
        self.put(None, key, &value.to_string());
    }

    /// Write a line whose value comes from the model field at `pointer`.
    fn text(&mut self, pointer: &str, key: &str, value: &str) {
        self.put(Some(pointer), key, value);
    }

    /// Write a whitespace-separated list of words (liblxc splits the value on whitespace,
    /// so a word with a blank, or an empty one, would change the list).
    fn words(&mut self, pointer: &str, key: &str, words: &[String]) {
        for (i, w) in words.iter().enumerate() {
            if let Err(why) = writable::word(w) {
                return self.refuse(Some(&format!("{pointer}/{i}")), key, why);
            }
        }
        self.text(pointer, key, &words.join(" "));
    }

    /// The one place a line is written: a key or value LXC's line format cannot carry is
    /// refused with an error, never written.
    fn put(&mut self, pointer: Option<&str>, key: &str, value: &str) {
        let checked = writable::lxc_key(key).and_then(|()| writable::lxc_value(value));
        match checked {
            Ok(v) => {
                let _ = writeln!(self.out, "{key} = {v}");
                self.entries.push((key.to_string(), value.to_string()));
            }
            Err(why) => self.refuse(pointer, key, why),
        }
    }

    /// Report a value that cannot be written (an error: the output is not used).
    fn refuse(&mut self, pointer: Option<&str>, key: &str, why: Unwritable) {
        let key = key.escape_debug();
        let d = Diagnostic::new(Code::C103, format!("`{key}` cannot be written: {why}")).help(
            "LXC reads its config line by line and has no escapes: fix the value at its source",
        );
        self.report(d, pointer.unwrap_or(""));
    }

    /// The name to write for `key`: its LXC 2.x name with `legacy`, when it had one.
    fn key(&self, key: K) -> &'static str {
        key.name_for(self.opts.legacy)
    }

    /// The line of a key the table maps to one model field, when the field is not at its
    /// default: (key, value, pointer of the value, or empty when the emitter composed it).
    fn field_line(&self, key: K) -> Option<(String, String, String)> {
        let field = key.field()?;
        let value = field.value(&self.doc.container)?;
        let pointer = match field {
            // Values the emitter composes from a number or a flag.
            Field::Flag { .. } | Field::Count { .. } => String::new(),
            Field::Path { pointer, .. } | Field::Text { pointer, .. } => pointer.to_string(),
        };
        Some((self.key(key).to_string(), value, pointer))
    }

    /// Write a key the table maps to one model field, when the field is not at its default.
    fn field(&mut self, key: K) {
        match self.field_line(key) {
            Some((k, v, pointer)) if pointer.is_empty() => self.line(&k, v),
            Some((k, v, pointer)) => self.text(&pointer, &k, &v),
            None => {}
        }
    }

    fn origin(&self, pointer: &str) -> Option<Origin> {
        self.doc.origins.find(pointer)
    }

    fn loss(&mut self, pointer: &str, what: String, why: &str) {
        let d = Diagnostic::new(
            Code::C101,
            format!("{what} cannot be expressed in an LXC config"),
        )
        .help(why.to_string());
        self.report(d, pointer);
    }

    fn note(&mut self, pointer: &str, message: String, help: &str) {
        let d = Diagnostic::new(Code::C102, message).help(help.to_string());
        self.report(d, pointer);
    }

    /// Record a finding about the model field at `pointer`: located at the line that set it
    /// and naming the field, so a reader of the report (or a test) can tell what it covers.
    fn report(&mut self, mut d: Diagnostic, pointer: &str) {
        if let Some(o) = self.origin(pointer) {
            d = d.at(o);
        }
        if !pointer.is_empty() {
            d = d.covering(pointer);
        }
        self.losses.push(d);
    }

    fn section(&mut self, title: &str) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        let _ = writeln!(self.out, "# {title}");
    }

    fn emit(&mut self) {
        let c = &self.doc.container;
        self.section("Identity");
        if let Some(h) = &c.hostname {
            let k = self.key(K::UtsName);
            self.text(pointer::HOSTNAME, k, h);
        }
        if let Some(a) = &c.arch {
            self.text(pointer::ARCH, K::Arch.name(), a);
        }
        if let Some(name) = &c.name {
            if c.hostname.as_deref() != Some(name) {
                self.note(
                    pointer::NAME,
                    format!("the container name `{name}` is not part of an LXC config"),
                    "LXC takes the name from the container's directory (/var/lib/lxc/NAME/config)",
                );
            }
        }
        // A uuid derived from the name (a domain without <uuid>) was never set.
        let derived =
            |u: &uuid::Uuid| c.name.as_deref().map(lxconf_model::values::uuid_for_name) == Some(*u);
        if let Some(uuid) = c.uuid.filter(|u| !derived(u)) {
            // libvirt's init environment carries it; written as such, init still sees it.
            let in_env = c.init.env.iter().any(|e| {
                e.name == "LIBVIRT_LXC_UUID" && e.value.as_deref() == Some(&uuid.to_string())
            });
            if in_env {
                self.note(
                    pointer::UUID,
                    format!("the uuid {uuid} is kept only in init's environment (LIBVIRT_LXC_UUID, container_uuid)"),
                    "LXC has no uuid key; the uuid is management metadata",
                );
            } else {
                self.loss(
                    pointer::UUID,
                    format!("uuid {uuid}"),
                    "LXC has no key for it",
                );
            }
        }
        for (pointer, what) in [
            (
                pointer::TITLE,
                c.title.as_ref().map(|t| format!("title `{t}`")),
            ),
            (
                pointer::DESCRIPTION,
                c.description
                    .as_ref()
                    .map(|_| "the description".to_string()),
            ),
        ] {
            if let Some(what) = what {
                self.loss(pointer, what, "LXC has no key for it");
            }
        }
        self.rootfs();
        self.init();
        self.mounts();
        self.dev_console();
        self.idmap();
        self.networks();
        self.capabilities();
        self.namespaces();
        self.resources();
        self.security();
        self.misc();
        self.unrecognized();
    }
}

fn self_legacy(o: &LxcOptions) -> bool {
    o.legacy
}

/// Write a model as an LXC config.
pub fn emit(doc: &Document, opts: &LxcOptions) -> LxcOutput {
    let mut e = Emitter {
        doc,
        opts,
        out: String::new(),
        losses: Vec::new(),
        entries: Vec::new(),
    };
    e.emit();
    // Sections without lines leave only their title: drop those.
    let mut text = String::new();
    let blocks: Vec<&str> = e.out.split("\n\n").collect();
    for b in blocks {
        if b.lines()
            .any(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(b.trim_end_matches('\n'));
            text.push('\n');
        }
    }
    LxcOutput {
        text,
        losses: e.losses,
        entries: e.entries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seccomp_policy_is_written_as_its_path_or_reported_lost() {
        let mut doc = Document::default();
        let s = &mut doc.container.security;
        s.seccomp_profile = Some("/p.seccomp".into());
        s.seccomp_policy = Some(lxconf_model::SeccompPolicy {
            version: 2,
            list: lxconf_model::SeccompList::Denylist,
            default_action: None,
            rules: Vec::new(),
        });
        let out = emit(&doc, &LxcOptions::default());
        assert!(
            out.text.contains("lxc.seccomp.profile = /p.seccomp"),
            "{}",
            out.text
        );
        assert!(
            !out.losses.iter().any(|l| l.code == Code::C101),
            "{:?}",
            out.losses
        );
        doc.container.security.seccomp_profile = None;
        let out = emit(&doc, &LxcOptions::default());
        assert!(!out.text.contains("seccomp"), "{}", out.text);
        assert!(out
            .losses
            .iter()
            .any(|l| l.code == Code::C101
                && l.covers(lxconf_model::pointer::SECURITY_SECCOMP_POLICY)));
    }

    #[test]
    fn a_relative_shmounts_path_is_not_written_twice() {
        // Found by the writers fuzz target: `shmounts:/run/:x` generates a mount on `/x`,
        // which was written again as an lxc.mount.entry.
        let mut doc = Document::default();
        let c = &mut doc.container;
        c.auto_mounts.shmounts = Some(Shmounts {
            host: "/run/".into(),
            container: "x".into(),
        });
        c.mounts.push(Mount {
            create: Some(CreateKind::Dir),
            ..Mount::new("/run/", "/x", "none")
        });
        let out = emit(&doc, &LxcOptions::default());
        assert!(!out.text.contains("lxc.mount.entry"), "{}", out.text);
    }

    #[test]
    fn a_model_without_container_lxc_gets_a_note() {
        // Found by the model fuzz target: LXC always sets container=lxc for init.
        let doc = Document::default();
        let out = emit(&doc, &LxcOptions::default());
        assert!(
            out.losses
                .iter()
                .any(|d| d.code == Code::C102 && d.message.contains("container=lxc")),
            "{:?}",
            out.losses
        );
        let mut lxc_like = Document::default();
        lxc_like.container.init.env.push(EnvVar {
            name: "container".into(),
            value: Some("lxc".into()),
        });
        assert!(emit(&lxc_like, &LxcOptions::default()).losses.is_empty());
    }
}
