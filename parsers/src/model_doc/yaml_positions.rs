//! Where each value of a YAML text is: serde_norway keeps no positions, so the text is read
//! a second time as an event stream with spans (saphyr-parser) and each node is recorded
//! under the JSON pointer of its value. Values themselves always come from serde_norway;
//! where the two parsers might disagree (exotic YAML), a value is found at its closest
//! recorded ancestor instead.

use lxconf_model::{Origin, Origins, SourceId};
use saphyr_parser::{Event, Parser, Span, Tag};

/// The byte range of every value of a YAML text's first document, by JSON pointer. Mapping
/// members are recorded from the key to the end of the value, so a report about a member
/// underlines `key: value`, as for JSON.
pub fn yaml_positions(text: &str, id: SourceId) -> Origins {
    let mut recorder = Recorder {
        bytes: ByteOffsets::new(text),
        id,
        origins: Origins::default(),
        open: Vec::new(),
        last_end: 0,
    };
    let mut parser = Parser::new_from_str(text);
    while let Some(Ok((event, span))) = parser.next_event() {
        if !recorder.event(event, span) {
            break;
        }
    }
    recorder.origins
}

/// saphyr counts characters; origins are byte ranges.
enum ByteOffsets {
    Ascii(usize),
    /// The byte offset of each character, then the text's length.
    Chars(Vec<usize>),
}

impl ByteOffsets {
    fn new(text: &str) -> Self {
        if text.is_ascii() {
            ByteOffsets::Ascii(text.len())
        } else {
            let mut offsets: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
            offsets.push(text.len());
            ByteOffsets::Chars(offsets)
        }
    }

    fn of(&self, char_index: usize) -> usize {
        match self {
            ByteOffsets::Ascii(len) => char_index.min(*len),
            ByteOffsets::Chars(offsets) => offsets
                .get(char_index)
                .or(offsets.last())
                .copied()
                .unwrap_or(0),
        }
    }
}

/// A mapping or sequence being read.
struct Open {
    /// Its pointer (with the variant's segment for a tagged collection).
    pointer: String,
    /// Where its origin starts (at the key, for a member).
    start: usize,
    /// Pointers that name the same node without the variant's segment.
    aliases: Vec<String>,
    kind: Kind,
}

enum Kind {
    /// A mapping: the next node is a key when `key` is `None`.
    Mapping { key: Option<(String, usize)> },
    /// A sequence: the index of its next element.
    Sequence { next: usize },
    /// A collection used as a mapping key: nothing under it has a pointer.
    Key,
}

struct Recorder {
    bytes: ByteOffsets,
    id: SourceId,
    origins: Origins,
    open: Vec<Open>,
    /// The end of the last node read: block collections end where their last node does.
    last_end: usize,
}

/// The pointer and origin start of the next node, or `None` when the node is a key.
enum Place {
    Value { pointer: String, start: usize },
    Key,
}

impl Recorder {
    /// Take one event; false once the first document is over.
    fn event(&mut self, event: Event<'_>, span: Span) -> bool {
        let start = self.bytes.of(span.start.index());
        let end = self.bytes.of(span.end.index());
        match event {
            Event::DocumentEnd | Event::StreamEnd => return false,
            Event::Scalar(value, _, _, tag) => {
                self.last_end = end;
                match self.place(start) {
                    Place::Key => self.key(value.into_owned(), start),
                    Place::Value { pointer, start } => {
                        let variant = variant(tag.as_deref());
                        self.record(&pointer, start, end);
                        if let Some(v) = variant {
                            self.record(&child(&pointer, &v), start, end);
                        }
                    }
                }
            }
            Event::Alias(_) => {
                self.last_end = end;
                match self.place(start) {
                    Place::Key => self.key(String::new(), start),
                    Place::Value { pointer, start } => self.record(&pointer, start, end),
                }
            }
            Event::MappingStart(_, tag) => {
                self.open(Kind::Mapping { key: None }, tag.as_deref(), start);
            }
            Event::SequenceStart(_, tag) => {
                self.open(Kind::Sequence { next: 0 }, tag.as_deref(), start);
            }
            Event::MappingEnd | Event::SequenceEnd => {
                // A flow collection's end event spans its bracket; a block collection's is
                // empty, at the next token.
                if end > start {
                    self.last_end = end;
                }
                if let Some(open) = self.open.pop() {
                    if matches!(open.kind, Kind::Key) {
                        self.key(String::new(), open.start);
                    } else {
                        let end = self.last_end.max(open.start);
                        self.record(&open.pointer, open.start, end);
                        for alias in &open.aliases {
                            self.record(alias, open.start, end);
                        }
                    }
                }
            }
            Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => {}
        }
        true
    }

