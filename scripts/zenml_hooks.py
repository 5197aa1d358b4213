"""Runs ZenML's own run-metadata hooks with the vendor SDKs stubbed and prints what ZenML publishes.

    python zenml_hooks.py < cases.json > results.json

Needs the `zenml` package (0.98.0) and nothing else: mlflow, wandb, comet_ml, azure, google-cloud,
kfp and modal are replaced by in-process stubs before ZenML's integration modules are imported.

Input: a JSON array of cases.

    {"name": "mlflow-active",
     "component": "mlflow" | "wandb" | "comet" | "vertex_orchestrator"
                  | "azureml_orchestrator" | "modal_orchestrator" | "kubeflow_orchestrator",
     "hook": "step" | "pipeline",
     "config": {...},          # fields of the flavor's config class, validated by ZenML
     "env": {"VAR": "value"},  # set for this case only; a null value unsets the variable
     "sdk": {...},             # state of the stubbed SDK, see below
     "info": {"run_id", "step_run_id", "run_name", "pipeline_name", "pipeline_step_name",
              "settings": {"experiment_tracker.wandb": {...}, ...}},   # step hook
     "run_id": "<uuid>",       # pipeline hook
     "run_settings": {"orchestrator.kubeflow": {...}, ...},   # pipeline hook: the settings of
                               # the run `Client().get_pipeline_run(run_id)` returns
     "component_name": "..."}  # optional, defaults to the value of "component"

The step hook is `get_step_run_metadata(info)`, called with a real `StepRunInfo` whose step
configuration carries `info.settings`, so the component's own `get_settings` resolves them (by
the legacy key "<type>.<flavor>" or the canonical key "<type>:<component_name>"). The pipeline
hook is `get_pipeline_run_metadata(run_id)`; where it fetches the run (Kubeflow), it is given a
run whose pipeline configuration carries `run_settings`, validated by ZenML's
`PipelineConfiguration`, so the component's `get_settings(run)` resolves them. Each case builds a fresh component from the flavor's
config class. Variables the hooks read for orchestrator run ids (see RUN_ID_ENV_VARS) are removed
before the case's env is applied, and the whole environment is restored after each case.

SDK stub state:
    mlflow  {"active_run": {"run_id", "experiment_id"} | null,
             "artifact_store_path": "..."}   # the active stack's artifact store path, read when
                                             # the tracker has no tracking_uri (ZenML creates the
                                             # directory); default DEFAULT_ARTIFACT_STORE_PATH
    wandb   {"run": {"id", "path", "url", "name", "group", "project", "entity", "job_type"} | null}
    comet   {"experiment": {"url", "name"} | null}   # key absent: the tracker has no experiment
                                                     # attribute at all
    azureml_orchestrator  {"job": {"studio_url", "services": {"Studio": {"endpoint"}}} | null,
                           "raise": "<message>" | null}   # get_azureml_client().jobs.get(id)
Keys missing from an SDK object are missing attributes (reading them raises AttributeError);
null keys are attributes set to None.

Output: a JSON array with one result per case, in input order.

    {"name": ..., "metadata": [[key, value_json, type], ...]}
    {"name": ..., "error": "<exception text>"}

`metadata` is what ZenML's client sends to POST /api/v1/run-metadata for the hook's dict: it is
produced by passing the dict through `Client.create_run_metadata` itself (which drops values
whose type is unsupported, e.g. None, or that are too long) and dumping the resulting
`RunMetadataRequest` in JSON mode, exactly as the REST store does. `value_json` is
`json.dumps` of a value from the request's "values", `type` its entry in "types" (the
`MetadataTypeEnum` value from `get_metadata_type`), in the order of the hook's dict. `error` is
`str()` of the exception the hook (or the component's construction) raised.
"""

import importlib
import importlib.abc
import importlib.machinery
import json
import os
import sys
import tempfile
import types
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional
from uuid import UUID

# Top-level packages (or dotted prefixes) that are always served by stubs, installed or not.
STUBBED_PACKAGES = (
    "mlflow",
    "wandb",
    "weave",
    "comet_ml",
    "google",
    "google_cloud_pipeline_components",
    "kfp",
    "azure",
    "modal",
    "kubernetes",
    "kfp_server_api",
)

# What ZenML's Kubernetes serialization reads from a model class: a stub class has none.
KUBERNETES_MODEL_MAPS = ("openapi_types", "attribute_map")

