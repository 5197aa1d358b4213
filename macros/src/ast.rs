//! The model: the derive input with its attributes read.

use syn::{DeriveInput, Ident, Member, Type};

use crate::attr::{self, FieldAttrs, Place, TypeAttrs};
use crate::ctxt::Ctxt;

pub struct Container<'a> {
    pub attrs: TypeAttrs,
    pub data: Data<'a>,
}

pub enum Data<'a> {
    Struct(Vec<Field<'a>>),
    Enum(Vec<Variant<'a>>),
}

pub struct Variant<'a> {
    pub ident: &'a Ident,
    pub attrs: TypeAttrs,
    pub fields: Vec<Field<'a>>,
}

pub struct Field<'a> {
    pub member: Member,
    pub ty: &'a Type,
    pub attrs: FieldAttrs,
    /// The field's name, or its index for a tuple field.
    pub original: &'a syn::Field,
}

impl<'a> Container<'a> {
    /// The model of `input`, or `None` for a union (reported to `cx`).
    pub fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        let attrs = attr::parse_type(cx, &input.attrs, Place::Container);
        for param in &input.generics.params {
            let attrs = match param {
                syn::GenericParam::Type(p) => &p.attrs,
                syn::GenericParam::Lifetime(p) => &p.attrs,
                syn::GenericParam::Const(p) => &p.attrs,
            };
            reject_metadata_attrs(cx, attrs, "a generic parameter");
        }
        let data = match &input.data {
            syn::Data::Struct(data) => Data::Struct(fields(cx, &data.fields)),
            syn::Data::Enum(data) => Data::Enum(
                data.variants
                    .iter()
                    .map(|v| Variant {
                        ident: &v.ident,
                        attrs: attr::parse_type(cx, &v.attrs, Place::Variant),
                        fields: fields(cx, &v.fields),
                    })
                    .collect(),
            ),
            syn::Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "`RunMetadata` cannot be derived for a union: which field is set is not known; \
                     implement `run_metadata::RunMetadata` by hand",
                );
                return None;
            }
        };
        Some(Container { attrs, data })
    }
}

fn fields<'a>(cx: &Ctxt, fields: &'a syn::Fields) -> Vec<Field<'a>> {
    fields
        .iter()
        .zip(fields.members())
        .map(|(field, member)| Field {
            member,
            ty: &field.ty,
            attrs: attr::parse_field(cx, &field.attrs),
            original: field,
        })
        .collect()
}

fn reject_metadata_attrs(cx: &Ctxt, attrs: &[syn::Attribute], place: &str) {
    for attr in attrs.iter().filter(|a| a.path().is_ident("metadata")) {
        cx.error_spanned_by(attr, format!("`#[metadata]` has no meaning on {place}"));
    }
}
