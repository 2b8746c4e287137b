//! The YAML of an instance or profile as a tree that keeps where each key and value is.
//!
//! LXD's client reads the file with yaml.v2 into `map[string]string` fields, which takes
//! any non-null scalar as its source text (`true` and `100` unquoted are the strings
//! "true" and "100") and a null as "". The tree keeps exactly that: each scalar's text as
//! the YAML parser hands it over, with its style, and its byte range. Aliases are resolved
//! by copying the anchored node, within a budget of nodes, so an alias bomb stops at
//! [`MAX_NODES`] instead of filling memory.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;
use std::ops::Range;

/// Most nodes (scalars, mappings, sequences, alias copies included) one file may hold. A
/// real instance has a few hundred.
pub const MAX_NODES: usize = 100_000;

/// One YAML node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A scalar: its text (`""` for a null), and whether it was a null.
    Scalar(Scalar),
    /// A mapping, members in file order.
    Map(Vec<(Scalar, Node)>, Range<usize>),
    /// A sequence.
    Seq(Vec<Node>, Range<usize>),
}

/// A scalar with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    /// The text yaml.v2 puts into a string field.
    pub text: String,
    /// A null (`~`, `null`, nothing): LXD reads "".
    pub null: bool,
    /// How it was written.
    pub style: Style,
    /// Its bytes in the file (for a block scalar, its content, from the first character).
    pub range: Range<usize>,
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Plain.
    Plain,
    /// Single or double quoted.
    Quoted,
    /// A literal block (`|`).
    Literal,
    /// A folded block (`>`).
    Folded,
}

impl Node {
    /// Its byte range.
    pub fn range(&self) -> Range<usize> {
        match self {
            Node::Scalar(s) => s.range.clone(),
            Node::Map(_, r) | Node::Seq(_, r) => r.clone(),
        }
    }

    /// The member `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<(&Scalar, &Node)> {
        match self {
            Node::Map(members, _) => members
                .iter()
                .rev()
                .find(|(k, _)| k.text == key)
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    fn size(&self) -> usize {
        match self {
            Node::Scalar(_) => 1,
            Node::Map(m, _) => 1 + m.iter().map(|(_, v)| 1 + v.size()).sum::<usize>(),
            Node::Seq(s, _) => 1 + s.iter().map(Node::size).sum::<usize>(),
        }
    }
}

/// Why the text is not a tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    /// Not YAML: the parser's message, at a byte offset.
    #[error("not valid YAML: {message}")]
    Syntax {
        /// The parser's words.
        message: String,
        /// Where.
        at: usize,
    },
    /// More than [`MAX_NODES`] nodes (counting alias copies).
    #[error("more than {MAX_NODES} YAML values (aliases counted as copies): not read further")]
    TooManyNodes {
        /// Where the budget ran out.
        at: usize,
    },
    /// No document at all.
    #[error("empty document")]
    Empty,
}

/// Parse the first document of `text`.
pub fn parse(text: &str) -> Result<Node, TreeError> {
    let bytes = ByteOffsets::new(text);
    let mut builder = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        budget: MAX_NODES,
        root: None,
    };
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| TreeError::Syntax {
            message: e.info().to_string(),
            at: bytes.of(e.marker().index()),
        })?;
        if !builder.event(event, span, &bytes)? {
            break;
        }
    }
    builder.root.ok_or(TreeError::Empty)
}

/// saphyr counts characters; ranges are bytes.
struct ByteOffsets(Option<Vec<usize>>, usize);

impl ByteOffsets {
    fn new(text: &str) -> Self {
        if text.is_ascii() {
            ByteOffsets(None, text.len())
        } else {
            let mut v: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
            v.push(text.len());
            ByteOffsets(Some(v), text.len())
        }
    }
    fn of(&self, char_index: usize) -> usize {
        match &self.0 {
            None => char_index.min(self.1),
            Some(v) => v.get(char_index).copied().unwrap_or(self.1),
        }
    }
}

enum Open {
    Map {
        members: Vec<(Scalar, Node)>,
        key: Option<Scalar>,
        start: usize,
        anchor: usize,
    },
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
    },
}

struct Builder {
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    budget: usize,
    root: Option<Node>,
}

impl Builder {
    fn spend(&mut self, n: usize, at: usize) -> Result<(), TreeError> {
        self.budget = self
            .budget
            .checked_sub(n)
            .ok_or(TreeError::TooManyNodes { at })?;
        Ok(())
    }

