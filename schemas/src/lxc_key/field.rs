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
            Field::Flag { pointer, .. } | Field::Text { pointer, .. } => pointer,
        }
    }

    /// The value to write for `c`, or `None` when the field has its default (nothing is
    /// written).
    pub fn value(&self, c: &Container) -> Option<String> {
        match self {
            Field::Flag { get, .. } => get(c).then(|| "1".to_string()),
            Field::Text { get, .. } => get(c).map(str::to_string),
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

pub(crate) use {flag, text};
