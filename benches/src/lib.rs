//! The benchmarks of run-metadata live in `benches/`: `cargo bench -p run-metadata-benches`.
//! Their fixtures (a 200-field component in four forms) are written by `build.rs`.
