//! `#[metadata(...)]`: one table of attributes, where each may stand and what value it takes.

use proc_macro2::{Span, TokenTree};
use syn::meta::ParseNestedMeta;
use syn::{Attribute, LitStr, Token};

use crate::ctxt::Ctxt;
use crate::shared::Hooks;
use crate::special::Special;

/// Where an attribute stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Container,
    Variant,
    Field,
}

/// What follows an attribute's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Takes {
    /// Nothing: `uri`.
    Flag,
    /// A string: `rename = "key"`.
    Str,
    /// A path, bare or in a string: `with = my::f`, `with = "my::f"`.
    Path,
    /// A key: a string, or the path of a `&str` constant: `rename = "key"`, `rename = KEY`.
    Key,
}

const C: Place = Place::Container;
const V: Place = Place::Variant;
const F: Place = Place::Field;

/// An attribute, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Name {
    Pipeline,
    Step,
    Rename,
    RenameAll,
    Prefix,
    Special(Special),
    Display,
    With,
    SkipIf,
    Flatten,
    PipelineWith,
    StepWith,
    PrepareStepRun,
    CleanupStepRun,
    Settings,
    Crate,
    Bound,
}

impl Name {
    /// The attribute as it is written.
    pub const fn as_str(self) -> &'static str {
        match self {
            Name::Pipeline => "pipeline",
            Name::Step => "step",
            Name::Rename => "rename",
            Name::RenameAll => "rename_all",
            Name::Prefix => "prefix",
            Name::Special(special) => special.attr(),
            Name::Display => "display",
            Name::With => "with",
            Name::SkipIf => "skip_if",
            Name::Flatten => "flatten",
            Name::PipelineWith => "pipeline_with",
            Name::StepWith => "step_with",
            Name::PrepareStepRun => "prepare_step_run",
            Name::CleanupStepRun => "cleanup_step_run",
            Name::Settings => "settings",
            Name::Crate => "crate",
            Name::Bound => "bound",
        }
    }
}

/// Every attribute: name, where it may stand, what it takes. The order is the one errors list
/// them in.
const TABLE: &[(Name, &[Place], Takes)] = &[
    (Name::Pipeline, &[C, V, F], Takes::Flag),
    (Name::Step, &[C, V, F], Takes::Flag),
    (Name::Rename, &[F], Takes::Key),
    (Name::RenameAll, &[C, V], Takes::Str),
    (Name::Prefix, &[C, V], Takes::Str),
    (Name::Special(Special::Uri), &[F], Takes::Flag),
    (Name::Special(Special::Path), &[F], Takes::Flag),
    (Name::Special(Special::DType), &[F], Takes::Flag),
    (Name::Special(Special::StorageSize), &[F], Takes::Flag),
    (Name::Display, &[F], Takes::Flag),
    (Name::With, &[F], Takes::Path),
    (Name::SkipIf, &[F], Takes::Path),
    (Name::Flatten, &[F], Takes::Flag),
    (Name::PipelineWith, &[C, V], Takes::Path),
    (Name::StepWith, &[C, V], Takes::Path),
    (Name::PrepareStepRun, &[C], Takes::Path),
    (Name::CleanupStepRun, &[C], Takes::Path),
    (Name::Settings, &[F], Takes::Flag),
    (Name::Crate, &[C], Takes::Path),
    (Name::Bound, &[C], Takes::Str),
];

/// One attribute as written.
struct Item {
    name: Name,
    /// The attribute's name token: errors about the attribute point here.
    span: Span,
    value: Value,
}

enum Value {
    Flag,
    Str(LitStr),
    Path(syn::Path),
}

impl Value {
    /// The string, for a name whose row takes one (checked when parsed).
    fn into_str(self) -> Option<LitStr> {
        match self {
            Value::Str(s) => Some(s),
            Value::Flag | Value::Path(_) => None,
        }
    }

    /// The path, for a name whose row takes one (checked when parsed).
    fn into_path(self) -> Option<syn::Path> {
        match self {
            Value::Path(p) => Some(p),
            Value::Flag | Value::Str(_) => None,
        }
    }
}

/// A flag's place: where it is written, and its position among the attributes written.
#[derive(Clone, Copy)]
pub struct Flag {
    pub span: Span,
    pub index: usize,
}

/// A field's key as `rename` gives it.
pub enum Rename {
    /// `rename = "key"`: checked when the derive runs.
    Literal(LitStr),
    /// `rename = path::TO::CONSTANT`: checked by the compiler's const evaluation.
    Const(syn::Path),
}

/// How a field's value is converted, as an attribute says.
#[derive(Clone)]
pub enum Convert {
    Special(Special),
    Display,
    With(syn::Path),
    Flatten,
}

