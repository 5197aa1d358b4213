//! The one table of special conversions: each attribute that reports a field as one of ZenML's
//! special types, with the runtime trait that converts it and the tag it gives. Parsing,
//! checks, expansion, bounds and schemas all read it from here.

use proc_macro2::{Ident, Span};

/// A special conversion: `#[metadata(uri)]` and its kin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    Uri,
    Path,
    DType,
    StorageSize,
}

/// One row: the attribute, the trait in `run_metadata::__private` and its method, the tag.
struct Row {
    attr: &'static str,
    field_trait: &'static str,
    method: &'static str,
    tag: &'static str,
}

impl Special {
    const fn row(self) -> Row {
        match self {
            Special::Uri => Row {
                attr: "uri",
                field_trait: "UriField",
                method: "uri",
                tag: "Uri",
            },
            Special::Path => Row {
                attr: "path",
                field_trait: "PathField",
                method: "path",
                tag: "Path",
            },
            Special::DType => Row {
                attr: "dtype",
                field_trait: "DTypeField",
                method: "dtype",
                tag: "DType",
            },
            Special::StorageSize => Row {
                attr: "storage_size",
                field_trait: "StorageSizeField",
                method: "storage_size",
                tag: "StorageSize",
            },
        }
    }

    /// The attribute's name.
    pub const fn attr(self) -> &'static str {
        self.row().attr
    }

    /// The field trait in `run_metadata::__private`.
    pub fn field_trait(self) -> Ident {
        Ident::new(self.row().field_trait, Span::call_site())
    }

    /// The field trait's method.
    pub fn method(self) -> Ident {
        Ident::new(self.row().method, Span::call_site())
    }

    /// The `run_metadata::MetadataType` variant it reports.
    pub fn tag(self) -> Ident {
        Ident::new(self.row().tag, Span::call_site())
    }
}
