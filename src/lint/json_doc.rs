//! Model documents (`lxconf show` output): JSON syntax, the JSON Schema, then the model.
//!
//! serde_json keeps no positions, so [`positions`] walks the text once and records the byte
//! range of every value under its JSON pointer, the same pointers the parsers record for
//! LXC configs. Schema errors are then mapped to source ranges through their instance path
//! (as taplo does), and model rules point at the value they are about.

use lxconf_model::{Code, Container, Diagnostic, Document, Origin, Origins, SourceId, SourceMap};
use lxconf_parse::Loaded;
use std::sync::OnceLock;

/// Load a model document: syntax (M001), schema (M002), then the model itself.
pub fn load(name: &str, text: &str) -> Loaded {
    if let Some(at) = lxconf_parse::limits::json_too_deep(text) {
        return lxconf_parse::too_deep(name, text, at);
    }
    let mut sources = SourceMap::new();
    let id = sources.add(name, text);
    let mut diagnostics = Vec::new();
    let mut document = Document::default();
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let start = offset_of(text, e.line(), e.column());
            let end = (start + 1).min(text.len()).max(start);
            diagnostics.push(
                Diagnostic::new(Code::M001, format!("not valid JSON: {e}"))
                    .at(Origin::new(id, start..end))
                    .help("a model document is the JSON that `lxconf show` prints"),
            );
            return Loaded {
                document,
                sources,
                diagnostics,
            };
        }
    };
    document.origins = positions(text, id);
    let mut schema_ok = true;
    match validator() {
        Ok(v) => {
            for error in v.iter_errors(&value) {
                schema_ok = false;
                let pointer = error.instance_path.to_string();
                let mut d = Diagnostic::new(Code::M002, format!("{error}"));
                if let Some(o) = document.origins.find(&pointer) {
                    d = d.at(o);
                }
                let at = if pointer.is_empty() { "/" } else { &pointer };
                diagnostics.push(d.help(format!(
                    "at `{at}` (schema: `{}`); `lxconf schema` prints the schema",
                    error.schema_path
                )));
            }
        }
        Err(e) => diagnostics.push(Diagnostic::new(
            Code::M002,
            format!("cannot compile the model schema: {e}"),
        )),
    }
    if schema_ok {
        match serde_json::from_value::<Container>(value) {
            Ok(c) => document.container = c,
            Err(e) => diagnostics.push(
                Diagnostic::new(Code::M002, format!("not a model document: {e}"))
                    .at(Origin::new(id, 0..0))
                    .help("the document matches the schema but not the model; this is a bug in lxconf's schema"),
            ),
        }
    }
    Loaded {
        document,
        sources,
        diagnostics,
    }
}

fn validator() -> Result<&'static jsonschema::Validator, String> {
    static VALIDATOR: OnceLock<Result<jsonschema::Validator, String>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            let schema: serde_json::Value =
                serde_json::from_str(&lxconf_model::json_schema()).map_err(|e| e.to_string())?;
            jsonschema::validator_for(&schema).map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Byte offset of a 1-based line and column (serde_json's error position).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return (offset + column.saturating_sub(1)).min(text.len());
        }
        offset += l.len();
    }
    text.len()
}

/// The byte range of every value of a JSON text, by JSON pointer. Object members are
/// recorded from the key's opening quote to the end of the value, so a report about a
/// member underlines `"key": value`.
pub fn positions(text: &str, id: SourceId) -> Origins {
    let mut walker = Walker {
        bytes: text.as_bytes(),
        pos: 0,
        id,
        origins: Origins::default(),
    };
    walker.value(&mut String::new(), None);
    walker.origins
}

struct Walker<'a> {
    bytes: &'a [u8],
    pos: usize,
    id: SourceId,
    origins: Origins,
}

impl Walker<'_> {
    fn ws(&mut self) {
        while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn string(&mut self) -> String {
        // At the opening quote.
        let start = self.pos + 1;
        self.pos += 1;
        while self.pos < self.bytes.len() {
            match self.bytes[self.pos] {
                b'\\' => self.pos += 2,
                b'"' => break,
                _ => self.pos += 1,
            }
        }
        let end = self.pos.min(self.bytes.len());
        self.pos += 1;
        let raw = std::str::from_utf8(&self.bytes[start..end]).unwrap_or("");
        serde_json::from_str::<String>(&format!("\"{raw}\"")).unwrap_or_else(|_| raw.to_string())
    }

    /// Walk one value; record it under `pointer`, starting at `member_start` when it is an
    /// object member.
    fn value(&mut self, pointer: &mut String, member_start: Option<usize>) {
        self.ws();
        let start = self.pos;
        match self.bytes.get(self.pos) {
            Some(b'{') => {
                self.pos += 1;
                loop {
                    self.ws();
                    match self.bytes.get(self.pos) {
                        Some(b'}') => {
                            self.pos += 1;
                            break;
                        }
                        Some(b',') => self.pos += 1,
                        Some(b'"') => {
                            let key_start = self.pos;
                            let key = self.string();
                            self.ws();
                            if self.bytes.get(self.pos) == Some(&b':') {
                                self.pos += 1;
                            }
                            let len = pointer.len();
                            pointer.push('/');
                            pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                            self.value(pointer, Some(key_start));
                            pointer.truncate(len);
                        }
                        _ => return,
                    }
                }
            }
            Some(b'[') => {
                self.pos += 1;
                let mut i = 0;
                loop {
                    self.ws();
                    match self.bytes.get(self.pos) {
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        Some(b',') => self.pos += 1,
                        Some(_) => {
                            let len = pointer.len();
                            pointer.push('/');
                            pointer.push_str(&i.to_string());
                            let before = self.pos;
                            self.value(pointer, None);
                            pointer.truncate(len);
                            i += 1;
                            if self.pos == before {
                                return;
                            }
                        }
                        None => return,
                    }
                }
            }
            Some(b'"') => {
                self.string();
            }
            Some(_) => {
                while self.pos < self.bytes.len()
                    && !matches!(self.bytes[self.pos], b',' | b'}' | b']')
                    && !self.bytes[self.pos].is_ascii_whitespace()
                {
                    self.pos += 1;
                }
            }
            None => return,
        }
        let from = member_start.unwrap_or(start);
        self.origins.record(
            pointer.clone(),
            Origin::new(self.id, from..self.pos.min(self.bytes.len())),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_has_a_position() {
        let text = "{\n  \"a\": 1,\n  \"b\": [true, {\"c/d\": \"x\"}]\n}";
        let o = positions(text, SourceId(0));
        let slice = |p: &str| {
            let o = o.get(p).expect(p);
            &text[o.range()]
        };
        assert_eq!(slice("/a"), "\"a\": 1");
        assert_eq!(slice("/b/0"), "true");
        assert_eq!(slice("/b/1/c~1d"), "\"c/d\": \"x\"");
        assert_eq!(slice(""), text);
    }

    #[test]
    fn schema_errors_point_at_the_value() {
        let loaded = load("m.json", "{\n  \"init\": {\"uid\": \"root\"}\n}\n");
        let d = &loaded.diagnostics[0];
        assert_eq!(d.code, Code::M002);
        let o = d.primary.as_ref().expect("located").origin;
        assert_eq!(loaded.sources.locate(o).line, 2);
    }
}
