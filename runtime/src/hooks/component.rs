//! Who a stack component is: its kind, as ZenML names it, and its identity, what sinks, stores
//! and reports refer to without the component itself.

use core::fmt;

use uuid::Uuid;

/// What a stack component is, as ZenML names its types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ComponentKind {
    /// `orchestrator`
    Orchestrator,
    /// `artifact_store`
    ArtifactStore,
    /// `container_registry`
    ContainerRegistry,
    /// `step_operator`: takes part only in the steps that name it.
    StepOperator,
    /// `model_deployer`
    ModelDeployer,
    /// `feature_store`
    FeatureStore,
    /// `experiment_tracker`: takes part only in the steps that name it.
    ExperimentTracker,
    /// `alerter`
    Alerter,
    /// `annotator`
    Annotator,
    /// `data_validator`
    DataValidator,
    /// `image_builder`
    ImageBuilder,
    /// `model_registry`
    ModelRegistry,
    /// `deployer`
    Deployer,
    /// `log_store`
    LogStore,
}

impl ComponentKind {
    /// Every kind.
    pub const ALL: [ComponentKind; 14] = [
        Self::Orchestrator,
        Self::ArtifactStore,
        Self::ContainerRegistry,
        Self::StepOperator,
        Self::ModelDeployer,
        Self::FeatureStore,
        Self::ExperimentTracker,
        Self::Alerter,
        Self::Annotator,
        Self::DataValidator,
        Self::ImageBuilder,
        Self::ModelRegistry,
        Self::Deployer,
        Self::LogStore,
    ];

    /// ZenML's name of the kind.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Orchestrator => "orchestrator",
            Self::ArtifactStore => "artifact_store",
            Self::ContainerRegistry => "container_registry",
            Self::StepOperator => "step_operator",
            Self::ModelDeployer => "model_deployer",
            Self::FeatureStore => "feature_store",
            Self::ExperimentTracker => "experiment_tracker",
            Self::Alerter => "alerter",
            Self::Annotator => "annotator",
            Self::DataValidator => "data_validator",
            Self::ImageBuilder => "image_builder",
            Self::ModelRegistry => "model_registry",
            Self::Deployer => "deployer",
            Self::LogStore => "log_store",
        }
    }

    /// The kind ZenML names `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether a step must name a component of this kind for it to take part.
    #[must_use]
    pub const fn needs_opt_in(self) -> bool {
        matches!(self, Self::ExperimentTracker | Self::StepOperator)
    }
}

impl fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who a component is, without the component: what sinks and reports refer to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ComponentInfo {
    /// Its id (ZenML's `stack_component_id`).
    pub id: Uuid,
    /// Its name, unique in its stack.
    pub name: String,
    /// Its kind.
    pub kind: ComponentKind,
}

impl fmt::Display for ComponentInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}`", self.kind, self.name)
    }
}
