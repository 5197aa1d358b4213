//! `metadata! { "key" => value, ... }`.
//!
//! `run_metadata::metadata!` is a `macro_rules!` that splits the entries with `expr` fragments
//! (so values need no full expression parser here) and passes its own path first:
//! `($crate) key => value, ...`, each key and value an opaque token tree.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::{LitStr, Token};

use crate::keys;

pub struct Input {
    krate: TokenStream,
    entries: Vec<Entry>,
}

struct Entry {
    key: TokenTree,
    value: TokenTree,
}

impl Parse for Input {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let content;
        syn::parenthesized!(content in input);
        let krate = content.parse()?;
        let mut entries = Vec::new();
        while !input.is_empty() {
            let key = input.parse()?;
            input.parse::<Token![=>]>()?;
            let value = input.parse()?;
            input.parse::<Token![,]>()?;
            entries.push(Entry { key, value });
        }
        Ok(Input { krate, entries })
    }
}

/// The tokens of an `expr` fragment, without its invisible group, whose span is the whole
/// macro call's.
fn fragment(tt: &TokenTree) -> TokenStream {
    match tt {
        TokenTree::Group(g) if g.delimiter() == Delimiter::None => g.stream(),
        other => TokenStream::from(other.clone()),
    }
}

/// `&(value)`, spanned so that an error about it underlines exactly the user's expression: the
/// `&` takes the span of the expression's first token and the parentheses that of its last, and
/// rustc spans an expression from its first token to its last.
fn borrowed(value: &TokenTree) -> TokenStream {
    let tokens = fragment(value);
    let mut iter = tokens.clone().into_iter();
    let first = iter.next().map_or_else(|| value.span(), |t| t.span());
    let last = iter.last().map_or(first, |t| t.span());
    let mut group = Group::new(Delimiter::Parenthesis, tokens);
    group.set_span(last);
    quote_spanned!(first=> &#group)
}

/// The string literal inside an `expr` fragment, or an error at the fragment.
fn literal_key(key: &TokenTree) -> syn::Result<LitStr> {
    let tokens = fragment(key);
    syn::parse2::<LitStr>(tokens.clone()).map_err(|_| {
        syn::Error::new_spanned(
            tokens,
            "metadata! keys are string literals, as in `\"key\" => value`; \
             for a key known only at run time use `Metadata::insert`",
        )
    })
}

pub fn expand(input: &Input) -> TokenStream {
    let krate = &input.krate;
    let mut errors: Option<syn::Error> = None;
    let mut push_error = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    let mut seen: Vec<String> = Vec::with_capacity(input.entries.len());
    let mut pushes = Vec::with_capacity(input.entries.len());
    let metadata = quote::format_ident!("metadata", span = Span::mixed_site());
    for Entry { key, value } in &input.entries {
        let converted = borrowed(value);
        let converted = quote! { #krate::__private::value(#converted) };
        let key = match literal_key(key) {
            Ok(key) => key,
            Err(e) => {
                push_error(e);
                pushes.push(quote! { let _ = #converted; });
                continue;
            }
        };
        let text = key.value();
        if let Some(problem) = keys::problem(&text) {
            push_error(syn::Error::new(key.span(), problem));
        } else if seen.contains(&text) {
            push_error(syn::Error::new(
                key.span(),
                format!("metadata key {text:?} is given twice"),
            ));
        }
        seen.push(text);
        pushes.push(quote! {
            #krate::__private::push(&mut #metadata, #key, #converted);
        });
    }
    if let Some(errors) = errors {
        let errors = errors.to_compile_error();
        // The values are still type-checked, so every error shows in one build.
        return quote! {{
            #errors
            let mut #metadata = #krate::Metadata::new();
            #(#pushes)*
            #metadata
        }};
    }
    if pushes.is_empty() {
        return quote! { #krate::Metadata::new() };
    }
    let len = pushes.len();
    quote! {{
        let mut #metadata = #krate::__private::with_capacity(#len);
        #(#pushes)*
        #metadata
    }}
}
