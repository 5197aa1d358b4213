//! Checks and resolution: from the model to a plan of what each hook reports. Every rule about
//! which attributes go together, which hook a field reports to and what its key is lives here.

use proc_macro2::Span;
use quote::ToTokens;
use syn::LitStr;

use crate::ast::{Container, Data, Field};
use crate::attr::{Convert, Name, Rename, TypeAttrs};
use crate::case::{RULES, RenameRule};
use crate::ctxt::Ctxt;
use crate::keys;
use crate::shared::{Hook, option_inner};
use crate::special::Special;

pub struct Plan<'a> {
    pub krate: syn::Path,
    pub bound: Option<Vec<syn::WherePredicate>>,
    pub body: Body<'a>,
    pub pipeline_with: Option<&'a syn::Path>,
    pub step_with: Option<&'a syn::Path>,
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
    pub pipeline_with: Option<&'a syn::Path>,
    pub step_with: Option<&'a syn::Path>,
}

pub struct Entry<'a> {
    pub field: &'a Field<'a>,
    pub pipeline: bool,
    pub step: bool,
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
        match hook {
            Hook::Pipeline => self.pipeline,
            Hook::Step => self.step,
        }
    }

    /// Whether the key may be absent: an `Option` field or a `skip_if`.
    pub fn optional(&self) -> bool {
        self.skip_if.is_some() || option_inner(self.field.ty).is_some()
    }
}

impl Unit<'_> {
    pub fn with(&self, hook: Hook) -> Option<&syn::Path> {
        match hook {
            Hook::Pipeline => self.pipeline_with,
            Hook::Step => self.step_with,
        }
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
        match hook {
            Hook::Pipeline => self.pipeline_with,
            Hook::Step => self.step_with,
        }
    }
}

/// Defaults a struct or variant gives its fields.
struct Defaults<'a> {
    /// The attributes that set these could not all be read.
    broken: bool,
    pipeline: bool,
    step: bool,
    rename_all: Option<RenameRule>,
    prefix: Option<&'a LitStr>,
}

pub fn check<'a>(cx: &Ctxt, container: &'a Container<'a>) -> Plan<'a> {
    let attrs = &container.attrs;
    let krate = attrs
        .krate
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(::run_metadata));
    let bound = attrs.bound.as_ref().and_then(|lit| {
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
    });
    let settings = settings_field(cx, &container.data);
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
        pipeline_with: attrs.pipeline_with.as_ref(),
        step_with: attrs.step_with.as_ref(),
        prepare_step_run: attrs.prepare_step_run.as_ref(),
        cleanup_step_run: attrs.cleanup_step_run.as_ref(),
        settings,
    }
}

/// The struct's field marked `settings`: one at most, with no other attribute, and only on a
/// struct (an enum has no one configuration).
fn settings_field<'a>(cx: &Ctxt, data: &'a Data<'a>) -> Option<&'a Field<'a>> {
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

fn defaults<'a>(cx: &Ctxt, attrs: &'a TypeAttrs, outer: Option<&Defaults<'a>>) -> Defaults<'a> {
    let rename_all = match &attrs.rename_all {
        Some(lit) => {
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
        None => outer.and_then(|o| o.rename_all),
    };
    let prefix = match &attrs.prefix {
        Some(lit) => {
            if lit.value().contains(':') {
                cx.error_at(
                    lit.span(),
                    format!(
                        "prefix {:?} contains `:`, which ZenML does not accept in keys",
                        lit.value()
                    ),
                );
            }
            Some(lit)
        }
        None => outer.and_then(|o| o.prefix),
    };
    let (pipeline, step) = if attrs.names_a_hook() {
        (attrs.pipeline.is_some(), attrs.step.is_some())
    } else {
        outer.map_or((false, false), |o| (o.pipeline, o.step))
    };
    Defaults {
        broken: attrs.marks.broken || outer.is_some_and(|o| o.broken),
        pipeline,
        step,
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
    // Keys already reported by each hook, with where they came from.
    let mut pipeline_keys: Vec<String> = Vec::new();
    let mut step_keys: Vec<String> = Vec::new();
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
        if let Some(Key::Literal(key)) = &entry.key {
            let span = key_span(field);
            for (hook, seen) in [
                (Hook::Pipeline, &mut pipeline_keys),
                (Hook::Step, &mut step_keys),
            ] {
                if !entry.reports_to(hook) {
                    continue;
                }
                if seen.contains(key) {
                    cx.error_at(
                        span,
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
        entries.push(entry);
    }
    Unit {
        entries,
        pipeline_with: variant_attrs.and_then(|a| a.pipeline_with.as_ref()),
        step_with: variant_attrs.and_then(|a| a.step_with.as_ref()),
    }
}

/// Where errors about a field's key point: its `rename` value, else its name, else its type.
fn key_span(field: &Field) -> Span {
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

    // One conversion per field: the first one written wins, each later one is an error at it.
    let mut converts = attrs.converts.iter();
    let first = converts.next();
    for (flag, convert) in converts {
        if let Some((_, first)) = first {
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
    let conversion = match first {
        None => Conversion::Plain,
        Some((_, Convert::Special(special))) => Conversion::Special(*special),
        Some((_, Convert::Display)) => Conversion::Display,
        Some((_, Convert::With(path))) => Conversion::With(path),
        Some((_, Convert::Flatten)) => Conversion::Flatten,
    };

    // A flattened field has no key of its own: `rename` cannot go with it (the second written
    // is the error).
    if let (Some(flatten), Some((rename, _))) = (attrs.flatten(), &attrs.rename) {
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

    // `flatten` decides the hooks even where a conflicting conversion was reported instead.
    let flatten = attrs.flatten().is_some();
    let (mut pipeline, mut step) = (attrs.pipeline.is_some(), attrs.step.is_some());
    if !pipeline && !step {
        if flatten {
            (pipeline, step) = (true, true);
        } else if defaults.pipeline || defaults.step {
            (pipeline, step) = (defaults.pipeline, defaults.step);
        } else if defaults.broken || attrs.marks.broken {
            // The default hook may be in the attribute that could not be read.
            return None;
        } else {
            cx.error_at(
                marker,
                format!(
                    "{} is not reported by any hook: write `#[metadata(pipeline)]` or \
                     `#[metadata(step)]` here, or put one of them on the type to make it the \
                     default",
                    describe(field),
                ),
            );
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
        pipeline,
        step,
        key,
        conversion,
        skip_if: attrs.skip_if.as_ref(),
    })
}

fn describe(field: &Field) -> String {
    match &field.original.ident {
        Some(ident) => format!("field `{}`", ident.unraw()),
        None => "this field".to_owned(),
    }
}

trait Unraw {
    fn unraw(&self) -> String;
}

impl Unraw for syn::Ident {
    fn unraw(&self) -> String {
        let s = self.to_string();
        s.strip_prefix("r#")
            .map_or_else(|| s.clone(), str::to_owned)
    }
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
        let name = ident.unraw();
        defaults
            .rename_all
            .map_or(name.clone(), |rule| rule.apply(&name))
    } else {
        cx.error_at(
            marker,
            "a tuple field has no name to use as its key: add `rename = \"key\"`",
        );
        return None;
    };
    let key = match defaults.prefix {
        // A prefix with `:` was reported once, at the prefix.
        Some(prefix) if prefix.value().contains(':') => return None,
        Some(prefix) => format!("{}{base}", prefix.value()),
        None => base,
    };
    if let Some(problem) = keys::problem(&key) {
        cx.error_at(key_span(field), problem);
        return None;
    }
    Some(Key::Literal(key))
}
