//! The derive and macros of [run-metadata](https://docs.rs/run-metadata).
//!
//! Use them through the `run-metadata` crate, which re-exports them and holds the traits the
//! generated code implements and calls; this crate on its own is of no use.

mod ast;
mod attr;
mod bound;
mod case;
mod check;
mod ctxt;
mod derive;
mod expand;
#[cfg(test)]
mod fuzz;
mod keys;
mod metadata_macro;
mod resolve;
mod shared;
mod special;

use proc_macro::TokenStream;

/// The implementation of `run_metadata::metadata!`, which passes its own path first.
#[doc(hidden)]
#[proc_macro]
pub fn metadata_impl(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as metadata_macro::Input);
    metadata_macro::expand(&input).into()
}

/// Implements `run_metadata::RunMetadata` from the type's `#[metadata(...)]` attributes.
///
/// Documented, with every attribute, at `run_metadata::RunMetadata`.
#[proc_macro_derive(RunMetadata, attributes(metadata))]
pub fn derive_run_metadata(input: TokenStream) -> TokenStream {
    derive::derive(input.into()).into()
}