# component -> (module, flavor class)
FLAVORS = {
    "mlflow": ("zenml.integrations.mlflow.flavors", "MLFlowExperimentTrackerFlavor"),
    "wandb": ("zenml.integrations.wandb.flavors", "WandbExperimentTrackerFlavor"),
    "comet": ("zenml.integrations.comet.flavors", "CometExperimentTrackerFlavor"),
    "vertex_orchestrator": ("zenml.integrations.gcp.flavors", "VertexOrchestratorFlavor"),
    "azureml_orchestrator": ("zenml.integrations.azure.flavors", "AzureMLOrchestratorFlavor"),
    "modal_orchestrator": ("zenml.integrations.modal.flavors", "ModalOrchestratorFlavor"),
    "kubeflow_orchestrator": ("zenml.integrations.kubeflow.flavors", "KubeflowOrchestratorFlavor"),
}

# Variables read by the orchestrators' get_orchestrator_run_id / get_pipeline_run_metadata.
RUN_ID_ENV_VARS = (
    "ZENML_VERTEX_RUN_ID",
    "CLOUD_ML_JOB_ID",
    "AZUREML_ROOT_RUN_ID",
    "AZUREML_RUN_ID",
    "AZUREML_JOB_ID",
    "ZENML_MODAL_RUN_ID",
    "ZENML_MODAL_APP_NAME",
    "KFP_RUN_ID",
)

# mlflow.store.db.db_types.DATABASE_ENGINES, read by the MLflow tracker's URI check.
MLFLOW_DATABASE_ENGINES = ["postgresql", "mysql", "sqlite", "mssql"]

DEFAULT_ARTIFACT_STORE_PATH = os.path.join(tempfile.gettempdir(), "zenml_hooks_artifact_store")

COMPONENT_ID = UUID("00000000-0000-4000-8000-000000000001")
PROJECT_ID = UUID("00000000-0000-4000-8000-000000000002")
EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)


# ---------------------------------------------------------------------------------------------
# Vendor SDK stubs


class _StubType(type):
    """Metaclass of stub classes: any public class attribute is another stub class."""

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in KUBERNETES_MODEL_MAPS:
            # A Kubernetes model class with no attributes, as ZenML's pod settings read it.
            return {}
        attribute = _stub_class(name, cls.__module__, f"{cls.__qualname__}.{name}")
        setattr(cls, name, attribute)
        return attribute

    def __getitem__(cls, item: Any) -> Any:
        return cls


class _Stub(metaclass=_StubType):
    """Instance of a stubbed SDK class: accepts any call, every public attribute is a stub."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Stub()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _Stub()


class _StubError(Exception, metaclass=_StubType):
    """Stubbed SDK exception class."""


def _stub_class(name: str, module: str, qualname: Optional[str] = None) -> type:
    base = _StubError if name.endswith(("Error", "Exception")) else _Stub
    return _StubType(name, (base,), {"__module__": module, "__qualname__": qualname or name})


class _StubModule(types.ModuleType):
    """Stubbed SDK module: every public attribute not set explicitly is a stub class."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        attribute = _stub_class(name, self.__name__)
        setattr(self, name, attribute)
        return attribute


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves every module under STUBBED_PACKAGES as a `_StubModule` package."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname.split(".")[0] in STUBBED_PACKAGES:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec: Any) -> types.ModuleType:
        module = _StubModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        pass


def _with_attributes(class_name: str, attributes: Dict[str, Any]) -> Any:
    """An object of a class named like the SDK's, with exactly the given attributes."""
    obj = type(class_name, (), {})()
    for key, value in attributes.items():
        setattr(obj, key, value)
    return obj


class SdkState:
    """Per-case state the stubbed SDK functions read."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.mlflow_active_run: Any = None
        self.artifact_store_path: str = DEFAULT_ARTIFACT_STORE_PATH
        self.azureml_job: Any = None
        self.azureml_error: Optional[str] = None
        self.run_settings: Dict[str, Any] = {}


STATE = SdkState()


class _AzureMLJobs:
    def get(self, name: str) -> Any:
        if STATE.azureml_error is not None:
            raise Exception(STATE.azureml_error)
        return STATE.azureml_job


class _MLClient:
    """azure.ai.ml.MLClient: only `jobs.get` is served."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.jobs = _AzureMLJobs()


