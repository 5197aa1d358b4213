//! Why a hook reported nothing: [`HookError`].

use core::fmt;

/// Why a hook reported nothing: a source it reads failed. ZenML drops the component's whole
/// result for that hook, field keys included, and so does this crate; the stack reports the
/// failure (run report, store, `run-metadata show`).
///
/// `?` turns the errors a source meets into one: text (`String`, `&str`), a boxed error, I/O
/// and JSON errors.
///
/// ```
/// use run_metadata::HookError;
///
/// let e = HookError::new("no active MLflow run");
/// assert_eq!(e.to_string(), "no active MLflow run");
///
/// // An SDK that fails with text, a file read and a rule of its own, in one source.
/// fn active_run(sdk: Result<String, String>, config: &str) -> Result<String, HookError> {
///     let run = sdk?;
///     let config = std::fs::read_to_string(config)?;
///     if config.is_empty() {
///         return Err("an empty MLflow configuration".into());
///     }
///     Ok(run)
/// }
/// let e = active_run(Err("not logged in".into()), "mlflow.json").unwrap_err();
/// assert_eq!(e.message(), "not logged in");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HookError {
    message: String,
}

impl HookError {
    /// A failure, told by `message`.
    pub fn new(message: impl fmt::Display) -> Self {
        Self {
            message: message.to_string(),
        }
    }

    /// What went wrong.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for HookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HookError {}

impl From<String> for HookError {
    fn from(message: String) -> Self {
        Self { message }
    }
}

impl From<&str> for HookError {
    fn from(message: &str) -> Self {
        Self::new(message)
    }
}

impl From<Box<dyn std::error::Error + Send + Sync>> for HookError {
    fn from(error: Box<dyn std::error::Error + Send + Sync>) -> Self {
        Self::new(error)
    }
}

impl From<std::io::Error> for HookError {
    fn from(error: std::io::Error) -> Self {
        Self::new(error)
    }
}

impl From<serde_json::Error> for HookError {
    fn from(error: serde_json::Error) -> Self {
        Self::new(error)
    }
}

impl From<core::fmt::Error> for HookError {
    fn from(error: core::fmt::Error) -> Self {
        Self::new(error)
    }
}
