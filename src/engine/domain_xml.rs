//! A copy of a domain XML that runs the probe as the container's init: its `<init>` and
//! `<initarg>`s replaced by the probe's, and one more `<filesystem>` bound where the probe
//! writes what it sees. The copy is made event by event with quick-xml, so every other byte
//! of the domain (comments, namespaces, entity references, unknown elements) reaches
//! libvirt as written, and the values added are escaped by the writer: a hostile domain
//! cannot turn them into markup.

use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer};

/// Why a domain XML cannot be given the probe.
#[derive(Debug, thiserror::Error)]
pub enum InjectError {
    /// The text is not well-formed XML.
    #[error("the domain XML cannot be read: {0}")]
    Syntax(String),
    /// The root element is not `<domain>`.
    #[error("the root element is `<{0}>`, not `<domain>`")]
    NotADomain(String),
    /// The domain has no `<name>`, which `virsh destroy` needs.
    #[error("the domain has no <name>")]
    NoName,
}

/// What the probe needs from the domain: its init and where the probe's directory is bound.
#[derive(Debug, Clone)]
pub struct ProbeInit<'a> {
    /// The program run as init.
    pub init: &'a str,
    /// Its arguments.
    pub args: &'a [String],
    /// The host directory bound into the container.
    pub host_dir: &'a str,
    /// Where it is bound inside the container.
    pub mount_point: &'a str,
}

/// The copy of the domain, and what it replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeDomain {
    /// The domain XML to create.
    pub xml: String,
    /// The domain's name (`<name>`, unescaped).
    pub name: String,
    /// The domain's own init and its arguments, which the probe replaces (empty when it had
    /// none).
    pub replaced_init: Vec<String>,
}

/// The state of the copy: where the reader is, and what was replaced or added so far.
#[derive(Default)]
struct Copy {
    /// Element names from the root to the reader's position.
    path: Vec<String>,
    /// Depth at which a dropped `<init>`/`<initarg>` began.
    dropping: Option<usize>,
    replaced_init: Vec<String>,
    name: Option<String>,
    saw_os: bool,
    saw_devices: bool,
    filesystem_written: bool,
    /// The root element was closed: any other element is a second root.
    root_closed: bool,
}

impl Copy {
    fn at(&self, names: &[&str]) -> bool {
        self.path.len() == names.len() && self.path.iter().zip(names).all(|(a, b)| a == b)
    }

    /// Inside a dropped element: keep its text for the note, write nothing.
    fn drop_event(&mut self, event: &Event<'_>, depth: usize) -> Result<(), InjectError> {
        match event {
            Event::Start(_) => self.path.push(String::new()),
            Event::End(_) => {
                self.path.pop();
                if self.path.len() == depth {
                    self.dropping = None;
                }
            }
            Event::Text(t) if self.path.len() == depth + 1 => {
                if let Some(last) = self.replaced_init.last_mut() {
                    push_text(last, t);
                }
            }
            Event::CData(c) if self.path.len() == depth + 1 => {
                if let Some(last) = self.replaced_init.last_mut() {
                    last.push_str(&String::from_utf8_lossy(c));
                }
            }
            Event::Eof => return Err(InjectError::Syntax("unexpected end of the document".into())),
            _ => {}
        }
        Ok(())
    }

    /// The probe's filesystem, in the first `<devices>` only.
    fn filesystem(
        &mut self,
        w: &mut Writer<Vec<u8>>,
        probe: &ProbeInit<'_>,
    ) -> Result<(), InjectError> {
        if !self.filesystem_written {
            self.filesystem_written = true;
            write_filesystem(w, probe)?;
        }
        Ok(())
    }
}

fn out(w: &mut Writer<Vec<u8>>, e: Event<'_>) -> Result<(), InjectError> {
    w.write_event(e)
        .map_err(|e| InjectError::Syntax(e.to_string()))
}

