//! `Secret`: a value that is never shown and never tracked.

use core::fmt;

/// A credential: its `Debug` and `Display` show `Secret(***)`, and it can never be tracked as
/// run metadata — a `#[metadata]` field of this type is a compile error that says why.
///
/// ```
/// use run_metadata::Secret;
///
/// let key = Secret::new("ZENKEY_abc123".to_owned());
/// assert_eq!(format!("{key:?} {key}"), "Secret(***) Secret(***)");
/// assert_eq!(key.expose(), "ZENKEY_abc123");
/// ```
///
/// ```compile_fail
/// #[derive(run_metadata::RunMetadata)]
/// struct Tracker {
///     #[metadata(step)]
///     api_key: run_metadata::Secret, // error: secrets are never tracked as run metadata
/// }
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T = String>(T);

impl<T> Secret<T> {
    /// Wraps `value`.
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The value, for the one place that must use it (a login form, a header).
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl Secret<String> {
    /// Whether the secret is the empty string (ZenML's auto-activated user has an empty
    /// password).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret<String> {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Implemented by no type: what keeps a [`Secret`] out of run metadata, with the error that says
/// so.
#[diagnostic::on_unimplemented(
    message = "secrets are never tracked as run metadata",
    label = "this is a `Secret`",
    note = "run metadata is shown in ZenML's dashboard and stored in plain text; remove `#[metadata]` from this field"
)]
pub trait NeverTracked {}

impl<T> crate::ToMetadata for Secret<T>
where
    T: NeverTracked,
{
    fn to_metadata(&self) -> crate::MetadataValue {
        // Unreachable: no type implements `NeverTracked`.
        crate::MetadataValue::Str(String::new())
    }
}