impl Convert {
    /// The attribute it is written as.
    pub fn name(&self) -> Name {
        match self {
            Convert::Special(special) => Name::Special(*special),
            Convert::Display => Name::Display,
            Convert::With(_) => Name::With,
            Convert::Flatten => Name::Flatten,
        }
    }
}

/// Whether `#[metadata]` was written, and whether all of it could be read.
#[derive(Default)]
pub struct Marks {
    /// The first `#[metadata]` attribute's `metadata`, if there is one: a field is tracked iff so.
    pub marker: Option<Span>,
    /// Whether an attribute here could not be read: what it meant is unknown, so checks that
    /// depend on it stay silent rather than add guesses to the real error.
    pub broken: bool,
}

/// The attributes of a struct, an enum or a variant.
#[derive(Default)]
pub struct TypeAttrs {
    pub marks: Marks,
    /// `pipeline`, `step`: the hooks its fields report to by default.
    pub hooks: Hooks<Option<Flag>>,
    pub rename_all: Option<LitStr>,
    pub prefix: Option<LitStr>,
    /// `pipeline_with`, `step_with`.
    pub with: Hooks<Option<syn::Path>>,
    pub prepare_step_run: Option<syn::Path>,
    pub cleanup_step_run: Option<syn::Path>,
    pub krate: Option<syn::Path>,
    pub bound: Option<LitStr>,
}

/// The attributes of a field.
#[derive(Default)]
pub struct FieldAttrs {
    pub marks: Marks,
    /// `pipeline`, `step`.
    pub hooks: Hooks<Option<Flag>>,
    pub rename: Option<(Flag, Rename)>,
    /// Every conversion written, in order: the first one counts, the others are errors.
    pub converts: Vec<(Flag, Convert)>,
    pub skip_if: Option<syn::Path>,
    /// `settings`: the field holds the component's configured settings.
    pub settings: Option<Flag>,
    /// Every attribute written, in order, at its name.
    pub written: Vec<(Name, Span)>,
}

impl FieldAttrs {
    /// Every attribute written besides `settings`, by name, at its name.
    pub fn besides_settings(&self) -> impl Iterator<Item = (Name, Span)> + '_ {
        self.written
            .iter()
            .copied()
            .filter(|(name, _)| *name != Name::Settings)
    }

    /// Whether `flatten` is written.
    pub fn flatten(&self) -> Option<Flag> {
        self.converts
            .iter()
            .find(|(_, c)| matches!(c, Convert::Flatten))
            .map(|(flag, _)| *flag)
    }
}

impl Items {
    /// The marks, and each item with its place among those written.
    fn flagged(self) -> (Marks, impl Iterator<Item = (Flag, Name, Value)>) {
        let items = self.items.into_iter().enumerate().map(|(index, item)| {
            let flag = Flag {
                span: item.span,
                index,
            };
            (flag, item.name, item.value)
        });
        (self.marks, items)
    }

    /// Reads the items as a struct's, an enum's or a variant's.
    fn into_type(self) -> TypeAttrs {
        let (marks, items) = self.flagged();
        let mut out = TypeAttrs {
            marks,
            ..TypeAttrs::default()
        };
        // Every name has its arm: a row added to the table without one does not compile.
        // Placement and values were checked against the table when parsed.
        for (flag, name, value) in items {
            match name {
                Name::Pipeline => out.hooks.pipeline = Some(flag),
                Name::Step => out.hooks.step = Some(flag),
                Name::RenameAll => out.rename_all = value.into_str(),
                Name::Prefix => out.prefix = value.into_str(),
                Name::PipelineWith => out.with.pipeline = value.into_path(),
                Name::StepWith => out.with.step = value.into_path(),
                Name::PrepareStepRun => out.prepare_step_run = value.into_path(),
                Name::CleanupStepRun => out.cleanup_step_run = value.into_path(),
                Name::Crate => out.krate = value.into_path(),
                Name::Bound => out.bound = value.into_str(),
                // A field's only: refused here when parsed.
                Name::Rename
                | Name::Special(_)
                | Name::Display
                | Name::With
                | Name::SkipIf
                | Name::Flatten
                | Name::Settings => {}
            }
        }
        out
    }