class _ActiveStackClient:
    """Stands in for zenml.client.Client where a hook only reads the active artifact store path."""

    def __init__(self) -> None:
        artifact_store = types.SimpleNamespace(path=STATE.artifact_store_path)
        self.active_stack = types.SimpleNamespace(artifact_store=artifact_store)


class _RunClient:
    """Stands in for zenml.client.Client where a hook fetches its pipeline run to read the run's
    settings: the run's pipeline configuration holds the case's `run_settings`."""

    def get_pipeline_run(self, run_id: Any) -> Any:
        from zenml.config.pipeline_configurations import PipelineConfiguration

        configuration = PipelineConfiguration(name="training", settings=STATE.run_settings)
        return types.SimpleNamespace(id=run_id, pipeline_configuration=configuration)


def install_sdk_stubs() -> None:
    """Installs the stub finder and the stub behaviour the hooks depend on."""
    for name in list(sys.modules):
        if name.split(".")[0] in STUBBED_PACKAGES:
            del sys.modules[name]
    sys.meta_path.insert(0, _StubFinder())

    mlflow = importlib.import_module("mlflow")
    mlflow.active_run = lambda: STATE.mlflow_active_run
    importlib.import_module("mlflow.store.db.db_types").DATABASE_ENGINES = MLFLOW_DATABASE_ENGINES

    importlib.import_module("wandb").run = None

    importlib.import_module("azure.ai.ml").MLClient = _MLClient


# ---------------------------------------------------------------------------------------------
# ZenML


class HookRunner:
    """Builds components from cases, runs their hooks and serializes like ZenML's client."""

    def __init__(self) -> None:
        from zenml.client import Client
        from zenml.config.pipeline_configurations import PipelineConfiguration
        from zenml.config.step_configurations import StepConfiguration
        from zenml.config.step_run_info import StepRunInfo
        from zenml.enums import MetadataResourceTypes
        from zenml.models import RunMetadataResource
        from zenml.utils.secret_utils import is_secret_reference

        self._client_create_run_metadata = Client.create_run_metadata
        self._pipeline_configuration = PipelineConfiguration
        self._step_configuration = StepConfiguration
        self._step_run_info = StepRunInfo
        self._resource_types = MetadataResourceTypes
        self._resource = RunMetadataResource
        self._is_secret_reference = is_secret_reference
        self._flavors: Dict[str, Any] = {}

    def flavor(self, component: str) -> Any:
        if component not in self._flavors:
            if component not in FLAVORS:
                raise ValueError(f"unknown component {component!r}")
            module, class_name = FLAVORS[component]
            flavor = getattr(importlib.import_module(module), class_name)()
            implementation = flavor.implementation_class
            if component == "mlflow":
                sys.modules[implementation.__module__].Client = _ActiveStackClient
            if component == "kubeflow_orchestrator":
                sys.modules[implementation.__module__].Client = _RunClient
            self._flavors[component] = flavor
        return self._flavors[component]

    def build_component(self, case: Dict[str, Any]) -> Any:
        flavor = self.flavor(case["component"])
        config = case.get("config") or {}
        references = [key for key, value in config.items() if self._is_secret_reference(value)]
        if references:
            # Resolving them would make ZenML query its secret store.
            raise ValueError(f"secret references in config are not supported: {references}")
        return flavor.implementation_class(
            name=case.get("component_name") or case["component"],
            id=COMPONENT_ID,
            config=flavor.config_class(**config),
            flavor=flavor.name,
            type=flavor.type,
            user=None,
            created=EPOCH,
            updated=EPOCH,
            connector_requirements=flavor.service_connector_requirements,
        )

    def step_run_info(self, info: Dict[str, Any]) -> Any:
        step_config = self._step_configuration(
            name=info["pipeline_step_name"], settings=info.get("settings") or {}
        )
        return self._step_run_info.model_construct(
            step_run_id=UUID(info["step_run_id"]),
            run_id=UUID(info["run_id"]),
            run_name=info["run_name"],
            pipeline_step_name=info["pipeline_step_name"],
            config=step_config,
            pipeline=self._pipeline_configuration(name=info["pipeline_name"]),
            force_write_logs=lambda *args, **kwargs: None,
        )

    def run_hook(self, case: Dict[str, Any]) -> List[List[Any]]:
        component = self.build_component(case)
        apply_sdk_state(case["component"], component, case.get("sdk") or {})
        hook = case["hook"]
        if hook == "step":
            info = self.step_run_info(case["info"])
            metadata = component.get_step_run_metadata(info=info)
            resource = self._resource(id=info.step_run_id, type=self._resource_types.STEP_RUN)
        elif hook == "pipeline":
            run_id = UUID(case["run_id"])
            STATE.run_settings = case.get("run_settings") or {}
            metadata = component.get_pipeline_run_metadata(run_id=run_id)
            resource = self._resource(id=run_id, type=self._resource_types.PIPELINE_RUN)
        else:
            raise ValueError(f"unknown hook {hook!r}")
        return self.published(metadata, resource, component.id)

    def published(self, metadata: Dict[str, Any], resource: Any, component_id: UUID) -> List[List[Any]]:
        """The (key, value JSON, type) rows ZenML's client posts for a hook's metadata."""
        sent: List[Any] = []
        recorder = types.SimpleNamespace(
            active_project=types.SimpleNamespace(id=PROJECT_ID),
            zen_store=types.SimpleNamespace(create_run_metadata=sent.append),
        )
        self._client_create_run_metadata(
            recorder, metadata=metadata, resources=[resource], stack_component_id=component_id
        )
        rows: List[List[Any]] = []
        for request in sent:
            body = request.model_dump(mode="json")
            for key, value in body["values"].items():
                rows.append([key, json.dumps(value), body["types"][key]])
        return rows


