//! The integration tests of `run-metadata`, one binary with a module per topic (a binary per
//! file linked SQLite, TLS and the HTTP client two dozen times).
//!
//! `cargo test -p run-metadata-tests --test it TOPIC::` runs one topic; the live ZenML tests
//! (`zenml_*`) need the server of `scripts/zenml-server.sh` (see `run_metadata_tests::live_server`).

mod conversions;
mod derive;
mod derive_generics;
mod hook_sources;
mod hygiene;
mod layering;
mod lifecycle;
mod limits;
mod metadata;
mod properties;
mod scale;
mod special_fields;
mod stack;
mod store;
mod store_damage;
mod store_faults;
mod zenml_exactly_once;
mod zenml_faults;
mod zenml_live;
mod zenml_misbehaving;
mod zenml_ports;
mod zenml_publish;
mod zenml_python;
mod zenml_tls;

/// A schema's entries as `(key, tag, optional)`; a dynamic entry as `(source, None, false)`.
fn schema_keys(
    entries: &[run_metadata::SchemaEntry],
) -> Vec<(String, Option<run_metadata::MetadataType>, bool)> {
    use run_metadata::SchemaEntry;
    entries
        .iter()
        .map(|e| match e {
            SchemaEntry::Key {
                key, tag, optional, ..
            } => (key.to_string(), *tag, *optional),
            SchemaEntry::Dynamic { source } => (source.to_string(), None, false),
            other => panic!("an entry this test does not know: {other:?}"),
        })
        .collect()
}

/// The local server's own user (`default`, no password), as the live tests log in.
fn default_user(url: &str) -> run_metadata::zenml::Config {
    run_metadata::zenml::Config::new(
        url,
        run_metadata::zenml::Auth::Password {
            username: "default".into(),
            password: run_metadata::Secret::new(String::new()),
        },
    )
}
