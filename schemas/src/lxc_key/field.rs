//! Typed accessors for keys that set one model field and have no grammar of their own.
//!
//! The LXC reader sets the field through [`Field`] and the LXC writer reads it back through
//! the same accessor, so a key of this kind is added by one line in the key table.

use crate::model::Container;

/// How a key's value maps to its model field.
#[derive(Clone, Copy)]
pub enum Field {
    /// `0`/`1` into a `bool`; an empty value sets `false`.
    Flag {
        /// Where the field is in the model.
        pointer: &'static str,
        /// Read the field.
        get: fn(&Container) -> bool,
        /// Write the field.
        set: fn(&mut Container, bool),
    },
    /// A count into a `u32`; an empty value sets 0, and 0 is not written.
    Count {
        /// Where the field is in the model.
        pointer: &'static str,
        /// Read the field.
        get: fn(&Container) -> u32,
        /// Write the field.
        set: fn(&mut Container, u32),
    },
    /// A path into an `Option<String>`, simplified as liblxc does (`//x/./y/` is `/x/y`);
    /// an empty value clears it.
    Path {
        /// Where the field is in the model.
        pointer: &'static str,
        /// Read the field.
        get: fn(&Container) -> Option<&str>,
        /// Write the field.
        set: fn(&mut Container, Option<String>),
    },
    /// A string taken as written into an `Option<String>`; an empty value clears it.
    Text {
        /// Where the field is in the model.
        pointer: &'static str,
        /// Read the field.
        get: fn(&Container) -> Option<&str>,
        /// Write the field.
        set: fn(&mut Container, Option<String>),
    },
}

impl Field {
    /// Where the field is in the model.
    pub fn pointer(&self) -> &'static str {
        match self {
            Field::Flag { pointer, .. }
            | Field::Count { pointer, .. }
            | Field::Path { pointer, .. }
            | Field::Text { pointer, .. } => pointer,
        }
    }

    /// The value to write for `c`, or `None` when the field has its default (nothing is
    /// written).
    pub fn value(&self, c: &Container) -> Option<String> {
        match self {
            Field::Flag { get, .. } => get(c).then(|| "1".to_string()),
            Field::Count { get, .. } => Some(get(c)).filter(|n| *n != 0).map(|n| n.to_string()),
            Field::Path { get, .. } | Field::Text { get, .. } => get(c).map(str::to_string),
        }
    }
}

impl std::fmt::Debug for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Field").field(&self.pointer()).finish()
    }
}

/// A [`Field::Flag`] for `c.<path>`.
macro_rules! flag {
    ($($field:ident).+, $pointer:ident) => {
        Field::Flag {
            pointer: crate::pointer::$pointer,
            get: |c| c.$($field).+,
            set: |c, v| c.$($field).+ = v,
        }
    };
}

/// A [`Field::Count`] for `c.<path>`.
macro_rules! count {
    ($($field:ident).+, $pointer:ident) => {
        Field::Count {
            pointer: crate::pointer::$pointer,
            get: |c| c.$($field).+,
            set: |c, v| c.$($field).+ = v,
        }
    };
}

/// A [`Field::Path`] for `c.<path>`.
macro_rules! file_path {
    ($($field:ident).+, $pointer:ident) => {
        Field::Path {
            pointer: crate::pointer::$pointer,
            get: |c| c.$($field).+.as_deref(),
            set: |c, v| c.$($field).+ = v,
        }
    };
}

/// A [`Field::Text`] for `c.<path>`.
macro_rules! text {
    ($($field:ident).+, $pointer:ident) => {
        Field::Text {
            pointer: crate::pointer::$pointer,
            get: |c| c.$($field).+.as_deref(),
            set: |c, v| c.$($field).+ = v,
        }
    };
}

pub(crate) use {count, file_path, flag, text};
