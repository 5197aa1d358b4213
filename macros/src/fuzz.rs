//! The derive's front end (attribute parsing, checks, expansion) on generated inputs: random
//! attribute lists, keys, field types, generics, container attributes. It must never panic, and
//! must always give either code or errors (`compile_error!`), as a sequence of Rust items.
//!
//! `RUN_METADATA_FUZZ_CASES` sets the number of inputs (5,000 by default; the figures in
//! RELIABILITY.md are of 100,000, in release: `RUN_METADATA_FUZZ_CASES=100000 cargo test
//! --release -p run-metadata-macros fuzz`).

#![allow(clippy::format_collect)] // test inputs, built once each; clarity over allocation

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::derive::derive;

/// Attribute names: every real one, near misses, and junk.
const NAMES: &[&str] = &[
    "pipeline",
    "step",
    "rename",
    "rename_all",
    "prefix",
    "uri",
    "path",
    "dtype",
    "storage_size",
    "display",
    "with",
    "skip_if",
    "flatten",
    "pipeline_with",
    "step_with",
    "prepare_step_run",
    "cleanup_step_run",
    "crate",
    "bound",
    "renam",
    "stpe",
    "flaten",
    "colour",
    "r#type",
    "self",
    "super",
];

/// What may follow an attribute name.
const VALUES: &[&str] = &[
    "",
    " = \"key\"",
    " = \"\"",
    " = \"a:b\"",
    " = \"camelCase\"",
    " = \"Title Case\"",
    " = my::function",
    " = \"my::function\"",
    " = \"not a path!\"",
    " = 42",
    " = true",
    " = \"T: Clone\"",
    " = \"T is\"",
    "(nested)",
    " = run_metadata",
    " = \"prefix_\"",
    " = ::run_metadata",
    " = \"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\"",
];

const TYPES: &[&str] = &[
    "String",
    "u64",
    "i8",
    "f32",
    "bool",
    "Option<String>",
    "Option<u8>",
    "Vec<T>",
    "T",
    "&'a str",
    "[u8; N]",
    "(u8, String)",
    "std::path::PathBuf",
    "Option<Option<T>>",
    "std::collections::HashMap<String, f64>",
    "Box<dyn Fn()>",
    "fn() -> u8",
    "C",
    "Self",
    "<T as Iterator>::Item",
    "impl Sized",
    "!",
    "_",
];

const GENERICS: &[&str] = &[
    "",
    "<T>",
    "<T, C>",
    "<'a, T: Clone>",
    "<const N: usize>",
    "<'a, T, C, const N: usize>",
    "<T = u8>",
    "<#[metadata] T>",
];

fn attribute() -> impl Strategy<Value = String> {
    prop::collection::vec((0..NAMES.len(), 0..VALUES.len()), 0..4).prop_map(|items| {
        let body: Vec<String> = items
            .into_iter()
            .map(|(n, v)| format!("{}{}", NAMES[n], VALUES[v]))
            .collect();
        match body.len() {
            0 => "#[metadata]".to_owned(),
            _ => format!("#[metadata({})]", body.join(", ")),
        }
    })
}

fn field() -> impl Strategy<Value = (Option<String>, usize, bool)> {
    (prop::option::of(attribute()), 0..TYPES.len(), any::<bool>())
}

/// A struct, tuple struct, unit struct, enum or union with random attributes.
fn input() -> impl Strategy<Value = String> {
    (
        0..5u8,
        prop::collection::vec(attribute(), 0..3),
        0..GENERICS.len(),
        prop::collection::vec(field(), 0..8),
        prop::collection::vec(prop::collection::vec(field(), 0..3), 0..4),
        any::<bool>(),
    )
        .prop_map(
            |(shape, container, generics, fields, variants, where_clause)| {
                let container = container.join("\n");
                let generics = GENERICS[generics];
                let where_clause = if where_clause { " where T: Send" } else { "" };
                let named = |fields: &[(Option<String>, usize, bool)]| {
                    fields
                        .iter()
                        .enumerate()
                        .map(|(i, (attr, ty, raw))| {
                            let name = if *raw {
                                format!("r#f{i}")
                            } else {
                                format!("field_{i}")
                            };
                            format!(
                                "{} {name}: {},",
                                attr.clone().unwrap_or_default(),
                                TYPES[*ty]
                            )
                        })
                        .collect::<String>()
                };
                let unnamed = |fields: &[(Option<String>, usize, bool)]| {
                    fields
                        .iter()
                        .map(|(attr, ty, _)| {
                            format!("{} {},", attr.clone().unwrap_or_default(), TYPES[*ty])
                        })
                        .collect::<String>()
                };
                match shape {
                    0 => format!(
                        "{container} struct S{generics} {where_clause} {{ {} }}",
                        named(&fields)
                    ),
                    1 => format!(
                        "{container} struct S{generics} ({}) {where_clause};",
                        unnamed(&fields)
                    ),
                    2 => format!("{container} struct S;"),
                    3 => {
                        let variants: String = variants
                            .iter()
                            .enumerate()
                            .map(|(i, f)| match i % 3 {
                                0 => format!("V{i} {{ {} }},", named(f)),
                                1 => format!(
                                    "{} V{i}({}),",
                                    f.first().and_then(|x| x.0.clone()).unwrap_or_default(),
                                    unnamed(f)
                                ),
                                _ => format!("V{i},"),
                            })
                            .collect();
                        format!("{container} enum E{generics} {where_clause} {{ {variants} }}")
                    }
                    _ => format!("{container} union U{generics} {{ {} }}", named(&fields)),
                }
            },
        )
}

#[test]
fn the_front_end_never_panics_and_always_answers_with_items() {
    let cases: u32 = std::env::var("RUN_METADATA_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5_000);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let with_errors = std::cell::Cell::new(0u32);
    let with_code = std::cell::Cell::new(0u32);
    let result = runner.run(&input(), |source| {
        let tokens: proc_macro2::TokenStream =
            source.parse().expect("generated inputs are token trees");
        let out = std::panic::catch_unwind(|| derive(tokens))
            .map_err(|_| TestCaseError::fail(format!("panicked on: {source}")))?;
        let text = out.to_string();
        // Code or errors, always as items: it must parse as a Rust file.
        syn::parse2::<syn::File>(out).map_err(|e| {
            TestCaseError::fail(format!("not items ({e}) for: {source}\n=> {text}"))
        })?;
        let outcome = if text.contains("compile_error") {
            &with_errors
        } else {
            &with_code
        };
        outcome.set(outcome.get() + 1);
        Ok(())
    });
    result.unwrap();
    let (with_code, with_errors) = (with_code.get(), with_errors.get());
    println!("fuzz: {cases} inputs, {with_code} expanded to code, {with_errors} to errors");
    assert_eq!(with_code + with_errors, cases);
    assert!(
        with_errors > cases / 10 && with_code > cases / 100,
        "both outcomes are exercised"
    );
}
