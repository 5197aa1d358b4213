//! Resolution: from the model to a plan of what each hook reports — which hook a field reports
//! to, what its key is, how its value is converted, what a type gives its fields by default.
//! Each rule that refuses something is a function of `check`, called here where it applies.

use proc_macro2::Span;
use quote::ToTokens;
use syn::LitStr;

use crate::ast::{Container, Data, Field};
use crate::attr::{Convert, Rename, TypeAttrs};
use crate::case::RenameRule;
use crate::check;
use crate::ctxt::Ctxt;
use crate::shared::{Hook, Hooks, option_inner};
use crate::special::Special;

pub struct Plan<'a> {
    pub krate: syn::Path,
    pub bound: Option<Vec<syn::WherePredicate>>,
    pub body: Body<'a>,
    /// `pipeline_with`, `step_with` of the type.
    pub with: Hooks<Option<&'a syn::Path>>,
    pub prepare_step_run: Option<&'a syn::Path>,
    pub cleanup_step_run: Option<&'a syn::Path>,
    /// The field marked `settings`: the component's configured settings.
    pub settings: Option<&'a Field<'a>>,
}

pub enum Body<'a> {
    Struct(Unit<'a>),
    Enum(Vec<(&'a syn::Ident, Unit<'a>)>),
}

/// A struct, or one variant of an enum.
pub struct Unit<'a> {
    pub entries: Vec<Entry<'a>>,
    /// Variant-level `pipeline_with`/`step_with` (a struct's are the plan's).
    pub with: Hooks<Option<&'a syn::Path>>,
}

pub struct Entry<'a> {
    pub field: &'a Field<'a>,
    /// The hooks it reports to.
    pub hooks: Hooks<bool>,
    /// The key; `None` for a flattened field.
    pub key: Option<Key<'a>>,
    pub conversion: Conversion<'a>,
    pub skip_if: Option<&'a syn::Path>,
}

/// A key: known when the derive runs, or a constant the compiler evaluates.
pub enum Key<'a> {
    Literal(String),
    Const(&'a syn::Path),
}

#[derive(Clone, Copy)]
pub enum Conversion<'a> {
    Plain,
    Special(Special),
    Display,
    With(&'a syn::Path),
    Flatten,
}

impl Entry<'_> {
    pub fn reports_to(&self, hook: Hook) -> bool {
        self.hooks[hook]
    }

    /// Whether the key may be absent: an `Option` field or a `skip_if`.
    pub fn optional(&self) -> bool {
        self.skip_if.is_some() || option_inner(self.field.ty).is_some()
    }
}

impl Unit<'_> {
    pub fn with(&self, hook: Hook) -> Option<&syn::Path> {
        self.with[hook]
    }
}

impl<'a> Plan<'a> {
    /// The struct, or each variant.
    pub fn units(&self) -> Vec<&Unit<'a>> {
        match &self.body {
            Body::Struct(unit) => vec![unit],
            Body::Enum(variants) => variants.iter().map(|(_, u)| u).collect(),
        }
    }

    pub fn with(&self, hook: Hook) -> Option<&syn::Path> {
        self.with[hook]
    }
}

/// Defaults a struct or variant gives its fields.
struct Defaults<'a> {
    /// The attributes that set these could not all be read.
    broken: bool,
    hooks: Hooks<bool>,
    rename_all: Option<RenameRule>,
    prefix: Option<&'a LitStr>,
}

pub fn resolve<'a>(cx: &Ctxt, container: &'a Container<'a>) -> Plan<'a> {
    let attrs = &container.attrs;
    let krate = attrs
        .krate
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(::run_metadata));
    let bound = attrs.bound.as_ref().and_then(|lit| check::bound(cx, lit));
    let settings = check::settings_field(cx, &container.data);
    let outer = defaults(cx, attrs, None);
    let body = match &container.data {
        Data::Struct(fields) => Body::Struct(unit(cx, fields, &outer, None)),
        Data::Enum(variants) => Body::Enum(
            variants
                .iter()
                .map(|v| {
                    let own = defaults(cx, &v.attrs, Some(&outer));
                    (v.ident, unit(cx, &v.fields, &own, Some(&v.attrs)))
                })
                .collect(),
        ),
    };
    Plan {
        krate,
        bound,
        body,
        with: attrs.with.as_ref().map(Option::as_ref),
        prepare_step_run: attrs.prepare_step_run.as_ref(),
        cleanup_step_run: attrs.cleanup_step_run.as_ref(),
        settings,
    }
}

