//! `#[derive(RunMetadata)]`: model → checks → expansion, on proc-macro2 tokens.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::ast::Container;
use crate::check;
use crate::ctxt::Ctxt;
use crate::expand;

/// The derive on proc-macro2 tokens: the impl, or every error found plus an empty impl.
pub fn derive(input: TokenStream) -> TokenStream {
    match syn::parse2::<DeriveInput>(input) {
        Ok(input) => derive_input(&input),
        Err(e) => e.to_compile_error(),
    }
}

fn derive_input(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::default();
    let container = Container::from_ast(&cx, input);
    let plan = container.as_ref().map(|c| check::check(&cx, c));
    match (cx.finish(), plan) {
        (Ok(()), Some(plan)) => expand::expand(input, &plan),
        (result, plan) => {
            let krate = plan.map_or_else(|| syn::parse_quote!(::run_metadata), |p| p.krate);
            let errors = result.err().map(|e| e.to_compile_error());
            let fallback = expand::fallback(input, &krate);
            quote!(#errors #fallback)
        }
    }
}
