#![allow(unused_imports)] // the macro crate's unit-test modules come along with its sources
//! The derive itself, called on proc-macro2 tokens: expanding a 1,000-field struct, and how
//! expansion time grows from 10 to 1,000 fields.

// The macro crate's modules, compiled here as a library: a proc-macro crate exports nothing
// else, and these are the very files it builds from.
#[path = "../../macros/src/ast.rs"]
mod ast;
#[path = "../../macros/src/attr.rs"]
mod attr;
#[path = "../../macros/src/bound.rs"]
mod bound;
#[path = "../../macros/src/case.rs"]
mod case;
#[path = "../../macros/src/check.rs"]
mod check;
#[path = "../../macros/src/ctxt.rs"]
mod ctxt;
#[path = "../../macros/src/derive.rs"]
mod derive;
#[path = "../../macros/src/expand.rs"]
mod expand;
#[path = "../../macros/src/keys.rs"]
mod keys;
#[path = "../../macros/src/resolve.rs"]
mod resolve;
#[path = "../../macros/src/shared.rs"]
mod shared;
#[path = "../../macros/src/special.rs"]
mod special;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// A struct of `n` tracked fields of mixed types and attributes.
fn component(n: usize) -> TokenStream {
    let fields = (0..n).map(|i| {
        let name = format_ident!("field_{}", i);
        match i % 4 {
            0 => quote!(#[metadata] #name: String),
            1 => quote!(#[metadata(rename = "renamed_key")] #name: u64),
            2 => quote!(#[metadata(uri)] #name: Option<String>),
            _ => quote!(#[metadata(pipeline, storage_size)] #name: u64),
        }
    });
    // Renamed keys must be unique: give each its own.
    let tokens = quote! {
        #[metadata(step, prefix = "c_")]
        struct Component<C> {
            client: C,
            #(#fields,)*
        }
    };
    let text = tokens.to_string();
    let mut i = 0;
    let text = text
        .split("\"renamed_key\"")
        .map(str::to_owned)
        .reduce(|a, b| {
            i += 1;
            format!("{a}\"renamed_key_{i}\"{b}")
        })
        .unwrap_or_default();
    text.parse().expect("valid tokens")
}

fn expansion(c: &mut Criterion) {
    let thousand = component(1000);
    let out = derive::derive(thousand.clone()).to_string();
    assert!(
        !out.contains("compile_error"),
        "the fixture expands without errors"
    );
    let mut group = c.benchmark_group("expand");
    group.sample_size(20);
    group.bench_function("1,000 fields", |b| {
        b.iter(|| derive::derive(black_box(thousand.clone())))
    });
    group.finish();

    let mut group = c.benchmark_group("expand/growth");
    group.sample_size(20);
    for n in [10, 100, 1000] {
        let tokens = component(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &tokens, |b, tokens| {
            b.iter(|| derive::derive(black_box(tokens.clone())));
        });
    }
    group.finish();
}

criterion_group!(benches, expansion);
criterion_main!(benches);