fn defaults<'a>(cx: &Ctxt, attrs: &'a TypeAttrs, outer: Option<&Defaults<'a>>) -> Defaults<'a> {
    let rename_all = match &attrs.rename_all {
        Some(lit) => check::rename_all(cx, lit),
        None => outer.and_then(|o| o.rename_all),
    };
    let prefix = match &attrs.prefix {
        Some(lit) => {
            check::prefix(cx, lit);
            Some(lit)
        }
        None => outer.and_then(|o| o.prefix),
    };
    // A type naming a hook sets both; one naming none takes the enclosing type's.
    let hooks = if attrs.hooks.any() {
        attrs.hooks.map(|flag| flag.is_some())
    } else {
        outer.map_or_else(Hooks::default, |o| o.hooks)
    };
    Defaults {
        broken: attrs.marks.broken || outer.is_some_and(|o| o.broken),
        hooks,
        rename_all,
        prefix,
    }
}

fn unit<'a>(
    cx: &Ctxt,
    fields: &'a [Field<'a>],
    defaults: &Defaults<'a>,
    variant_attrs: Option<&'a TypeAttrs>,
) -> Unit<'a> {
    let mut entries: Vec<Entry<'a>> = Vec::new();
    // Keys already reported by each hook.
    let mut seen: Hooks<Vec<String>> = Hooks::default();
    for field in fields {
        let Some(marker) = field.attrs.marks.marker else {
            continue;
        };
        if field.attrs.settings.is_some() {
            // Not reported: see `settings_field`.
            continue;
        }
        let Some(entry) = entry(cx, field, marker, defaults) else {
            continue;
        };
        check::key_once_per_hook(cx, &entry, &mut seen);
        entries.push(entry);
    }
    Unit {
        entries,
        with: variant_attrs.map_or_else(Hooks::default, |a| a.with.as_ref().map(Option::as_ref)),
    }
}

/// Where errors about a field's key point: its `rename` value, else its name, else its type.
pub fn key_span(field: &Field) -> Span {
    match &field.attrs.rename {
        Some((_, Rename::Literal(lit))) => return lit.span(),
        Some((_, Rename::Const(path))) => return first_span(path),
        None => {}
    }
    field
        .original
        .ident
        .as_ref()
        .map_or_else(|| first_span(&field.original.ty), syn::Ident::span)
}

fn first_span<T: ToTokens>(tokens: &T) -> Span {
    tokens
        .to_token_stream()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span())
}

fn entry<'a>(
    cx: &Ctxt,
    field: &'a Field<'a>,
    marker: Span,
    defaults: &Defaults<'a>,
) -> Option<Entry<'a>> {
    let attrs = &field.attrs;

    // One conversion per field: the first one written.
    check::one_conversion(cx, attrs);
    let conversion = match attrs.converts.first() {
        None => Conversion::Plain,
        Some((_, Convert::Special(special))) => Conversion::Special(*special),
        Some((_, Convert::Display)) => Conversion::Display,
        Some((_, Convert::With(path))) => Conversion::With(path),
        Some((_, Convert::Flatten)) => Conversion::Flatten,
    };

    check::flatten_without_rename(cx, attrs);

    // `flatten` decides the hooks even where a conflicting conversion was reported instead.
    let flatten = attrs.flatten().is_some();
    let mut hooks = attrs.hooks.map(|flag| flag.is_some());
    if !hooks.any() {
        if flatten {
            hooks = Hooks::both(true);
        } else if defaults.hooks.any() {
            hooks = defaults.hooks;
        } else if defaults.broken || attrs.marks.broken {
            // The default hook may be in the attribute that could not be read.
            return None;
        } else {
            check::reported_by_no_hook(cx, field, marker);
            return None;
        }
    }

    let key = if matches!(conversion, Conversion::Flatten) {
        None
    } else {
        Some(key_of(cx, field, marker, defaults)?)
    };
    Some(Entry {
        field,
        hooks,
        key,
        conversion,
        skip_if: attrs.skip_if.as_ref(),
    })
}

fn key_of<'a>(
    cx: &Ctxt,
    field: &'a Field<'a>,
    marker: Span,
    defaults: &Defaults,
) -> Option<Key<'a>> {
    let base = if let Some((_, Rename::Literal(lit))) = &field.attrs.rename {
        lit.value()
    } else if let Some((_, Rename::Const(path))) = &field.attrs.rename {
        // A constant is the whole key, as ZenML's own constants are (`experiment_tracker_url`
        // beside a tracker's prefixed keys): the compiler checks it (see `expand`), and neither
        // `rename_all` nor `prefix` changes it.
        return Some(Key::Const(path));
    } else if let Some(ident) = &field.original.ident {
        let name = check::unraw(ident);
        defaults
            .rename_all
            .map_or(name.clone(), |rule| rule.apply(&name))
    } else {
        check::tuple_field_unnamed(cx, marker);
        return None;
    };
    let key = match defaults.prefix {
        // A prefix with `:` was reported once, at the prefix.
        Some(prefix) if prefix.value().contains(':') => return None,
        Some(prefix) => format!("{}{base}", prefix.value()),
        None => base,
    };
    check::key(cx, field, &key).then_some(Key::Literal(key))
}
