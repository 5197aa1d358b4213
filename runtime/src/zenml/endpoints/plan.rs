//! A run's plan: its steps, each with the steps it runs after, as ZenML's snapshot lists them.

/// A step of a run's plan, as ZenML's snapshot lists it: its name and the steps it runs after.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedStep {
    /// The step's name.
    pub name: String,
    /// The steps it runs after (their outputs are its inputs).
    pub upstream: Vec<String>,
}

impl PlannedStep {
    /// Step `name`, after none.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            upstream: Vec::new(),
        }
    }

    /// Runs after `upstream`.
    #[must_use]
    pub fn after<S: Into<String>>(mut self, upstream: impl IntoIterator<Item = S>) -> Self {
        self.upstream.extend(upstream.into_iter().map(Into::into));
        self
    }
}

impl From<&str> for PlannedStep {
    fn from(name: &str) -> Self {
        Self::new(name)
    }
}

impl From<String> for PlannedStep {
    fn from(name: String) -> Self {
        Self::new(name)
    }
}
