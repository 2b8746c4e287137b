//! Source files and byte spans.
//!
//! Spans are stored as byte offsets into a file registered in a [`SourceMap`]; line and column
//! are only computed when something is rendered, so parsing pays nothing for them.

use serde::Serialize;
use std::ops::Range;
use std::sync::Arc;

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SourceId(pub u32);

/// Where a value came from: a file and a byte range in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The file.
    pub source: SourceId,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Origin {
    /// An origin covering `range` in `source`.
    pub fn new(source: SourceId, range: Range<usize>) -> Self {
        Origin {
            source,
            start: range.start as u32,
            end: range.end as u32,
        }
    }

    /// The byte range.
    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    /// True for an empty range (a point).
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// One loaded file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name shown to users (the path as given, or `<stdin>`).
    pub name: String,
    /// The whole text.
    pub text: Arc<str>,
    line_starts: Vec<u32>,
    private: bool,
}

impl SourceFile {
    fn new(name: String, text: Arc<str>) -> Self {
        let mut line_starts = vec![0u32];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1));
        SourceFile {
            name,
            text,
            line_starts,
            private: false,
        }
    }

    /// True for a file that is not a container config (an included `/etc/shadow`): human
    /// output names locations in it but never prints its lines, since CI logs are public.
    pub fn is_private(&self) -> bool {
        self.private
    }

    /// Number of lines (a final line without `\n` counts).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line of a byte offset (past the end: the last line).
    pub fn line_of(&self, offset: usize) -> usize {
        match self
            .line_starts
            .binary_search(&(offset.min(self.text.len()) as u32))
        {
            Ok(l) => l,
            Err(l) => l - 1,
        }
    }

    /// The byte range of a 0-based line, without its `\n`.
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let start = self.line_starts[line] as usize;
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next as usize - 1);
        start..end
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&(offset as u32)) {
            Ok(l) => l,
            Err(l) => l - 1,
        };
        let start = self.line_starts[line] as usize;
        let col = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        (line + 1, col + 1)
    }
}

/// Every file read while loading one configuration (the file itself, its includes, fstab
/// files).
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Register a file and return its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<Arc<str>>) -> SourceId {
        let id = SourceId(self.files.len() as u32);
        self.files.push(SourceFile::new(name.into(), text.into()));
        id
    }

    /// Mark a file as not a container config: see [`SourceFile::is_private`].
    pub fn mark_private(&mut self, id: SourceId) {
        self.files[id.0 as usize].private = true;
    }

    /// The file with this id.
    pub fn get(&self, id: SourceId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// All files in load order.
    pub fn files(&self) -> impl Iterator<Item = (SourceId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (SourceId(i as u32), f))
    }

    /// The text an origin covers.
    pub fn slice(&self, origin: Origin) -> &str {
        self.get(origin.source)
            .text
            .get(origin.range())
            .unwrap_or("")
    }

    /// A user-facing location for an origin.
    pub fn locate(&self, origin: Origin) -> Location {
        let file = self.get(origin.source);
        let (line, column) = file.line_col(origin.start as usize);
        Location {
            file: file.name.clone(),
            line,
            column,
            start: origin.start,
            end: origin.end,
        }
    }
}

/// An origin resolved to file, line and column, for output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Location {
    /// File name as given by the user.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let mut map = SourceMap::new();
        let id = map.add("f", "ab\ncdé\nx");
        let loc = map.locate(Origin::new(id, 7..8));
        assert_eq!((loc.line, loc.column), (2, 4));
        let loc = map.locate(Origin::new(id, 0..1));
        assert_eq!((loc.line, loc.column), (1, 1));
        let loc = map.locate(Origin::new(id, 8..9));
        assert_eq!((loc.line, loc.column), (3, 1));
    }
}
