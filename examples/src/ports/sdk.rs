//! Stand-ins for the vendor SDKs the ported hooks read, holding what the real ones hold: the
//! active run (per thread here, so that tests run side by side) and the environment.

use std::cell::RefCell;
use std::collections::BTreeMap;

thread_local! {
    static MLFLOW: RefCell<Option<mlflow::RunInfo>> = const { RefCell::new(None) };
    static WANDB: RefCell<Option<wandb::Run>> = const { RefCell::new(None) };
    static COMET: RefCell<Option<comet::Experiment>> = const { RefCell::new(None) };
    static AZUREML: RefCell<Option<Result<azureml::Job, String>>> = const { RefCell::new(None) };
}

/// `mlflow`: the active run.
pub mod mlflow {
    /// `mlflow.active_run().info`.
    #[derive(Clone, Debug, Default)]
    pub struct RunInfo {
        /// `run_id`
        pub run_id: String,
        /// `experiment_id`
        pub experiment_id: String,
    }

    /// `mlflow.start_run(...)`.
    pub fn start_run(run: RunInfo) {
        super::MLFLOW.with(|a| *a.borrow_mut() = Some(run));
    }

    /// `mlflow.end_run()`.
    pub fn end_run() {
        super::MLFLOW.with(|a| *a.borrow_mut() = None);
    }

    /// `mlflow.active_run()`.
    #[must_use]
    pub fn active_run() -> Option<RunInfo> {
        super::MLFLOW.with(|a| a.borrow().clone())
    }
}

/// `wandb`: the current run.
pub mod wandb {
    /// `wandb.run`'s attributes.
    #[derive(Clone, Debug, Default)]
    pub struct Run {
        /// `id`
        pub id: Option<String>,
        /// `path`
        pub path: Option<String>,
        /// `url`
        pub url: Option<String>,
        /// `name`
        pub name: Option<String>,
        /// `group`
        pub group: Option<String>,
        /// `project`
        pub project: Option<String>,
        /// `entity`
        pub entity: Option<String>,
        /// `job_type`
        pub job_type: Option<String>,
    }

    /// `wandb.init(...)` / `wandb.finish()`.
    pub fn set_run(run: Option<Run>) {
        super::WANDB.with(|r| *r.borrow_mut() = run);
    }

    /// `wandb.run`.
    #[must_use]
    pub fn run() -> Option<Run> {
        super::WANDB.with(|r| r.borrow().clone())
    }
}

/// `comet_ml`: the experiment the tracker started.
pub mod comet {
    /// An experiment's `url` and `name`.
    #[derive(Clone, Debug, Default)]
    pub struct Experiment {
        /// `url`
        pub url: Option<String>,
        /// `name`
        pub name: Option<String>,
    }

    /// Starts (or, with `None`, ends) the experiment.
    pub fn set_experiment(experiment: Option<Experiment>) {
        super::COMET.with(|e| *e.borrow_mut() = experiment);
    }

    /// The experiment, if one is running.
    #[must_use]
    pub fn experiment() -> Option<Experiment> {
        super::COMET.with(|e| e.borrow().clone())
    }
}

/// `azure.ai.ml`: `MLClient.jobs.get`.
pub mod azureml {
    /// A job's `studio_url` and `services["Studio"].endpoint`.
    #[derive(Clone, Debug, Default)]
    pub struct Job {
        /// `studio_url`
        pub studio_url: Option<String>,
        /// `services["Studio"].endpoint`
        pub studio_endpoint: Option<String>,
    }

    /// What `jobs.get` answers from now on: a job, or an error.
    pub fn answer(job: Result<Job, String>) {
        super::AZUREML.with(|j| *j.borrow_mut() = Some(job));
    }

    /// `ml_client.jobs.get(name)`.
    ///
    /// # Errors
    ///
    /// The service's error, or that it was not told of the job.
    pub fn get_job(name: &str) -> Result<Job, String> {
        super::AZUREML
            .with(|j| j.borrow().clone())
            .unwrap_or_else(|| Err(format!("job {name} not found")))
    }
}

/// The environment a component runs in: the process's, or a fixed one.
#[derive(Clone, Debug, Default)]
pub struct Env(Option<BTreeMap<String, String>>);

impl Env {
    /// The process's environment.
    #[must_use]
    pub fn process() -> Self {
        Self(None)
    }

    /// Exactly these variables.
    pub fn fixed<'a>(vars: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self(Some(
            vars.into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        ))
    }

    /// `os.environ.get(name)`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<String> {
        match &self.0 {
            Some(vars) => vars.get(name).cloned(),
            None => std::env::var(name).ok(),
        }
    }

    /// The first of `names` that is set, as ZenML's `get_orchestrator_run_id` looks.
    ///
    /// # Errors
    ///
    /// `message` if none is.
    pub fn first(&self, names: &[&str], message: &str) -> Result<String, run_metadata::HookError> {
        names
            .iter()
            .find_map(|n| self.get(n))
            .ok_or_else(|| run_metadata::HookError::new(message))
    }
}
