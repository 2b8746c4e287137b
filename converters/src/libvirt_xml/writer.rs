//! The XML writer: indentation, escaping (or refusing) every value, elements kept verbatim
//! from a domain XML source, and the loss report.

use crate::writable::{self, Unwritable};
use lxconf_model::{Code, Diagnostic, Document, Severity};
use std::fmt::Write;

pub(super) struct W<'a> {
    pub(super) doc: &'a Document,
    pub(super) out: String,
    pub(super) depth: usize,
    pub(super) losses: Vec<Diagnostic>,
    /// Indices into `unrecognized` written back verbatim (so not losses).
    pub(super) written: Vec<usize>,
    /// Values that could not be written: the element they were for, and why.
    pub(super) refused: Vec<(String, String, Unwritable)>,
}

impl<'a> W<'a> {
    pub(super) fn new(doc: &'a Document) -> Self {
        W {
            doc,
            out: String::new(),
            depth: 0,
            losses: Vec::new(),
            written: Vec::new(),
            refused: Vec::new(),
        }
    }
    pub(super) fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }
    /// The one place text reaches the XML: escaped, or refused (and left out) when XML
    /// cannot carry it.
    pub(super) fn escaped(
        &mut self,
        element: &str,
        value: &str,
        in_attribute: bool,
        minimal: bool,
    ) -> String {
        writable::xml_escape(value, in_attribute, minimal).unwrap_or_else(|why| {
            self.refused
                .push((element.to_string(), value.to_string(), why));
            String::new()
        })
    }
    pub(super) fn attrs(&mut self, element: &str, attrs: &[(&str, String)]) -> String {
        let mut out = String::new();
        for (k, v) in attrs {
            let v = self.escaped(element, v, true, false);
            let _ = write!(out, " {k}='{v}'");
        }
        out
    }
    pub(super) fn open(&mut self, name: &str, attrs: &[(&str, String)]) {
        self.indent();
        let a = self.attrs(name, attrs);
        let _ = writeln!(self.out, "<{name}{a}>");
        self.depth += 1;
    }
    pub(super) fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.indent();
        let _ = writeln!(self.out, "</{name}>");
    }
    pub(super) fn empty(&mut self, name: &str, attrs: &[(&str, String)]) {
        self.indent();
        let a = self.attrs(name, attrs);
        let _ = writeln!(self.out, "<{name}{a}/>");
    }
    /// Write an element kept verbatim, if it is one well-formed element named `name`.
    pub(super) fn fragment(&mut self, name: &str, raw: &str) {
        match writable::xml_fragment(raw, name) {
            Ok(()) => {
                self.indent();
                self.out.push_str(raw);
                self.out.push('\n');
            }
            Err(why) => self.refused.push((name.to_string(), raw.to_string(), why)),
        }
    }
    /// Write back the elements a domain XML source had under `key` (kept verbatim because
    /// the model does not type them), at the position libvirt prints them.
    pub(super) fn kept(&mut self, key: &str) -> bool {
        let found: Vec<(usize, String)> = self
            .doc
            .container
            .unrecognized
            .iter()
            .enumerate()
            .filter(|(_, u)| u.format == "domxml" && u.kept_by_reader.0)
            .filter(|(i, u)| u.key == key && !self.written.contains(i))
            .map(|(i, u)| (i, u.value.clone()))
            .collect();
        // `devices/serial[1]` holds a `<serial>` element.
        let name = key.rsplit('/').next().unwrap_or(key);
        let name = name.split('[').next().unwrap_or(name);
        for (i, raw) in &found {
            self.fragment(name, raw);
            self.written.push(*i);
        }
        !found.is_empty()
    }
    /// Write back every kept child of `parent` (`parent/NAME` keys), in source order.
    pub(super) fn kept_children(&mut self, parent: &str) {
        let keys: Vec<String> = self.kept_keys(parent);
        let mut done = Vec::new();
        for k in keys {
            if !done.contains(&k) {
                self.kept(&k);
                done.push(k);
            }
        }
    }
    pub(super) fn kept_keys_written(&self, key: &str) -> bool {
        self.written
            .iter()
            .any(|&i| self.doc.container.unrecognized[i].key == key)
    }
    pub(super) fn kept_keys(&self, parent: &str) -> Vec<String> {
        self.doc
            .container
            .unrecognized
            .iter()
            .filter(|u| u.format == "domxml" && u.kept_by_reader.0)
            .filter(|u| {
                u.key
                    .strip_prefix(parent)
                    .and_then(|r| r.strip_prefix('/'))
                    .is_some_and(|r| !r.contains('/') && !r.contains('['))
            })
            .map(|u| u.key.clone())
            .collect()
    }
    pub(super) fn raw_text(&mut self, name: &str, attrs: &[(&str, String)], text: &str) {
        self.indent();
        let a = self.attrs(name, attrs);
        let t = self.escaped(name, text, false, true);
        let _ = writeln!(self.out, "<{name}{a}>{t}</{name}>");
    }
    pub(super) fn text(&mut self, name: &str, attrs: &[(&str, String)], text: &str) {
        self.indent();
        let a = self.attrs(name, attrs);
        let t = self.escaped(name, text, false, false);
        let _ = writeln!(self.out, "<{name}{a}>{t}</{name}>");
    }
    pub(super) fn report(
        &mut self,
        code: Code,
        severity: Severity,
        pointer: &str,
        message: String,
        help: &str,
    ) {
        let mut d = Diagnostic::new(code, message)
            .severity(severity)
            .help(help.to_string());
        if let Some(o) = self.doc.origins.find(pointer) {
            d = d.at(o);
        }
        if !pointer.is_empty() {
            d = d.covering(pointer);
        }
        self.losses.push(d);
    }
    pub(super) fn loss(&mut self, pointer: &str, what: String, help: &str) {
        self.report(
            Code::C301,
            Severity::Warning,
            pointer,
            format!("{what} cannot be expressed in libvirt domain XML"),
            help,
        );
    }
    /// The last loss or note also covers the model field at `pointer` (a setting that
    /// means nothing without the one reported: the hook format without hooks).
    pub(super) fn also_covers(&mut self, pointer: &str) {
        if let Some(d) = self.losses.last_mut() {
            d.pointers.push(pointer.to_string());
        }
    }
    pub(super) fn note(&mut self, pointer: &str, message: String, help: &str) {
        self.report(Code::C302, Severity::Note, pointer, message, help);
    }
}
