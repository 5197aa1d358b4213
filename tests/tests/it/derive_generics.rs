//! Generics: bounds are inferred only for the type parameters tracked fields use.

#![deny(warnings, clippy::pedantic)]

use std::fmt::Display;
use std::marker::PhantomData;

use run_metadata::{RunMetadata, StepRunInfo, ToMetadata};
use uuid::Uuid;

fn info() -> StepRunInfo {
    StepRunInfo::new(Uuid::nil(), Uuid::nil(), "run", "step")
}

/// A client that implements none of the crate's traits.
struct HttpClient;

#[derive(RunMetadata)]
#[metadata(step)]
struct Tracker<C, T> {
    client: C,
    #[metadata]
    value: T,
}

/// Needs `T: ToMetadata` only; `C` stays unbounded, so a plain client works.
fn step_of<C, T: ToMetadata>(t: &Tracker<C, T>) -> String {
    t.step_run_metadata(&info()).to_json()
}

#[test]
fn a_component_generic_over_its_client_needs_no_bound_on_it() {
    let t = Tracker {
        client: HttpClient,
        value: vec![1, 2],
    };
    assert_eq!(step_of(&t), r#"{"value":[1,2]}"#);
    let _ = &t.client;
}

#[derive(RunMetadata)]
#[metadata(pipeline)]
struct Borrowed<'a, 'b: 'a, T: ?Sized + 'a, const N: usize>
where
    T: Send,
{
    #[metadata]
    name: &'a str,
    #[metadata]
    items: [u8; N],
    #[metadata]
    other: &'b T,
}

#[test]
fn lifetimes_const_generics_and_where_clauses() {
    let text = String::from("x");
    let b: Borrowed<'_, '_, str, 2> = Borrowed {
        name: &text,
        items: [1, 2],
        other: "y",
    };
    assert_eq!(
        b.pipeline_run_metadata(Uuid::nil()).to_json(),
        r#"{"name":"x","items":[1,2],"other":"y"}"#
    );
}

#[derive(RunMetadata)]
#[metadata(step)]
struct Wrapped<T> {
    #[metadata(display)]
    shown: T,
    #[metadata(flatten)]
    nested: Option<Tracker<HttpClient, T>>,
    marker: PhantomData<T>,
}

#[test]
fn display_and_flatten_bounds() {
    let w = Wrapped {
        shown: 5_u8,
        nested: Some(Tracker {
            client: HttpClient,
            value: 6_u8,
        }),
        marker: PhantomData,
    };
    assert_eq!(
        w.step_run_metadata(&info()).to_json(),
        r#"{"shown":"5","value":6}"#
    );
}

trait Backend {
    fn name(&self) -> String;
}

struct Vertex;

impl Backend for Vertex {
    fn name(&self) -> String {
        "vertex".into()
    }
}

fn backend_name<B: Backend>(b: &B) -> String {
    b.name()
}

#[derive(RunMetadata)]
#[metadata(step, bound = "B: Backend")]
struct Orchestrator<B> {
    #[metadata(with = backend_name)]
    backend: B,
}

#[test]
fn bound_replaces_the_inferred_bounds() {
    let o = Orchestrator { backend: Vertex };
    assert_eq!(
        o.step_run_metadata(&info()).to_json(),
        r#"{"backend":"vertex"}"#
    );
}

#[derive(RunMetadata)]
#[metadata(step)]
enum Either<L, R: Display> {
    Left(#[metadata(rename = "left")] L),
    Right(#[metadata(display, rename = "right")] R),
}

#[test]
fn generic_enums() {
    let l: Either<u8, String> = Either::Left(1);
    assert_eq!(l.step_run_metadata(&info()).to_json(), r#"{"left":1}"#);
    let r: Either<Label, u16> = Either::Right(2);
    assert_eq!(r.step_run_metadata(&info()).to_json(), r#"{"right":"2"}"#);
}

/// A user type made metadata by its own `ToMetadata` impl, as `Left` requires of `L`.
struct Label;

impl ToMetadata for Label {
    fn to_metadata(&self) -> run_metadata::MetadataValue {
        run_metadata::MetadataValue::Str("label".into())
    }
}
