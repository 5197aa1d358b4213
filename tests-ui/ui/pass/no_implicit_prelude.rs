//! A whole crate without the prelude, warnings denied: the generated code names nothing from it.

#![no_implicit_prelude]
#![deny(warnings)]

#[derive(::run_metadata::RunMetadata)]
#[metadata(step, step_with = extra)]
struct Tracker<T> {
    #[metadata]
    value: ::std::option::Option<T>,
    #[metadata(uri)]
    url: ::std::string::String,
    #[metadata(display)]
    shown: u8,
}

fn extra<T>(_: &Tracker<T>, _: &::run_metadata::StepRunInfo) -> ::run_metadata::Metadata {
    ::run_metadata::metadata! { "extra" => 1 }
}

/// What a fallible hook-time source returns.
#[derive(::run_metadata::RunMetadata)]
#[metadata(pipeline)]
struct Found {
    #[metadata(uri)]
    link: ::std::string::String,
}

#[derive(::run_metadata::RunMetadata)]
#[metadata(pipeline_with = Self::found)]
struct Searcher {
    #[metadata(pipeline, flatten)]
    inner: ::std::option::Option<Found>,
}

impl Searcher {
    fn found(
        &self,
        _: ::uuid::Uuid,
    ) -> ::std::result::Result<::std::option::Option<Found>, ::std::string::String> {
        ::std::result::Result::Ok(::std::option::Option::None)
    }
}

#[derive(::run_metadata::RunMetadata)]
enum Mode {
    Fast(#[metadata(pipeline, rename = "speed")] u8),
}

fn main() {
    let t = Tracker::<u8> {
        value: ::std::option::Option::None,
        url: ::std::string::String::new(),
        shown: 1,
    };
    let s = Searcher {
        inner: ::std::option::Option::None,
    };
    let _ = (&t.value, &t.url, t.shown, Mode::Fast(1), &s.inner);
}
