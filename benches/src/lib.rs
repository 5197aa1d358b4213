//! The benchmarks of run-metadata live in `benches/`: `cargo bench -p run-metadata-benches`.
//! Their fixtures (a 200-field component in four forms, and its `values` and `types` objects as
//! typed serde structs) are written by `build.rs`.
