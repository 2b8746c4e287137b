//! lxconf-convert: emitters and conversions between formats (filled by the conversion work).
