//! Compile-time behaviour of `run-metadata`: the trybuild cases under `ui/` (`derive`: the
//! derive's errors; `runtime`: the runtime's traits' errors; `pass`: what must compile), each
//! failing case with exactly the errors of its `.stderr` file. `cargo test -p run-metadata-ui`
//! runs them; `TRYBUILD=overwrite` writes the `.stderr` files anew, to be read line by line.
