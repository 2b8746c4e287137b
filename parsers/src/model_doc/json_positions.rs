//! Where each value of a JSON text is: serde_json keeps no positions.

use lxconf_model::{Origin, Origins, SourceId};

/// The byte range of every value of a JSON text, by JSON pointer. Object members are
/// recorded from the key's opening quote to the end of the value, so a report about a
/// member underlines `"key": value`.
pub fn json_positions(text: &str, id: SourceId) -> Origins {
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
        let o = json_positions(text, SourceId(0));
        let slice = |p: &str| {
            let o = o.get(p).expect(p);
            &text[o.range()]
        };
        assert_eq!(slice("/a"), "\"a\": 1");
        assert_eq!(slice("/b/0"), "true");
        assert_eq!(slice("/b/1/c~1d"), "\"c/d\": \"x\"");
        assert_eq!(slice(""), text);
    }
}
