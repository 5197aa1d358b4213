//! Examples of run-metadata. The runnable ones live in `examples/`; this library holds
//! [`ports`], ZenML's own metadata hooks ported to the derive.

pub mod ports;