/// Make the probe domain from `text`. Existing `<init>` and `<initarg>` elements of `<os>`
/// are dropped (their text is given back in `replaced_init`); the probe's are added at the
/// end of every `<os>` of the domain; the filesystem is added to the first `<devices>`
/// (created when the domain has none, as is `<os>`).
pub fn inject(text: &str, probe: &ProbeInit<'_>) -> Result<ProbeDomain, InjectError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut w = Writer::new(Vec::new());
    let mut c = Copy::default();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| InjectError::Syntax(e.to_string()))?;
        if let Some(depth) = c.dropping {
            c.drop_event(&event, depth)?;
            continue;
        }
        match event {
            Event::Eof => break,
            Event::Start(e) => {
                let element = qname(&e);
                check_root(&c, &element)?;
                if c.at(&["domain", "os"]) && is_init(&element) {
                    c.replaced_init.push(String::new());
                    c.dropping = Some(c.path.len());
                    c.path.push(element);
                    continue;
                }
                c.saw_os |= c.at(&["domain"]) && element == "os";
                c.saw_devices |= c.at(&["domain"]) && element == "devices";
                out(&mut w, Event::Start(e))?;
                c.path.push(element);
            }
            Event::Empty(e) => {
                let element = qname(&e);
                check_root(&c, &element)?;
                if c.at(&["domain", "os"]) && is_init(&element) {
                    c.replaced_init.push(String::new());
                    continue;
                }
                let (os, devices) = (
                    c.at(&["domain"]) && element == "os",
                    c.at(&["domain"]) && element == "devices",
                );
                if !os && !devices {
                    out(&mut w, Event::Empty(e))?;
                    continue;
                }
                // `<os/>`, `<devices/>`: opened, given the probe's part, closed.
                c.saw_os |= os;
                c.saw_devices |= devices;
                out(&mut w, Event::Start(e))?;
                if os {
                    write_init(&mut w, probe)?;
                } else {
                    c.filesystem(&mut w, probe)?;
                }
                out(&mut w, Event::End(BytesEnd::new(element)))?;
            }
            Event::End(e) => {
                if c.at(&["domain", "os"]) {
                    write_init(&mut w, probe)?;
                } else if c.at(&["domain", "devices"]) {
                    c.filesystem(&mut w, probe)?;
                } else if c.at(&["domain"]) {
                    close_domain(&mut c, &mut w, probe)?;
                }
                out(&mut w, Event::End(e))?;
                c.path.pop();
                c.root_closed = c.path.is_empty();
            }
            Event::Text(t) => {
                if c.at(&["domain", "name"]) {
                    push_text(c.name.get_or_insert_with(String::new), &t);
                }
                out(&mut w, Event::Text(t))?;
            }
            other => out(&mut w, other)?,
        }
    }
    if !c.path.is_empty() {
        return Err(InjectError::Syntax("an element is not closed".into()));
    }
    let name = c
        .name
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .ok_or(InjectError::NoName)?;
    let xml = String::from_utf8(w.into_inner()).map_err(|e| InjectError::Syntax(e.to_string()))?;
    Ok(ProbeDomain {
        xml,
        name,
        replaced_init: c.replaced_init,
    })
}

/// Before `</domain>`: an `<os>` and a `<devices>` for a domain that had none.
fn close_domain(
    c: &mut Copy,
    w: &mut Writer<Vec<u8>>,
    probe: &ProbeInit<'_>,
) -> Result<(), InjectError> {
    if !c.saw_os {
        out(w, Event::Start(BytesStart::new("os")))?;
        write_init(w, probe)?;
        out(w, Event::End(BytesEnd::new("os")))?;
    }
    if !c.saw_devices {
        out(w, Event::Start(BytesStart::new("devices")))?;
        c.filesystem(w, probe)?;
        out(w, Event::End(BytesEnd::new("devices")))?;
    }
    Ok(())
}

fn qname(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.name().as_ref()).into_owned()
}

fn is_init(element: &str) -> bool {
    element == "init" || element == "initarg"
}

fn check_root(c: &Copy, element: &str) -> Result<(), InjectError> {
    if c.root_closed {
        return Err(InjectError::Syntax(format!(
            "a second root element `<{element}>`"
        )));
    }
    if c.path.is_empty() && element != "domain" {
        return Err(InjectError::NotADomain(element.to_string()));
    }
    Ok(())
}

fn push_text(to: &mut String, t: &BytesText<'_>) {
    match t.unescape() {
        Ok(s) => to.push_str(&s),
        // An entity only libvirt's parser knows: shown as written.
        Err(_) => to.push_str(&String::from_utf8_lossy(t)),
    }
}

fn write_init(w: &mut Writer<Vec<u8>>, probe: &ProbeInit<'_>) -> Result<(), InjectError> {
    let syntax = |e: std::io::Error| InjectError::Syntax(e.to_string());
    w.create_element("init")
        .write_text_content(BytesText::new(probe.init))
        .map_err(syntax)?;
    for arg in probe.args {
        w.create_element("initarg")
            .write_text_content(BytesText::new(arg))
            .map_err(syntax)?;
    }
    Ok(())
}

fn write_filesystem(w: &mut Writer<Vec<u8>>, probe: &ProbeInit<'_>) -> Result<(), InjectError> {
    let syntax = |e: std::io::Error| InjectError::Syntax(e.to_string());
    w.create_element("filesystem")
        .with_attribute(("type", "mount"))
        .write_inner_content(|w| {
            w.create_element("source")
                .with_attribute(("dir", probe.host_dir))
                .write_empty()?;
            w.create_element("target")
                .with_attribute(("dir", probe.mount_point))
                .write_empty()?;
            Ok(())
        })
        .map_err(syntax)?;
    Ok(())
}

#[cfg(test)]
mod tests;
