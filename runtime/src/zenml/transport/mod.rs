//! Reaching a ZenML server: where it is and how to log in (ZenML's variables and files), how
//! records are delivered, the TLS trust, and one server's connection.

pub(crate) mod config;
pub(crate) mod delivery;
pub(crate) mod http;
pub(crate) mod login;
pub(crate) mod trust;
pub(crate) mod yaml;
