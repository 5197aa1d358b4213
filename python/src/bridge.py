"""The Python half of run-metadata's bridge, added to every module that exposes a Rust component."""

import json


class RustMetadata:
    """Mixin for a ZenML stack component whose run metadata comes from a Rust struct.

    Put it first among the bases and name the Rust constructor, and the settings class if the
    component reads per-step settings::

        class RustExperimentTracker(RustMetadata, BaseExperimentTracker):
            rust_component = RustTracker
            rust_settings = RustTrackerSettings

    The struct is built once per component, from the component's config, when a hook first runs.
    ZenML's ``get_pipeline_run_metadata`` and ``get_step_run_metadata`` then return what its derived
    hooks report; ``prepare_step_run`` and ``cleanup_step_run`` run the base class's, then the
    struct's. The step's settings reach Rust keyed as ZenML keys them, and under
    ``"{type}.{flavor}"`` (``"experiment_tracker.rust_tracker"``) this component's own, as its
    ``get_settings(info)`` resolves them: the config's values overlaid with the step's. A hook that fails or panics in Rust raises ``HookFailed``, which ZenML logs before
    dropping that component's metadata for that hook.
    """

    rust_component = None
    rust_settings = None

    @property
    def settings_class(self):
        return type(self).rust_settings or super().settings_class

    def _rust_hooks(self):
        hooks = self.__dict__.get("_run_metadata_hooks")
        if hooks is None:
            build = type(self).rust_component
            if build is None:
                raise TypeError(
                    f"{type(self).__name__} must set `rust_component` to a constructor its "
                    "extension module exposes"
                )
            hooks = build(self.config)
            self.__dict__["_run_metadata_hooks"] = hooks
        return hooks

    def get_pipeline_run_metadata(self, run_id):
        return self._rust_hooks().pipeline_run_metadata(run_id)

    def get_step_run_metadata(self, info):
        return self._rust_hooks().step_run_metadata(info, self)

    def prepare_step_run(self, info):
        super().prepare_step_run(info)
        self._rust_hooks().prepare_step_run(info, self)

    def cleanup_step_run(self, info, step_failed):
        super().cleanup_step_run(info, step_failed)
        self._rust_hooks().cleanup_step_run(info, step_failed, self)


def config_json(config):
    """A component's config as JSON: a pydantic model's fields, a dict, or JSON text as it is."""
    if isinstance(config, str):
        return config
    if hasattr(config, "model_dump"):
        config = config.model_dump(mode="json")
    return json.dumps(config)


def settings_json(info, component=None):
    """The step's settings as JSON, keyed as ZenML keys them; with `component`, its own settings
    as its ``get_settings(info)`` resolves them, under ``"{type}.{flavor}"``."""
    config = getattr(info, "config", None)
    settings = {
        key: value.model_dump(mode="json") if hasattr(value, "model_dump") else value
        for key, value in (getattr(config, "settings", None) or {}).items()
    }
    if component is not None and component.settings_class is not None:
        own = component.get_settings(info).model_dump(mode="json")
        settings[f"{component.type}.{component.flavor}"] = own
    return json.dumps(settings)
