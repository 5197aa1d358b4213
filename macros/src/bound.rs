//! Where clauses: bounds only for the type parameters tracked fields use.

use std::collections::BTreeSet;

use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::{Generics, Type};

use crate::resolve::{Conversion, Plan};
use crate::shared::option_inner;

/// The generics of the impl: the type's own, plus `bound = "..."` if given, else a predicate for
/// each tracked field whose type mentions a type parameter.
pub fn with_bounds(plan: &Plan, generics: &Generics) -> Generics {
    let mut generics = generics.clone();
    let krate = &plan.krate;
    let predicates: Vec<TokenStream> = if let Some(bound) = &plan.bound {
        bound.iter().map(ToTokens::to_token_stream).collect()
    } else {
        let params: BTreeSet<String> = generics
            .type_params()
            .map(|p| p.ident.to_string())
            .collect();
        let mut seen = BTreeSet::new();
        entries(plan)
            .filter_map(|(ty, conversion)| {
                let (ty, trait_) = match conversion {
                    Conversion::Plain => (ty, quote!(#krate::ToMetadata)),
                    Conversion::Special(special) => {
                        let name = special.field_trait();
                        (
                            option_inner(ty).unwrap_or(ty),
                            quote!(#krate::__private::#name),
                        )
                    }
                    Conversion::Display => {
                        (option_inner(ty).unwrap_or(ty), quote!(::core::fmt::Display))
                    }
                    Conversion::Flatten => (ty, quote!(#krate::RunMetadata)),
                    // The function's own signature says what it needs.
                    Conversion::With(_) => return None,
                };
                if !mentions(ty, &params) {
                    return None;
                }
                let predicate = quote!(#ty: #trait_);
                seen.insert(predicate.to_string()).then_some(predicate)
            })
            .collect()
    };
    if !predicates.is_empty() {
        let where_clause = generics.make_where_clause();
        for p in predicates {
            where_clause.predicates.push(syn::parse_quote!(#p));
        }
    }
    generics
}

fn entries<'p>(plan: &'p Plan) -> impl Iterator<Item = (&'p Type, Conversion<'p>)> + 'p {
    plan.units()
        .into_iter()
        .flat_map(|u| u.entries.iter().map(|e| (e.field.ty, e.conversion)))
}

/// Whether any identifier in `ty` names one of `params`.
fn mentions(ty: &Type, params: &BTreeSet<String>) -> bool {
    fn walk(tokens: TokenStream, params: &BTreeSet<String>) -> bool {
        tokens.into_iter().any(|tt| match tt {
            TokenTree::Ident(ident) => params.contains(&ident.to_string()),
            TokenTree::Group(group) => walk(group.stream(), params),
            _ => false,
        })
    }
    !params.is_empty() && walk(ty.to_token_stream(), params)
}
