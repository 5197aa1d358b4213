"""ZenML flavors for the Rust components: register them with

    zenml experiment-tracker flavor register rust_components.flavors.RustTrackerFlavor
    zenml orchestrator flavor register rust_components.flavors.RustRunnerFlavor

Each component class is its ZenML base with the ``RustMetadata`` mixin first, naming the Rust
constructor; ZenML's runtime then calls the derived hooks as it would a Python component's.
"""

from typing import List, Optional, Tuple, Type

from zenml.config.base_settings import BaseSettings
from zenml.experiment_trackers.base_experiment_tracker import (
    BaseExperimentTracker,
    BaseExperimentTrackerConfig,
    BaseExperimentTrackerFlavor,
)
from zenml.orchestrators.local.local_orchestrator import (
    LocalOrchestrator,
    LocalOrchestratorConfig,
    LocalOrchestratorFlavor,
)

from rust_components import Runner, RustMetadata, Tracker


class RustTrackerSettings(BaseSettings):
    """Per-step settings: the tracker run's name (``{pipeline}``, ``{step}``, ``{run}``) and tags."""

    run_name: Optional[str] = None
    tags: List[str] = []


class RustTrackerConfig(BaseExperimentTrackerConfig, RustTrackerSettings):
    """The tracker's config, read by the Rust ``Tracker``."""

    tracking_uri: str
    experiment: str = "default"


class RustExperimentTracker(RustMetadata, BaseExperimentTracker):
    rust_component = Tracker
    rust_settings = RustTrackerSettings


class RustTrackerFlavor(BaseExperimentTrackerFlavor):
    @property
    def name(self) -> str:
        return "rust_tracker"

    @property
    def config_class(self) -> Type[RustTrackerConfig]:
        return RustTrackerConfig

    @property
    def implementation_class(self) -> Type[RustExperimentTracker]:
        return RustExperimentTracker


class RustRunnerConfig(LocalOrchestratorConfig):
    """The orchestrator's config, read by the Rust ``Runner``."""

    work_dir: str
    memory_limit: int = 8 * 1024**3
    compute_dtype: str = "float32"
    version: Tuple[int, int, int] = (0, 1, 0)
    dashboard_url: str = "http://127.0.0.1:8237"


class RustOrchestrator(RustMetadata, LocalOrchestrator):
    rust_component = Runner


class RustRunnerFlavor(LocalOrchestratorFlavor):
    @property
    def name(self) -> str:
        return "rust_runner"

    @property
    def config_class(self) -> Type[RustRunnerConfig]:
        return RustRunnerConfig

    @property
    def implementation_class(self) -> Type[RustOrchestrator]:
        return RustOrchestrator
