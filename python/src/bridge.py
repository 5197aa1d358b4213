"""The Python half of run-metadata's bridge, added to every module that exposes a Rust component."""

import json
import logging


class RustMetadata:
    """Mixin for a ZenML stack component whose run metadata comes from a Rust struct.

    Put it first among the bases and name the Rust constructor, and the settings class if the
    component reads settings (ZenML then validates a step's or a run's settings with it)::

        class RustExperimentTracker(RustMetadata, BaseExperimentTracker):
            rust_component = RustTracker
            rust_settings = RustTrackerSettings

    The struct is built once per component, from the component's config, when a hook first runs.
    ZenML's ``get_pipeline_run_metadata`` and ``get_step_run_metadata`` then return the base
    class's metadata with what the derived hooks report over it; ``prepare_step_run`` and
    ``cleanup_step_run`` run the base class's, then the struct's. The step's settings reach Rust
    keyed as ZenML keys them, and under ``"{type}.{flavor}"`` (``"experiment_tracker.rust_tracker"``)
    this component's own, as its ``get_settings(info)`` resolves them: the config's values
    overlaid with the step's.

    A metadata hook that fails or panics in Rust raises ``HookFailed``, which ZenML logs before
    dropping that component's metadata for that hook. A panic in ``prepare_step_run`` or
    ``cleanup_step_run`` raises it too, and there ZenML fails the step, as it does for any
    component. A config the struct cannot read raises ``ValueError`` on the first call: give the
    config class the constraints the struct has, and ZenML refuses such a config when the
    component is registered.
    """

    rust_component = None
    rust_settings = None

    @property
    def settings_class(self):
        return type(self).rust_settings or getattr(super(), "settings_class", None)

    def _rust_hooks(self):
        hooks = self.__dict__.get("_run_metadata_hooks")
        if hooks is None:
            build = type(self).rust_component
            if build is None:
                raise TypeError(
                    f"{type(self).__name__} must set `rust_component` to a constructor its "
                    "extension module exposes"
                )
            # Two threads may build at once; both then keep the one stored first.
            hooks = self.__dict__.setdefault("_run_metadata_hooks", build(self.config))
        return hooks

    def get_pipeline_run_metadata(self, run_id):
        # The base class's own metadata first (ZenML's integrations report theirs), then the
        # struct's, which wins on a shared key.
        metadata = dict(super().get_pipeline_run_metadata(run_id) or {})
        metadata.update(self._rust_hooks().pipeline_run_metadata(run_id, self))
        return metadata

    def get_step_run_metadata(self, info):
        metadata = dict(super().get_step_run_metadata(info) or {})
        metadata.update(self._rust_hooks().step_run_metadata(info, self))
        return metadata

    def prepare_step_run(self, info):
        super().prepare_step_run(info)
        self._rust_hooks().prepare_step_run(info, self)

    def cleanup_step_run(self, info, step_failed):
        try:
            super().cleanup_step_run(info, step_failed)
        finally:
            self._rust_hooks().cleanup_step_run(info, step_failed, self)


def config_json(config):
    """A component's config as JSON: a pydantic model's fields as the component reads them, a
    dict, or JSON text as it is.

    Each field is read as an attribute, so that ZenML resolves its ``{{secret.key}}``
    references, and a ``SecretStr`` gives its value: the struct sees what a Python component
    reading ``self.config.<field>`` sees.
    """
    if isinstance(config, str):
        return config
    if hasattr(config, "model_dump"):
        from pydantic_core import to_jsonable_python

        data = config.model_dump(mode="json")
        for name in getattr(type(config), "model_fields", {}):
            value = getattr(config, name)
            if hasattr(value, "get_secret_value"):
                value = value.get_secret_value()
            data[name] = to_jsonable_python(value)
        config = data
    return json.dumps(config)


def _settings_json(settings):
    return json.dumps(
        {
            key: value.model_dump(mode="json") if hasattr(value, "model_dump") else value
            for key, value in (settings or {}).items()
        }
    )


def settings_json(info):
    """The step's settings as JSON, keyed as ZenML keys them (``info.config.settings``)."""
    return _settings_json(getattr(getattr(info, "config", None), "settings", None))


def run_settings_json(run_id, component):
    """The run's settings as JSON, as ``component.get_settings(run)`` reads them; ``{}`` for a
    component without a settings class, which reads none (and so costs no request)."""
    if getattr(component, "settings_class", None) is None:
        return "{}"
    from zenml.client import Client

    run = Client().get_pipeline_run(run_id)
    return _settings_json(run.config.settings)


def component_ref(component):
    """A component's type, name and flavor, as ZenML's settings keys use them; ``None`` for an
    object that is not a stack component (it has no settings keys)."""
    kind, name, flavor = (getattr(component, a, None) for a in ("type", "name", "flavor"))
    if kind is None or name is None or flavor is None:
        return None
    return (str(getattr(kind, "value", kind)), str(name), str(flavor))


def warn_non_finite(keys):
    """Says which keys held a NaN or an infinity, handed to ZenML as words."""
    logging.getLogger("run_metadata").warning(
        "metadata %s held a NaN or an infinity, which ZenML's client cannot send: reported as "
        "the string 'NaN', 'Infinity' or '-Infinity' instead",
        ", ".join(repr(k) for k in keys),
    )