    /// Reads the items as a field's.
    fn into_field(self) -> FieldAttrs {
        let (marks, items) = self.flagged();
        let mut out = FieldAttrs {
            marks,
            ..FieldAttrs::default()
        };
        for (flag, name, value) in items {
            out.written.push((name, flag.span));
            // Every name has its arm, as for a type's.
            match name {
                Name::Pipeline => out.hooks.pipeline = Some(flag),
                Name::Step => out.hooks.step = Some(flag),
                Name::Rename => {
                    out.rename = match value {
                        Value::Str(s) => Some((flag, Rename::Literal(s))),
                        Value::Path(p) => Some((flag, Rename::Const(p))),
                        Value::Flag => None,
                    }
                }
                Name::Special(special) => out.converts.push((flag, Convert::Special(special))),
                Name::Display => out.converts.push((flag, Convert::Display)),
                Name::With => {
                    if let Some(p) = value.into_path() {
                        out.converts.push((flag, Convert::With(p)));
                    }
                }
                Name::Flatten => out.converts.push((flag, Convert::Flatten)),
                Name::SkipIf => out.skip_if = value.into_path(),
                Name::Settings => out.settings = Some(flag),
                // A type's only: refused here when parsed.
                Name::RenameAll
                | Name::Prefix
                | Name::PipelineWith
                | Name::StepWith
                | Name::PrepareStepRun
                | Name::CleanupStepRun
                | Name::Crate
                | Name::Bound => {}
            }
        }
        out
    }
}

/// The attributes as written, before they are read by place.
#[derive(Default)]
struct Items {
    items: Vec<Item>,
    marks: Marks,
}

impl Items {
    fn has(&self, name: Name) -> bool {
        self.items.iter().any(|i| i.name == name)
    }
}

/// The attributes of a struct, an enum or a variant, each problem reported to `cx`.
pub fn parse_type(cx: &Ctxt, attrs: &[Attribute], place: Place) -> TypeAttrs {
    parse(cx, attrs, place).into_type()
}

/// The attributes of a field, each problem reported to `cx`.
pub fn parse_field(cx: &Ctxt, attrs: &[Attribute]) -> FieldAttrs {
    parse(cx, attrs, Place::Field).into_field()
}

/// Reads every `#[metadata(...)]` among `attrs`, reporting each problem to `cx` and going on.
fn parse(cx: &Ctxt, attrs: &[Attribute], place: Place) -> Items {
    let mut out = Items::default();
    for attr in attrs {
        if !attr.path().is_ident("metadata") {
            continue;
        }
        let marker = attr
            .path()
            .get_ident()
            .map_or_else(Span::call_site, syn::Ident::span);
        out.marks.marker.get_or_insert(marker);
        match &attr.meta {
            // A bare `#[metadata]` on a field: tracked, nothing else said.
            syn::Meta::Path(_) if place == Place::Field => continue,
            syn::Meta::Path(path) => {
                cx.error_spanned_by(
                    path,
                    "a bare `#[metadata]` says nothing here; on a type or variant, write the \
                     attributes it sets, as in `#[metadata(step)]`",
                );
                out.marks.broken = true;
                continue;
            }
            syn::Meta::NameValue(nv) => {
                cx.error_spanned_by(
                    nv,
                    "expected `#[metadata(...)]` with a list of attributes, as in `#[metadata(step)]`",
                );
                out.marks.broken = true;
                continue;
            }
            syn::Meta::List(_) => {}
        }
        let result = attr.parse_nested_meta(|meta| {
            if !parse_one(cx, &meta, place, &mut out) {
                out.marks.broken = true;
            }
            Ok(())
        });
        if let Err(e) = result {
            out.marks.broken = true;
            cx.syn_error(e);
        }
    }
    out
}

/// Reads one attribute into `out`; `false` if it could not be read.
fn parse_one(cx: &Ctxt, meta: &ParseNestedMeta, place: Place, out: &mut Items) -> bool {
    let Some(ident) = meta.path.get_ident() else {
        cx.error_spanned_by(&meta.path, "expected an attribute name, such as `step`");
        skip_value(meta);
        return false;
    };
    let name = ident.to_string();
    let span = ident.span();
    let Some(&(name, places, takes)) = TABLE.iter().find(|(n, _, _)| n.as_str() == name) else {
        let message = match did_you_mean(&name) {
            Some(suggestion) => {
                format!("unknown metadata attribute `{name}`; did you mean `{suggestion}`?")
            }
            None => format!(
                "unknown metadata attribute `{name}`; expected one of {}",
                known_names()
            ),
        };
        cx.error_at(span, message);
        skip_value(meta);
        return false;
    };
    let value = match parse_value(meta, name.as_str(), takes) {
        Ok(value) => value,
        Err(e) => {
            cx.syn_error(e);
            skip_value(meta);
            return false;
        }
    };
    if !places.contains(&place) {
        cx.error_at(span, misplaced(name.as_str(), places, place));
        return false;
    }
    if out.has(name) {
        cx.error_at(
            span,
            format!("duplicate metadata attribute `{}`", name.as_str()),
        );
        return true;
    }
    out.items.push(Item { name, span, value });
    true
}

