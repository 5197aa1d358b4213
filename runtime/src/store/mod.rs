//! The embedded store: runs, steps and their metadata in one SQLite file, shaped like ZenML's.
//!
//! Metadata rows are append-only — key, JSON value, tag, component id, time — and linked to the
//! runs and steps they describe. Reads resolve as ZenML's do (the newest value of a key wins;
//! where every value of a key is a dict, the dicts merge), but give typed values back: a `Uri` is
//! a `Uri` again, a tuple a tuple, a set a set, where ZenML returns strings and lists.
//!
//! The file is found at [`Store::default_path`] unless a path is given. Several processes may
//! write it at once: it runs in WAL mode, every write is one `BEGIN IMMEDIATE` transaction, and a
//! writer waits up to [`Store::BUSY_TIMEOUT`] for another. A file that is not this store's is
//! refused and left as it is.

//!
//! | module | role |
//! |---|---|
//! | `location` | where the file is when no path is given ([`STORE_ENV`], the data folders) |
//! | `open` | [`Store`]: opening the file, the write transaction |
//! | `error` | [`StoreError`] |
//! | `schema` | the file's parts (the store's own tables, and those a module above installs), each with its migrations; the checks that refuse a file that is not a store |
//! | `rows` | columns and one row mapper per record kind |
//! | `read` | runs, steps, metadata resolved as ZenML resolves it |
//! | `check` | damaged records set aside and named; [`Store::check`] of the whole file |
//! | `contents` | [`Store::run_contents`]: one run read whole, its damage with it |
//! | `write` | the store as a [`Sink`](crate::sink::Sink) |

mod check;
mod contents;
mod error;
mod location;
mod open;
mod read;
pub(crate) mod rows;
mod schema;
pub(crate) mod write;

pub use check::Health;
pub use contents::{Reported, RunContents};
pub use error::{Damaged, StoreError};
pub use location::STORE_ENV;
pub use open::Store;
pub use read::ComponentMetadata;
#[cfg(test)]
pub(crate) use read::decode as decode_row;
pub(crate) use schema::Part;
pub use schema::SCHEMA_VERSION;
#[cfg(test)]
pub(crate) use schema::STORE_PART;
