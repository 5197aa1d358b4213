//! What metadata is attached to: a resource of ZenML's (a pipeline run, a step run, ...).

use core::fmt;

use uuid::Uuid;

/// What kind of resource metadata is attached to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResourceType {
    /// A pipeline run (`pipeline_run`).
    PipelineRun,
    /// A step run (`step_run`).
    StepRun,
    /// An artifact version (`artifact_version`).
    ArtifactVersion,
    /// A model version (`model_version`).
    ModelVersion,
    /// A schedule (`schedule`).
    Schedule,
    /// A wait condition (`wait_condition`).
    WaitCondition,
}

impl ResourceType {
    /// Every resource type.
    pub const ALL: [ResourceType; 6] = [
        Self::PipelineRun,
        Self::StepRun,
        Self::ArtifactVersion,
        Self::ModelVersion,
        Self::Schedule,
        Self::WaitCondition,
    ];

    /// The resource type ZenML names `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// ZenML's name of the resource type.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PipelineRun => "pipeline_run",
            Self::StepRun => "step_run",
            Self::ArtifactVersion => "artifact_version",
            Self::ModelVersion => "model_version",
            Self::Schedule => "schedule",
            Self::WaitCondition => "wait_condition",
        }
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A resource metadata is attached to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Resource {
    /// Its id.
    pub id: Uuid,
    /// Its kind.
    pub kind: ResourceType,
}

impl Resource {
    /// The pipeline run `id`.
    #[must_use]
    pub const fn pipeline_run(id: Uuid) -> Self {
        Self {
            id,
            kind: ResourceType::PipelineRun,
        }
    }

    /// The step run `id`.
    #[must_use]
    pub const fn step_run(id: Uuid) -> Self {
        Self {
            id,
            kind: ResourceType::StepRun,
        }
    }
}