def apply_sdk_state(component_kind: str, component: Any, sdk: Dict[str, Any]) -> None:
    STATE.reset()
    if component_kind == "mlflow":
        active_run = sdk.get("active_run")
        if active_run is not None:
            STATE.mlflow_active_run = _with_attributes(
                "Run", {"info": _with_attributes("RunInfo", active_run)}
            )
        if sdk.get("artifact_store_path") is not None:
            STATE.artifact_store_path = sdk["artifact_store_path"]
    elif component_kind == "wandb":
        run = sdk.get("run")
        sys.modules["wandb"].run = None if run is None else _with_attributes("Run", run)
    elif component_kind == "comet":
        if "experiment" in sdk:
            experiment = sdk["experiment"]
            component.experiment = (
                None if experiment is None else _with_attributes("Experiment", experiment)
            )
    elif component_kind == "azureml_orchestrator":
        job = sdk.get("job")
        if job is not None:
            attributes = dict(job)
            services = attributes.get("services")
            if isinstance(services, dict):
                attributes["services"] = {
                    name: _with_attributes("JobService", service)
                    if isinstance(service, dict)
                    else service
                    for name, service in services.items()
                }
            STATE.azureml_job = _with_attributes("PipelineJob", attributes)
        STATE.azureml_error = sdk.get("raise")


class CaseEnvironment:
    """Applies a case's environment variables and restores the process environment afterwards."""

    def __init__(self, env: Optional[Dict[str, Optional[str]]]) -> None:
        self.env = env or {}
        self.saved: Dict[str, str] = {}

    def __enter__(self) -> "CaseEnvironment":
        self.saved = dict(os.environ)
        for name in RUN_ID_ENV_VARS:
            os.environ.pop(name, None)
        for name, value in self.env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = str(value)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        os.environ.clear()
        os.environ.update(self.saved)


def run_case(runner: HookRunner, case: Dict[str, Any]) -> Dict[str, Any]:
    name = case.get("name")
    try:
        with CaseEnvironment(case.get("env")):
            return {"name": name, "metadata": runner.run_hook(case)}
    except Exception as e:
        return {"name": name, "error": str(e) or type(e).__name__}
    finally:
        STATE.reset()
        sys.modules["wandb"].run = None


def main() -> None:
    cases = json.load(sys.stdin)
    # ZenML's console logging writes to file descriptor 1; keep it for the JSON result only.
    result_fd = os.dup(sys.stdout.fileno())
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    install_sdk_stubs()
    runner = HookRunner()
    results = [run_case(runner, case) for case in cases]

    sys.stdout.flush()
    with os.fdopen(result_fd, "w") as out:
        out.write("[\n" + ",\n".join(json.dumps(result) for result in results) + "\n]\n")


if __name__ == "__main__":
    main()