fn parse_value(meta: &ParseNestedMeta, name: &str, takes: Takes) -> syn::Result<Value> {
    let has_value = meta.input.peek(Token![=]);
    match takes {
        Takes::Flag if has_value => Err(meta.error(format!("`{name}` takes no value"))),
        Takes::Flag if !meta.input.is_empty() && !meta.input.peek(Token![,]) => {
            Err(meta.error(format!("`{name}` takes no arguments")))
        }
        Takes::Flag => Ok(Value::Flag),
        Takes::Str if !has_value => {
            Err(meta.error(format!("`{name}` needs a value: `{name} = \"...\"`")))
        }
        Takes::Str => {
            let input = meta.value()?;
            if input.peek(LitStr) {
                Ok(Value::Str(input.parse()?))
            } else {
                Err(input.error(format!("expected a string literal: `{name} = \"...\"`")))
            }
        }
        Takes::Key if !has_value => Err(meta.error(format!(
            "`{name}` needs a value: `{name} = \"...\"` or `{name} = path::TO::CONSTANT`"
        ))),
        Takes::Key => {
            let input = meta.value()?;
            if input.peek(LitStr) {
                return Ok(Value::Str(input.parse()?));
            }
            let not_a_key = |span| {
                syn::Error::new(
                    span,
                    format!("expected a string literal: `{name} = \"...\"`"),
                )
            };
            let path = input
                .parse::<syn::Path>()
                .map_err(|e| not_a_key(e.span()))?;
            // A constant's name is in capitals; a lone lowercase word is a key missing its
            // quotes (`rename = run_id`).
            match path.get_ident() {
                Some(word) if word.to_string().chars().any(char::is_lowercase) => {
                    Err(not_a_key(word.span()))
                }
                _ => Ok(Value::Path(path)),
            }
        }
        Takes::Path if !has_value => {
            Err(meta.error(format!("`{name}` needs a path: `{name} = path::to::item`")))
        }
        Takes::Path => {
            let input = meta.value()?;
            if input.peek(LitStr) {
                let lit: LitStr = input.parse()?;
                lit.parse::<syn::Path>().map(Value::Path).map_err(|_| {
                    syn::Error::new(
                        lit.span(),
                        format!("`{name}` expects a path, as in `{name} = path::to::item`"),
                    )
                })
            } else {
                input.parse::<syn::Path>().map(Value::Path).map_err(|_| {
                    input.error(format!(
                        "`{name}` expects a path, as in `{name} = path::to::item`"
                    ))
                })
            }
        }
    }
}

/// Consumes whatever follows an attribute's name up to the next `,`, so that parsing goes on.
fn skip_value(meta: &ParseNestedMeta) {
    while !meta.input.is_empty() && !meta.input.peek(Token![,]) {
        if meta.input.parse::<TokenTree>().is_err() {
            break;
        }
    }
}

fn misplaced(name: &str, places: &[Place], place: Place) -> String {
    let here = match place {
        Place::Container => "on the struct or enum",
        Place::Variant => "on an enum variant",
        Place::Field => "on a field",
    };
    let there = if places == [Place::Field] {
        "it belongs on a field".to_owned()
    } else if places == [Place::Container] {
        "it belongs on the struct or enum itself".to_owned()
    } else {
        "it belongs on the struct, the enum or one of its variants".to_owned()
    };
    format!("`{name}` has no meaning {here}; {there}")
}

fn known_names() -> String {
    TABLE
        .iter()
        .map(|(n, _, _)| format!("`{}`", n.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The known attribute nearest `name`, if one is near enough to be a slip.
fn did_you_mean(name: &str) -> Option<&'static str> {
    TABLE
        .iter()
        .map(|(n, _, _)| (n.as_str(), distance(name, n.as_str())))
        .filter(|(n, d)| *d <= (n.len() / 3).max(1))
        .min_by_key(|(_, d)| *d)
        .map(|(n, _)| n)
}

/// Edit distance, with a swap of two neighbours counting as one edit (`stpe` is one from `step`).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: distance between a[..i] and b[..j].
    let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::{did_you_mean, distance};

    #[test]
    fn suggestions() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("stpe", "step"), 1);
        assert_eq!(did_you_mean("stpe"), Some("step"));
        assert_eq!(did_you_mean("renam"), Some("rename"));
        assert_eq!(did_you_mean("storage_sise"), Some("storage_size"));
        assert_eq!(did_you_mean("steps"), Some("step"));
        assert_eq!(did_you_mean("flaten"), Some("flatten"));
        assert_eq!(did_you_mean("zzzzzz"), None);
    }
}
