//! Tests of run-metadata live in `tests/`; this library is empty.
