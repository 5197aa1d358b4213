//! The derive's rules, one function each, named for what it requires (as serde's `check.rs`
//! is). `resolve` calls each where it applies; each says its error at the tokens that break it
//! and returns what resolution may go on with.

use proc_macro2::Span;
use syn::LitStr;

use crate::ast::{Data, Field};
use crate::attr::{FieldAttrs, Name};
use crate::case::{RULES, RenameRule};
use crate::ctxt::Ctxt;
use crate::keys;
use crate::resolve::{Entry, Key, key_span};
use crate::shared::{Hook, Hooks};

/// `bound = "…"` holds where-clause predicates.
pub fn bound(cx: &Ctxt, lit: &LitStr) -> Option<Vec<syn::WherePredicate>> {
    lit.parse_with(
        syn::punctuated::Punctuated::<syn::WherePredicate, syn::Token![,]>::parse_terminated,
    )
    .map(|p| p.into_iter().collect())
    .map_err(|e| {
        cx.error_at(
            lit.span(),
            format!("`bound` must hold where-clause predicates, as in \"T: Clone\": {e}"),
        );
    })
    .ok()
}

/// The struct's field marked `settings`: one at most, with no other attribute, and only on a
/// struct (an enum has no one configuration).
pub fn settings_field<'a>(cx: &Ctxt, data: &'a Data<'a>) -> Option<&'a Field<'a>> {
    let fields: Vec<&Field> = match data {
        Data::Struct(fields) => fields.iter().collect(),
        Data::Enum(variants) => {
            for field in variants.iter().flat_map(|v| &v.fields) {
                if let Some(flag) = field.attrs.settings {
                    cx.error_at(
                        flag.span,
                        "`settings` marks a struct's field: an enum's variants have no one \
                         configuration; hold the settings in a struct that derives \
                         `RunMetadata`, or implement `run_metadata::ComponentSettings` for the enum",
                    );
                }
            }
            return None;
        }
    };
    let mut found: Option<&Field> = None;
    for field in fields {
        let Some(flag) = field.attrs.settings else {
            continue;
        };
        for (name, span) in field.attrs.besides_settings() {
            cx.error_at(
                span,
                format!(
                    "`{}` conflicts with `settings`: the settings field holds the component's \
                     configured settings, which hooks read with `settings_of`; it reports no \
                     metadata itself",
                    name.as_str()
                ),
            );
        }
        match found {
            Some(first) => cx.error_at(
                flag.span,
                format!(
                    "a component has one settings type, and {} already holds it: put every \
                     setting in that type",
                    describe(first)
                ),
            ),
            None => found = Some(field),
        }
    }
    found
}

/// `rename_all` names one of the rules.
pub fn rename_all(cx: &Ctxt, lit: &LitStr) -> Option<RenameRule> {
    let rule = RenameRule::from_name(&lit.value());
    if rule.is_none() {
        let names: Vec<String> = RULES.iter().map(|(n, _)| format!("\"{n}\"")).collect();
        cx.error_at(
            lit.span(),
            format!(
                "unknown `rename_all` rule {:?}; expected one of {}",
                lit.value(),
                names.join(", ")
            ),
        );
    }
    rule
}

/// A `prefix` has no `:`. (Its other rules are the key's, checked on each key it makes.)
pub fn prefix(cx: &Ctxt, lit: &LitStr) {
    if lit.value().contains(':') {
        cx.error_at(
            lit.span(),
            format!(
                "prefix {:?} contains `:`, which ZenML does not accept in keys",
                lit.value()
            ),
        );
    }
}

/// A field's value is converted one way: every conversion after the first written is an error
/// at it.
pub fn one_conversion(cx: &Ctxt, attrs: &FieldAttrs) {
    let mut converts = attrs.converts.iter();
    let Some((_, first)) = converts.next() else {
        return;
    };
    for (flag, convert) in converts {
        cx.error_at(
            flag.span,
            format!(
                "`{}` conflicts with `{}`: a field's value is converted one way only",
                convert.name().as_str(),
                first.name().as_str()
            ),
        );
    }
}

/// A flattened field has no key of its own: `flatten` and `rename` do not go together (the
/// second written is the error).
pub fn flatten_without_rename(cx: &Ctxt, attrs: &FieldAttrs) {
    let (Some(flatten), Some((rename, _))) = (attrs.flatten(), &attrs.rename) else {
        return;
    };
    let (second, first_name, second_name) = if flatten.index < rename.index {
        (rename, Name::Flatten, Name::Rename)
    } else {
        (&flatten, Name::Rename, Name::Flatten)
    };
    cx.error_at(
        second.span,
        format!(
            "`{}` conflicts with `{}`: a flattened field has no key of its own; its \
             value's keys are used",
            second_name.as_str(),
            first_name.as_str()
        ),
    );
}

/// A tracked field reports to a hook: its own `pipeline`/`step`, or its type's default.
pub fn reported_by_no_hook(cx: &Ctxt, field: &Field, marker: Span) {
    cx.error_at(
        marker,
        format!(
            "{} is not reported by any hook: write `#[metadata(pipeline)]` or \
             `#[metadata(step)]` here, or put one of them on the type to make it the \
             default",
            describe(field),
        ),
    );
}

/// A tuple field's key is its `rename`: it has no name to take one from.
pub fn tuple_field_unnamed(cx: &Ctxt, marker: Span) {
    cx.error_at(
        marker,
        "a tuple field has no name to use as its key: add `rename = \"key\"`",
    );
}

/// A key known when the derive runs follows ZenML's rules (`run-metadata-keys`). Whether it
/// does.
pub fn key(cx: &Ctxt, field: &Field, key: &str) -> bool {
    match keys::problem(key) {
        Some(problem) => {
            cx.error_at(key_span(field), problem);
            false
        }
        None => true,
    }
}

/// A hook reports each key once (in a struct, or in one variant): `seen` holds the keys each
/// hook reports so far.
pub fn key_once_per_hook(cx: &Ctxt, entry: &Entry, seen: &mut Hooks<Vec<String>>) {
    let Some(Key::Literal(key)) = &entry.key else {
        return;
    };
    for hook in Hook::ALL {
        if !entry.reports_to(hook) {
            continue;
        }
        let seen = seen.get_mut(hook);
        if seen.contains(key) {
            cx.error_at(
                key_span(entry.field),
                format!(
                    "metadata key {key:?} is reported twice by the {} hook",
                    hook.name()
                ),
            );
        } else {
            seen.push(key.clone());
        }
    }
}

/// How messages name a field: "field `name`" (a raw identifier without its `r#`), else "this
/// field".
fn describe(field: &Field) -> String {
    match &field.original.ident {
        Some(ident) => format!("field `{}`", unraw(ident)),
        None => "this field".to_owned(),
    }
}

/// An identifier as a key or a message writes it: `r#type` is `type`.
pub fn unraw(ident: &syn::Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#")
        .map_or_else(|| s.clone(), str::to_owned)
}
