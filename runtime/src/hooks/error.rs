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

/// How a hook or lifecycle call went wrong: the `Err` it returned, or a panic (its message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallFailure {
    /// The call returned this error.
    Error(HookError),
    /// The call panicked with this message.
    Panicked(String),
}

impl CallFailure {
    /// The error's text, or the panic's message.
    #[must_use]
    pub fn message(&self) -> &str {
        match self {
            Self::Error(e) => e.message(),
            Self::Panicked(message) => message,
        }
    }

    /// Whether the call panicked.
    #[must_use]
    pub fn panicked(&self) -> bool {
        matches!(self, Self::Panicked(_))
    }
}

/// Calls a hook (its `try_*` form) or a lifecycle function as every caller of this crate does —
/// the Rust stack and ZenML's runtime through the Python bridge: its `Err`, or a panic caught,
/// is a [`CallFailure`]; a panic whose payload panics again when dropped is contained too.
///
/// ```
/// use run_metadata::{CallFailure, HookError, call_hook};
///
/// assert_eq!(call_hook(|| Ok::<_, HookError>(7)), Ok(7));
/// let failed = call_hook(|| Err::<(), _>(HookError::new("no active run")));
/// assert_eq!(failed.unwrap_err().message(), "no active run");
/// let panicked = call_hook::<()>(|| panic!("tracker gone"));
/// assert_eq!(panicked, Err(CallFailure::Panicked("tracker gone".into())));
/// ```
///
/// # Errors
///
/// The call's error, or its panic, as a [`CallFailure`].
pub fn call_hook<T>(call: impl FnOnce() -> Result<T, HookError>) -> Result<T, CallFailure> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(CallFailure::Error(e)),
        Err(payload) => Err(CallFailure::Panicked(panic_message(payload))),
    }
}

/// A panic's message (`"(no message)"` for a payload that is not text). The payload is dropped
/// inside `catch_unwind`, so that one whose `Drop` panics too is contained (and then leaked,
/// not dropped again).
#[must_use]
pub fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned());
    if let Err(again) =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(payload)))
    {
        std::mem::forget(again);
    }
    message
}
