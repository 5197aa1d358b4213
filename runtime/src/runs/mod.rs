//! The runs layer: what metadata is attached to ([`Resource`](crate::Resource)), ZenML's times,
//! the sink contract with its records, and the stack that runs steps and calls the hooks.

pub(crate) mod resource;
pub mod sink;
pub mod stack;
pub mod time;
