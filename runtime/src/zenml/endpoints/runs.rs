//! The runs and steps a client registers on a ZenML server, their statuses and end times.

use std::time::SystemTime;

use uuid::Uuid;

use crate::runs::resource::Resource;
use crate::runs::sink::Status;
use crate::runs::time::Utc;
use crate::zenml::endpoints::client::{Client, path_of};
use crate::zenml::endpoints::plan::PlannedStep;
use crate::zenml::error::ZenmlError;
use crate::zenml::transport::http::Method;
use crate::zenml::wire::answers::{self, Created, RunOrStep};
use crate::zenml::wire::bodies::{
    self, Finish, Named, NewPipeline, NewRun, NewSnapshot, NewStep, StepConfiguration,
};

/// A run to register: see [`Client::register_run`].
pub(crate) struct RunToRegister<'a> {
    pub(crate) pipeline: &'a str,
    pub(crate) name: &'a str,
    pub(crate) steps: &'a [PlannedStep],
    pub(crate) started: SystemTime,
    pub(crate) finished: Option<SystemTime>,
    pub(crate) stack: Option<Uuid>,
    /// The run's own id, sent as its `orchestrator_run_id`.
    pub(crate) local: Uuid,
}

impl Client {
    /// Registers a standalone run of pipeline `pipeline` named `run_name` whose steps are
    /// `steps` (each with the steps it runs after, so that the dashboard draws the graph): the
    /// pipeline (created once), a snapshot of it on `stack` (see [`stack_id`](Self::stack_id);
    /// else the `default` stack), and the run, started at `started` (and, for a run registered
    /// after it ended, `finished`). Returns the run's id.
    ///
    /// # Errors
    ///
    /// As for any request; [`ZenmlError::Rejected`] (409) for a name another run has.
    pub fn create_run(
        &mut self,
        pipeline: &str,
        run_name: &str,
        steps: &[PlannedStep],
        started: SystemTime,
        finished: Option<SystemTime>,
        stack: Option<Uuid>,
    ) -> Result<Uuid, ZenmlError> {
        self.register_run(
            &RunToRegister {
                pipeline,
                name: run_name,
                steps,
                started,
                finished,
                stack,
                local: Uuid::new_v4(),
            },
            false,
        )
    }

    /// Registers `run` with `local` as its `orchestrator_run_id`, the key that tells this run
    /// from another of the same name: a run the server made already (an earlier attempt whose
    /// answer was lost, or a process that died before it could note it) is found by it, never
    /// made twice. With `replay`, it is looked for first (no snapshot is left over).
    pub(crate) fn register_run(
        &mut self,
        run: &RunToRegister<'_>,
        replay: bool,
    ) -> Result<Uuid, ZenmlError> {
        let project = self.project_id()?;
        let project_text = project.to_string();
        let local = run.local.to_string();
        let find = |client: &mut Self| {
            client.first_id(
                "/api/v1/runs",
                &[("orchestrator_run_id", &local), ("project", &project_text)],
            )
        };
        if replay && let Some(id) = find(self)? {
            return Ok(id);
        }
        let pipeline_id = self.get_or_create(
            "/api/v1/pipelines",
            &[("name", run.pipeline), ("project", &project_text)],
            &NewPipeline {
                name: run.pipeline,
                project,
            },
        )?;
        let stack = if let Some(id) = run.stack {
            id
        } else {
            self.first_id("/api/v1/stacks", &[("name", "default")])?
                .ok_or_else(|| ZenmlError::NotFound {
                    detail: "no stack named \"default\"".into(),
                })?
        };
        let step_configurations = run
            .steps
            .iter()
            .map(|step| {
                let name = step.name.as_str();
                (name, StepConfiguration::of(name, &step.upstream))
            })
            .collect();
        let snapshot = NewSnapshot {
            pipeline: pipeline_id,
            pipeline_configuration: Named { name: run.pipeline },
            project,
            run_name_template: run.name,
            stack,
            step_configurations,
        };
        let snapshot = self.post("/api/v1/pipeline_snapshots", &snapshot)?;
        // A run registered after it ended (kept while the server was away) has its end time
        // from the start: the server would otherwise take the moment its last step arrives.
        let body = NewRun {
            end_time: run.finished.map(|t| Utc::from(t).iso8601()),
            name: run.name,
            orchestrator_run_id: &local,
            project,
            snapshot,
            start_time: Utc::from(run.started).iso8601(),
            status: "running",
        };
        // `POST /runs` answers `[run, created]`; with an `orchestrator_run_id`, a run it did not
        // create is the one with that id, this run. A name another run has is a 409, where
        // `find` tells an earlier attempt of this run from another run.
        let name = run.name;
        self.post_or_find_text("/api/v1/runs", &bodies::to_json(&body)?, find, |text| {
            answers::read::<Created>(text).map(|c| c.id()).map_err(|_| {
                ZenmlError::Protocol(format!("the answer to registering run {name:?} has no id"))
            })
        })
    }

    /// Registers step `name` of run `run_id` (the name must be one of the run's snapshot), with
    /// its status and, for a step that has finished already, its end time (ZenML does not let a
    /// finished step's status change afterwards). Returns the step's id.
    ///
    /// # Errors
    ///
    /// As for any request.
    pub fn create_step(
        &mut self,
        run_id: Uuid,
        name: &str,
        status: Status,
        started: SystemTime,
        finished: Option<SystemTime>,
    ) -> Result<Uuid, ZenmlError> {
        let project = self.project_id()?;
        let body = NewStep {
            end_time: finished.map(|t| Utc::from(t).iso8601()),
            name,
            pipeline_run_id: run_id,
            project,
            start_time: Utc::from(started).iso8601(),
            status: status.as_str(),
        };
        self.post_or_find("/api/v1/steps", &body, |client| {
            client.step_id(run_id, name)
        })
    }

    /// The status ZenML shows for a run or step (`running`, `completed`, `failed`, ...).
    ///
    /// # Errors
    ///
    /// As for any request.
    pub fn status(&mut self, resource: Resource) -> Result<String, ZenmlError> {
        self.get::<RunOrStep>(&path_of(resource), &[])?
            .status()
            .ok_or_else(|| ZenmlError::Protocol("an answer without a status".into()))
    }

    /// The id of step `name` of run `run_id`, if the server has it.
    ///
    /// # Errors
    ///
    /// As for any request.
    pub fn step_id(&mut self, run_id: Uuid, name: &str) -> Result<Option<Uuid>, ZenmlError> {
        self.first_id(
            "/api/v1/steps",
            &[("pipeline_run_id", &run_id.to_string()), ("name", name)],
        )
    }

    /// Sets the status and end time of a step or run.
    ///
    /// # Errors
    ///
    /// As for any request.
    pub fn finish(
        &mut self,
        resource: Resource,
        status: Status,
        finished: SystemTime,
    ) -> Result<(), ZenmlError> {
        let body = bodies::to_json(&Finish {
            end_time: Utc::from(finished).iso8601(),
            status: status.as_str(),
        })?;
        self.http
            .call(&path_of(resource), &Method::Put(&body))
            .map(drop)
    }
}
