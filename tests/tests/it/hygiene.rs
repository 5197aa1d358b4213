//! The generated code names nothing from the caller's scope: it works without the prelude, next
//! to types that shadow the ones it uses, and through a re-export of the crate.

#![deny(warnings, clippy::pedantic)]

#[no_implicit_prelude]
mod no_prelude {
    use ::run_metadata::RunMetadata;

    fn is_blank(s: &str) -> bool {
        s.is_empty()
    }

    #[derive(RunMetadata)]
    #[metadata(step)]
    pub struct Tracker<T> {
        #[metadata(uri)]
        pub uri: ::std::string::String,
        #[metadata]
        pub value: ::std::option::Option<T>,
        #[metadata(display)]
        pub shown: ::std::option::Option<u8>,
        #[metadata(skip_if = is_blank)]
        pub note: ::std::string::String,
    }

    #[derive(RunMetadata)]
    #[metadata(pipeline)]
    pub enum Mode {
        Fast(#[metadata(rename = "speed")] u8),
    }
}

/// Everything the generated code could trip over, defined locally.
mod shadowing {
    #![allow(dead_code)]

    use ::run_metadata::RunMetadata;

    pub struct Metadata;
    pub struct MetadataValue;
    pub struct Option;
    pub struct Some;
    pub struct None;
    pub struct Result;
    pub struct String;
    pub struct Vec;
    pub struct Uuid;
    pub struct StepRunInfo;
    pub struct ToMetadata;
    mod core {}
    mod std {}
    mod run_metadata {}

    #[derive(RunMetadata)]
    #[metadata(step)]
    pub struct Tracker {
        #[metadata]
        pub id: u32,
        #[metadata(storage_size)]
        pub size: ::core::option::Option<u64>,
    }
}

/// A crate that re-exports the runtime under another name.
mod reexport {
    pub mod toolkit {
        pub use run_metadata as metadata_runtime;
    }

    use toolkit::metadata_runtime::RunMetadata;

    #[derive(RunMetadata)]
    #[metadata(crate = toolkit::metadata_runtime, step)]
    pub struct Bare {
        #[metadata]
        pub id: u32,
    }

    #[derive(RunMetadata)]
    #[metadata(crate = "self::toolkit::metadata_runtime", step)]
    pub struct Quoted {
        #[metadata]
        pub id: u32,
    }
}

use run_metadata::{RunMetadata, StepRunInfo};
use uuid::Uuid;

fn info() -> StepRunInfo {
    StepRunInfo::new(Uuid::nil(), Uuid::nil(), "run", "step")
}

#[test]
fn works_without_the_prelude() {
    let t = no_prelude::Tracker {
        uri: "https://x.example".into(),
        value: Some(1.5),
        shown: Some(3),
        note: String::new(),
    };
    let m = t.step_run_metadata(&info());
    assert_eq!(
        m.to_json(),
        r#"{"uri":"https://x.example","value":1.5,"shown":"3"}"#
    );
    let p = no_prelude::Mode::Fast(2).pipeline_run_metadata(Uuid::nil());
    assert_eq!(p.to_json(), r#"{"speed":2}"#);
}

#[test]
fn works_next_to_shadowing_names() {
    let t = shadowing::Tracker {
        id: 1,
        size: Some(2048),
    };
    let m = t.step_run_metadata(&info());
    assert_eq!(m.to_json(), r#"{"id":1,"size":2048}"#);
    assert_eq!(m.types_json(), r#"{"id":"int","size":"StorageSize"}"#);
}

#[test]
fn works_through_a_reexport() {
    assert_eq!(reexport::Bare { id: 1 }.step_run_metadata(&info()).len(), 1);
    assert_eq!(
        reexport::Quoted { id: 2 }.step_run_metadata(&info()).len(),
        1
    );
}