    /// Take one event; false once the first document is complete.
    fn event(
        &mut self,
        event: Event<'_>,
        span: Span,
        bytes: &ByteOffsets,
    ) -> Result<bool, TreeError> {
        let start = bytes.of(span.start.index());
        let end = bytes.of(span.end.index()).max(start);
        match event {
            Event::DocumentEnd | Event::StreamEnd => return Ok(false),
            Event::Scalar(value, style, anchor, _) => {
                self.spend(1, start)?;
                let null = style == ScalarStyle::Plain
                    && matches!(value.as_ref(), "" | "~" | "null" | "Null" | "NULL");
                let scalar = Scalar {
                    text: if null {
                        String::new()
                    } else {
                        value.into_owned()
                    },
                    null,
                    style: match style {
                        ScalarStyle::Plain => Style::Plain,
                        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Style::Quoted,
                        ScalarStyle::Literal => Style::Literal,
                        ScalarStyle::Folded => Style::Folded,
                    },
                    range: start..end,
                };
                return self.add(Node::Scalar(scalar), anchor);
            }
            Event::Alias(id) => {
                let node = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .unwrap_or(Node::Scalar(Scalar {
                        text: String::new(),
                        null: true,
                        style: Style::Plain,
                        range: start..end,
                    }));
                self.spend(node.size(), start)?;
                return self.add(node, 0);
            }
            Event::MappingStart(anchor, _) => {
                self.spend(1, start)?;
                self.stack.push(Open::Map {
                    members: Vec::new(),
                    key: None,
                    start,
                    anchor,
                });
            }
            Event::SequenceStart(anchor, _) => {
                self.spend(1, start)?;
                self.stack.push(Open::Seq {
                    items: Vec::new(),
                    start,
                    anchor,
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Open::Map {
                        members,
                        start,
                        anchor,
                        ..
                    }) => {
                        let end = members
                            .last()
                            .map_or(end, |(_, v)| v.range().end.max(start));
                        (Node::Map(members, start..end.max(start)), anchor)
                    }
                    Some(Open::Seq {
                        items,
                        start,
                        anchor,
                    }) => {
                        let end = items.last().map_or(end, |v| v.range().end.max(start));
                        (Node::Seq(items, start..end.max(start)), anchor)
                    }
                    None => return Ok(true),
                };
                return self.add(node, anchor);
            }
            Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => {}
        }
        Ok(true)
    }

    /// A complete node: into its parent (as a key or a value), or the root.
    fn add(&mut self, node: Node, anchor: usize) -> Result<bool, TreeError> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                return Ok(false);
            }
            Some(Open::Seq { items, .. }) => items.push(node),
            Some(Open::Map { members, key, .. }) => match key.take() {
                None => {
                    // A key; a collection used as a key is read as an empty scalar (yaml.v2
                    // refuses it for a string map, and LXD's fields all are).
                    let k = match node {
                        Node::Scalar(s) => s,
                        other => Scalar {
                            text: String::new(),
                            null: true,
                            style: Style::Plain,
                            range: other.range(),
                        },
                    };
                    *key = Some(k);
                }
                Some(k) => members.push((k, node)),
            },
        }
        Ok(true)
    }
}

/// The byte offset in the file of each line of a literal block scalar's value (`|`), so
/// that a `raw.lxc` line is located at its own line; `None` when the mapping is not exact
/// (another style, or text the block does not reproduce line by line).
pub fn literal_line_starts(file: &str, scalar: &Scalar) -> Option<Vec<usize>> {
    if scalar.style != Style::Literal {
        return None;
    }
    // The parser's span starts at the first content character, after the indentation.
    let first = scalar.range.start.min(file.len());
    let mut offset = file.get(..first)?.rfind('\n').map_or(0, |i| i + 1);
    let indent = first - offset;
    let lines: Vec<&str> = scalar.text.split('\n').collect();
    let mut starts = Vec::with_capacity(lines.len());
    for line in &lines {
        let yaml_line = file.get(offset..)?.split('\n').next()?;
        let at = if yaml_line.len() >= indent {
            offset + indent
        } else {
            offset + yaml_line.len()
        };
        if !file.get(at..)?.starts_with(line) {
            return None;
        }
        starts.push(at);
        offset += yaml_line.len() + 1;
        if offset > file.len() {
            break;
        }
    }
    (starts.len() == lines.len()).then_some(starts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_keep_their_source_text() {
        let text = "config:\n  a: true\n  b: 100\n  c: \"1.0\"\n  d: 1.0\n  e:\n  f: ~\n";
        let root = parse(text).expect("yaml");
        let (_, config) = root.get("config").expect("config");
        let Node::Map(members, _) = config else {
            panic!("map")
        };
        let texts: Vec<(&str, &str, bool)> = members
            .iter()
            .map(|(k, v)| match v {
                Node::Scalar(s) => (k.text.as_str(), s.text.as_str(), s.null),
                _ => panic!("scalar"),
            })
            .collect();
        assert_eq!(
            texts,
            [
                ("a", "true", false),
                ("b", "100", false),
                ("c", "1.0", false),
                ("d", "1.0", false),
                ("e", "", true),
                ("f", "", true)
            ]
        );
        let (k, _) = config.get("b").expect("b");
        assert_eq!(&text[k.range.clone()], "b");
    }

    #[test]
    fn literal_blocks_are_located_line_by_line() {
        let text = "config:\n  raw.lxc: |-\n    lxc.a = 1\n\n    lxc.b = 2\n";
        let root = parse(text).expect("yaml");
        let (_, config) = root.get("config").expect("config");
        let (_, Node::Scalar(raw)) = config.get("raw.lxc").expect("raw") else {
            panic!("scalar")
        };
        assert_eq!(raw.text, "lxc.a = 1\n\nlxc.b = 2");
        let starts = literal_line_starts(text, raw).expect("exact");
        assert_eq!(&text[starts[0]..starts[0] + 9], "lxc.a = 1");
        assert_eq!(&text[starts[2]..starts[2] + 9], "lxc.b = 2");
    }

    #[test]
    fn alias_bombs_stop_at_the_budget() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for c in 'b'..='k' {
            text.push_str(&format!("{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
            prev = c;
        }
        assert!(matches!(parse(&text), Err(TreeError::TooManyNodes { .. })));
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_a_tree_or_an_error(text in "[a-z: \\-\\[\\]{},!&*\"'#|>\n é]{0,80}") {
            let _ = parse(&text);
        }
    }
}
