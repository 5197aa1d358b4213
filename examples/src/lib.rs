//! Examples of run-metadata live in `examples/`; this library is empty.
