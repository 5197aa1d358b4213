//! `#[derive(RunMetadata)]`: model → checks → expansion, on proc-macro2 tokens.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::ast::Container;
use crate::ctxt::Ctxt;
use crate::expand;
use crate::resolve;

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
    let plan = container.as_ref().map(|c| resolve::resolve(&cx, c));
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

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::derive;

    /// The hook is straight-line code: capacity reserved once, static keys, no other collection.
    #[test]
    fn expansion_is_what_a_hand_written_impl_would_be() {
        let out = derive(quote! {
            #[metadata(step)]
            struct Tracker {
                #[metadata]
                run_id: String,
                #[metadata(uri)]
                url: String,
                client: Client,
            }
        })
        .to_string();
        assert!(out.contains("with_capacity (2usize)"), "{out}");
        assert_eq!(out.matches(":: push (").count(), 2, "{out}");
        assert!(out.contains("\"run_id\""), "{out}");
        assert!(
            !out.contains("client"),
            "untracked fields are not touched: {out}"
        );
        assert!(!out.contains("Vec"), "{out}");
        assert!(!out.contains("fn pipeline_run_metadata"), "{out}");
        if std::env::var_os("SHOW_EXPANSION").is_some() {
            println!("{out}");
        }
    }

    #[test]
    fn errors_come_with_a_fallback_impl() {
        let out = derive(quote! {
            struct Tracker {
                #[metadata(stpe)]
                run_id: String,
            }
        })
        .to_string();
        assert!(out.contains("compile_error"), "{out}");
        assert!(
            out.contains("impl :: run_metadata :: RunMetadata for Tracker { }"),
            "{out}"
        );
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let out = derive(quote!(
            fn not_a_type() {}
        ))
        .to_string();
        assert!(out.contains("compile_error"), "{out}");
    }
}
