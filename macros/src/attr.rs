//! `#[metadata(...)]`: one table of attributes, where each may stand and what value it takes.

use proc_macro2::{Span, TokenTree};
use syn::meta::ParseNestedMeta;
use syn::{Attribute, LitStr, Token};

use crate::ctxt::Ctxt;

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
}

const C: Place = Place::Container;
const V: Place = Place::Variant;
const F: Place = Place::Field;

/// Every attribute: name, where it may stand, what it takes.
const TABLE: &[(&str, &[Place], Takes)] = &[
    ("pipeline", &[C, V, F], Takes::Flag),
    ("step", &[C, V, F], Takes::Flag),
    ("rename", &[F], Takes::Str),
    ("rename_all", &[C, V], Takes::Str),
    ("prefix", &[C, V], Takes::Str),
    ("uri", &[F], Takes::Flag),
    ("path", &[F], Takes::Flag),
    ("dtype", &[F], Takes::Flag),
    ("storage_size", &[F], Takes::Flag),
    ("display", &[F], Takes::Flag),
    ("with", &[F], Takes::Path),
    ("skip_if", &[F], Takes::Path),
    ("flatten", &[F], Takes::Flag),
    ("pipeline_with", &[C, V], Takes::Path),
    ("step_with", &[C, V], Takes::Path),
    ("crate", &[C], Takes::Path),
    ("bound", &[C], Takes::Str),
];

/// One attribute as written.
pub struct Item {
    pub name: &'static str,
    /// The attribute's name token: errors about the attribute point here.
    pub span: Span,
    pub value: Value,
}

pub enum Value {
    Flag,
    Str(LitStr),
    Path(syn::Path),
}

/// The attributes of one container, variant or field.
#[derive(Default)]
pub struct Attrs {
    items: Vec<Item>,
    /// The first `#[metadata]` attribute's `metadata`, if there is one: a field is tracked iff so.
    pub marker: Option<Span>,
    /// Whether an attribute here could not be read: what it meant is unknown, so checks that
    /// depend on it stay silent rather than add guesses to the real error.
    pub broken: bool,
}

impl Attrs {
    pub fn get(&self, name: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.name == name)
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn str(&self, name: &str) -> Option<&LitStr> {
        match self.get(name)?.value {
            Value::Str(ref s) => Some(s),
            _ => None,
        }
    }

    pub fn path(&self, name: &str) -> Option<&syn::Path> {
        match self.get(name)?.value {
            Value::Path(ref p) => Some(p),
            _ => None,
        }
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }
}

/// Reads every `#[metadata(...)]` among `attrs`, reporting each problem to `cx` and going on.
pub fn parse(cx: &Ctxt, attrs: &[Attribute], place: Place) -> Attrs {
    let mut out = Attrs::default();
    for attr in attrs {
        if !attr.path().is_ident("metadata") {
            continue;
        }
        let marker = attr
            .path()
            .get_ident()
            .map_or_else(Span::call_site, syn::Ident::span);
        out.marker.get_or_insert(marker);
        match &attr.meta {
            // A bare `#[metadata]` on a field: tracked, nothing else said.
            syn::Meta::Path(_) if place == Place::Field => continue,
            syn::Meta::Path(path) => {
                cx.error_spanned_by(
                    path,
                    "a bare `#[metadata]` says nothing here; on a type or variant, write the \
                     attributes it sets, as in `#[metadata(step)]`",
                );
                out.broken = true;
                continue;
            }
            syn::Meta::NameValue(nv) => {
                cx.error_spanned_by(
                    nv,
                    "expected `#[metadata(...)]` with a list of attributes, as in `#[metadata(step)]`",
                );
                out.broken = true;
                continue;
            }
            syn::Meta::List(_) => {}
        }
        let result = attr.parse_nested_meta(|meta| {
            if !parse_one(cx, &meta, place, &mut out) {
                out.broken = true;
            }
            Ok(())
        });
        if let Err(e) = result {
            out.broken = true;
            cx.syn_error(e);
        }
    }
    out
}

/// Reads one attribute into `out`; `false` if it could not be read.
fn parse_one(cx: &Ctxt, meta: &ParseNestedMeta, place: Place, out: &mut Attrs) -> bool {
    let Some(ident) = meta.path.get_ident() else {
        cx.error_spanned_by(&meta.path, "expected an attribute name, such as `step`");
        skip_value(meta);
        return false;
    };
    let name = ident.to_string();
    let span = ident.span();
    let Some(&(name, places, takes)) = TABLE.iter().find(|(n, _, _)| *n == name) else {
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
    let value = match parse_value(meta, name, takes) {
        Ok(value) => value,
        Err(e) => {
            cx.syn_error(e);
            skip_value(meta);
            return false;
        }
    };
    if !places.contains(&place) {
        cx.error_at(span, misplaced(name, places, place));
        return false;
    }
    if out.has(name) {
        cx.error_at(span, format!("duplicate metadata attribute `{name}`"));
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
        .map(|(n, _, _)| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The known attribute nearest `name`, if one is near enough to be a slip.
fn did_you_mean(name: &str) -> Option<&'static str> {
    TABLE
        .iter()
        .map(|(n, _, _)| (*n, distance(name, n)))
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