    /// A mapping or sequence starts at `start`.
    fn open(&mut self, kind: Kind, tag: Option<&Tag>, start: usize) {
        let open = match self.place(start) {
            Place::Key => Open {
                pointer: String::new(),
                start,
                aliases: Vec::new(),
                kind: Kind::Key,
            },
            Place::Value { pointer, start } => match variant(tag) {
                Some(v) => Open {
                    pointer: child(&pointer, &v),
                    start,
                    aliases: vec![pointer],
                    kind,
                },
                None => Open {
                    pointer,
                    start,
                    aliases: Vec::new(),
                    kind,
                },
            },
        };
        self.open.push(open);
    }

    /// Where the next node goes, given the collection it is in.
    fn place(&mut self, start: usize) -> Place {
        let Some(parent) = self.open.last_mut() else {
            return Place::Value {
                pointer: String::new(),
                start,
            };
        };
        match &mut parent.kind {
            Kind::Mapping { key: None } | Kind::Key => Place::Key,
            Kind::Mapping { key } => {
                let (name, key_start) = key.take().unwrap_or_default();
                Place::Value {
                    pointer: child(&parent.pointer, &name),
                    start: key_start,
                }
            }
            Kind::Sequence { next } => {
                let pointer = child(&parent.pointer, &next.to_string());
                *next += 1;
                Place::Value { pointer, start }
            }
        }
    }

    /// A mapping key was read: the next node is its value.
    fn key(&mut self, name: String, start: usize) {
        if let Some(Open {
            kind: Kind::Mapping { key },
            ..
        }) = self.open.last_mut()
        {
            *key = Some((name, start));
        }
    }

    fn record(&mut self, pointer: &str, start: usize, end: usize) {
        self.origins.record(
            pointer.to_string(),
            Origin::new(self.id, start..end.max(start)),
        );
    }
}

/// `parent/segment`, the segment escaped as RFC 6901 requires.
fn child(parent: &str, segment: &str) -> String {
    lxconf_model::pointer::entry(parent, segment)
}

/// The enum variant a local tag names (`!address` → `address`); core tags (`!!str`) name
/// none.
fn variant(tag: Option<&Tag>) -> Option<String> {
    tag.filter(|t| t.handle == "!").map(|t| t.suffix.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slices(text: &str) -> impl Fn(&str) -> String + '_ {
        let o = yaml_positions(text, SourceId(0));
        move |p: &str| {
            let origin = o.get(p).unwrap_or_else(|| panic!("no origin for {p}"));
            text[origin.range()].to_string()
        }
    }

    #[test]
    fn block_values_have_positions() {
        let text = "name: web\ninit:\n  uid: 0\n  command: [sh, -c]\nmounts:\n- target: /srv\n  bind: true\n";
        let slice = slices(text);
        assert_eq!(slice("/name"), "name: web");
        assert_eq!(slice("/init/uid"), "uid: 0");
        assert_eq!(slice("/init/command/1"), "-c");
        assert_eq!(slice("/init/command"), "command: [sh, -c]");
        assert_eq!(slice("/init"), "init:\n  uid: 0\n  command: [sh, -c]");
        assert_eq!(slice("/mounts/0/bind"), "bind: true");
        assert_eq!(slice("/mounts/0"), "target: /srv\n  bind: true");
    }

    #[test]
    fn tagged_values_and_non_ascii_text() {
        let text = "hostname: \"é\"\ngw: !address 192.0.2.1\nx~/y: 1\n";
        let slice = slices(text);
        assert_eq!(slice("/hostname"), "hostname: \"é\"");
        assert_eq!(slice("/gw"), "gw: !address 192.0.2.1");
        assert_eq!(slice("/gw/address"), "gw: !address 192.0.2.1");
        assert_eq!(slice("/x~0~1y"), "x~/y: 1");
    }

    proptest::proptest! {
        /// Any text, YAML or not: positions are byte ranges inside it, never a panic.
        #[test]
        fn any_text_gives_ranges_inside_it(text in "[a-z: \\-\\[\\]{},!&*\"'#|>\n é]{0,80}") {
            let origins = yaml_positions(&text, SourceId(0));
            for (_, origin) in origins.iter() {
                proptest::prop_assert!(text.get(origin.range()).is_some());
            }
        }
    }
}
