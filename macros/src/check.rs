//! Checks and resolution: from the model to a plan of what each hook reports. Every rule about
//! which attributes go together, which hook a field reports to and what its key is lives here.

use proc_macro2::Span;
use quote::ToTokens;
use syn::{LitStr, Type};

use crate::ast::{Container, Data, Field};
use crate::attr::Attrs;
use crate::case::{RULES, RenameRule};
use crate::ctxt::Ctxt;
use crate::keys;

/// Attributes that say how a field's value is converted: a field has at most one.
const CONVERSIONS: &[&str] = &[
    "uri",
    "path",
    "dtype",
    "storage_size",
    "display",
    "with",
    "flatten",
];

/// Further pairs that cannot go together, with why.
const CONFLICTS: &[(&str, &str, &str)] = &[(
    "flatten",
    "rename",
    "a flattened field has no key of its own; its value's keys are used",
)];

pub struct Plan<'a> {
    pub krate: syn::Path,
    pub bound: Option<Vec<syn::WherePredicate>>,
    pub body: Body<'a>,
    pub pipeline_with: Option<&'a syn::Path>,
    pub step_with: Option<&'a syn::Path>,
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
    pub key: Option<String>,
    pub conversion: Conversion<'a>,
    pub skip_if: Option<&'a syn::Path>,
}

#[derive(Clone, Copy)]
pub enum Conversion<'a> {
    Plain,
    Special(Special),
    Display,
    With(&'a syn::Path),
    Flatten,
}

#[derive(Clone, Copy)]
pub enum Special {
    Uri,
    Path,
    DType,
    StorageSize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    Pipeline,
    Step,
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

impl Plan<'_> {
    pub fn with(&self, hook: Hook) -> Option<&syn::Path> {
        match hook {
            Hook::Pipeline => self.pipeline_with,
            Hook::Step => self.step_with,
        }
    }
}

/// `T` if `ty` is written `Option<T>` (also `std::option::Option<T>`, `core::option::Option<T>`).
pub fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let segments: Vec<_> = path.path.segments.iter().collect();
    let last = segments.last()?;
    let prefix_ok = match segments.len() {
        1 => true,
        3 => {
            matches!(segments[0].ident.to_string().as_str(), "std" | "core")
                && segments[1].ident == "option"
        }
        _ => false,
    };
    if !prefix_ok || last.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first() {
        Some(syn::GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
        _ => None,
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
        .path("crate")
        .cloned()
        .unwrap_or_else(|| syn::parse_quote!(::run_metadata));
    let bound = attrs.str("bound").and_then(|lit| {
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
        pipeline_with: attrs.path("pipeline_with"),
        step_with: attrs.path("step_with"),
    }
}

fn defaults<'a>(cx: &Ctxt, attrs: &'a Attrs, outer: Option<&Defaults<'a>>) -> Defaults<'a> {
    let rename_all = match attrs.str("rename_all") {
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
    let prefix = match attrs.str("prefix") {
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
    let (pipeline, step) = if attrs.has("pipeline") || attrs.has("step") {
        (attrs.has("pipeline"), attrs.has("step"))
    } else {
        outer.map_or((false, false), |o| (o.pipeline, o.step))
    };
    Defaults {
        broken: attrs.broken || outer.is_some_and(|o| o.broken),
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
    variant_attrs: Option<&'a Attrs>,
) -> Unit<'a> {
    let mut entries: Vec<Entry<'a>> = Vec::new();
    // Keys already reported by each hook, with where they came from.
    let mut pipeline_keys: Vec<String> = Vec::new();
    let mut step_keys: Vec<String> = Vec::new();
    for field in fields {
        let Some(marker) = field.attrs.marker else {
            continue;
        };
        let Some(entry) = entry(cx, field, marker, defaults) else {
            continue;
        };
        if let Some(key) = &entry.key {
            let span = key_span(field);
            for (reports, seen, hook) in [
                (entry.pipeline, &mut pipeline_keys, "pipeline"),
                (entry.step, &mut step_keys, "step"),
            ] {
                if !reports {
                    continue;
                }
                if seen.contains(key) {
                    cx.error_at(
                        span,
                        format!("metadata key {key:?} is reported twice by the {hook} hook"),
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
        pipeline_with: variant_attrs.and_then(|a| a.path("pipeline_with")),
        step_with: variant_attrs.and_then(|a| a.path("step_with")),
    }
}

/// Where errors about a field's key point: its `rename` value, else its name, else its type.
fn key_span(field: &Field) -> Span {
    if let Some(lit) = field.attrs.str("rename") {
        return lit.span();
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
    let items = attrs.items();
    let position = |name: &str| items.iter().position(|i| i.name == name);

    // One conversion per field: the first one written wins, each later one is an error at it.
    let mut conversion: Option<(&str, Conversion<'a>)> = None;
    for item in items.iter().filter(|i| CONVERSIONS.contains(&i.name)) {
        if let Some((first, _)) = conversion {
            cx.error_at(
                item.span,
                format!(
                    "`{}` conflicts with `{first}`: a field's value is converted one way only",
                    item.name
                ),
            );
            continue;
        }
        let c = match item.name {
            "uri" => Conversion::Special(Special::Uri),
            "path" => Conversion::Special(Special::Path),
            "dtype" => Conversion::Special(Special::DType),
            "storage_size" => Conversion::Special(Special::StorageSize),
            "display" => Conversion::Display,
            "with" => Conversion::With(attrs.path("with")?),
            _ => Conversion::Flatten,
        };
        conversion = Some((item.name, c));
    }
    let conversion = conversion.map_or(Conversion::Plain, |(_, c)| c);

    for (a, b, why) in CONFLICTS {
        if let (Some(ia), Some(ib)) = (position(a), position(b)) {
            let (first, second) = if ia < ib { (ia, ib) } else { (ib, ia) };
            cx.error_at(
                items[second].span,
                format!(
                    "`{}` conflicts with `{}`: {why}",
                    items[second].name, items[first].name
                ),
            );
        }
    }

    // `flatten` decides the hooks even where a conflicting conversion was reported instead.
    let flatten = attrs.has("flatten");
    let (mut pipeline, mut step) = (attrs.has("pipeline"), attrs.has("step"));
    if !pipeline && !step {
        if flatten {
            (pipeline, step) = (true, true);
        } else if defaults.pipeline || defaults.step {
            (pipeline, step) = (defaults.pipeline, defaults.step);
        } else if defaults.broken || attrs.broken {
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
        skip_if: attrs.path("skip_if"),
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

fn key_of(cx: &Ctxt, field: &Field, marker: Span, defaults: &Defaults) -> Option<String> {
    let base = if let Some(lit) = field.attrs.str("rename") {
        lit.value()
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
    Some(key)
}
