"""Checks run-metadata-python against ZenML's own code (zenml==0.98.0 and the fixture wheel of
python/fixture installed; `scripts/python-wheel.sh python/fixture` does both):

- every MetadataValue variant, handed to ZenML by a Rust hook, has the Python type ZenML's own
  `get_metadata_type` maps to its tag, and ZenML's client's request model (`RunMetadataRequest`,
  serialized as the client sends it) carries the same values and types as this crate's wire JSON
  (a NaN or an infinity: the same word, tagged `str`);
- sets of lists and sets reach Python hashable; what no Python set can hold is an error;
- the `RustMetadata` mixin: the struct built from a pydantic config (secrets unwrapped), the base
  class's metadata kept under the struct's, cleanup run even when the base's fails;
- ZenML's `StepRunInfo` attributes and settings reach Rust;
- a hook's error and a hook's panic are `HookFailed` exceptions, and Python goes on.

Prints one line per check and exits 1 on the first failure.
"""

import json
import math
import sys
import types
import uuid

import logging

from pydantic import BaseModel, SecretStr
from run_metadata_fixture import Hostile, Prepared, Faulty, HookFailed, RustMetadata, Wire, metadata_types
from zenml.metadata.metadata_types import MetadataTypeEnum, get_metadata_type
from zenml.models import RunMetadataRequest, RunMetadataResource
from zenml.enums import MetadataResourceTypes

BIG = 2**127 - 1
# One case per tag, and the extremes of each: (key, wire value, tag).
CASES = [
    ("str", "héllo \u2028 \"quoted\" \\ <script>", "str"),
    ("str_empty", "", "str"),
    ("int", 42, "int"),
    ("int_i64_min", -(2**63), "int"),
    ("int_u64_max", 2**64 - 1, "int"),
    ("int_i128_max", BIG, "int"),
    ("int_i128_min", -(2**127), "int"),
    ("int_u128_max", 2**128 - 1, "int"),
    ("float", 0.1, "float"),
    ("float_whole", 2.0, "float"),
    ("float_tiny", 5e-324, "float"),
    # JSON has no NaN or infinity: this crate writes the words, tagged float.
    ("float_nan", "NaN", "float"),
    ("float_inf", "Infinity", "float"),
    ("float_minus_inf", "-Infinity", "float"),
    ("bool", True, "bool"),
    ("list", [1, "a", [2.5, None is None], {"k": 1}], "list"),
    ("list_empty", [], "list"),
    ("dict", {"b": 1, "a": {"nested": [1, 2]}, "c": BIG}, "dict"),
    ("dict_empty", {}, "dict"),
    ("tuple", [1, "two", 3.0], "tuple"),
    ("set", ["x", "y", 3], "set"),
    ("uri", "https://example.com/runs/1?a=b", "Uri"),
    ("path", "/data/runs/1", "Path"),
    ("dtype", "float32", "DType"),
    ("storage_size", 1_000_000, "StorageSize"),
    ("storage_size_max", 2**64 - 1, "StorageSize"),
]

NON_FINITE = {"float_nan", "float_inf", "float_minus_inf"}


class Settings:
    """A stand-in for a pydantic settings model."""

    def __init__(self, data):
        self.data = data

    def model_dump(self, mode="python"):
        return dict(self.data)


def info_of():
    """An object with the attributes of ZenML's StepRunInfo that the bridge reads."""
    return types.SimpleNamespace(
        run_id=uuid.uuid4(),
        step_run_id=uuid.uuid4(),
        run_name="training-2026_11_30",
        pipeline_step_name="train",
        pipeline=types.SimpleNamespace(name="training"),
        config=types.SimpleNamespace(settings={"experiment_tracker.mlflow": Settings({"nested": True, "tags": ["a"]})}),
    )


class Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


WARNINGS = Records()
logging.getLogger("run_metadata").addHandler(WARNINGS)
failures = 0


def check(what, ok, detail=""):
    global failures
    print(("ok   " if ok else "FAIL ") + what + (f": {detail}" if detail and not ok else ""))
    if not ok:
        failures += 1


def same(a, b, unordered=False):
    """JSON-equal, NaN equal to NaN, and a set's elements in any order."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return False
        if unordered:
            key = lambda v: json.dumps(v, sort_keys=True)  # noqa: E731
            a, b = sorted(a, key=key), sorted(b, key=key)
        return all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def main():
    check(
        "the cases cover every tag of MetadataType",
        {tag for _, _, tag in CASES} == set(metadata_types()),
        f"missing {set(metadata_types()) - {t for _, _, t in CASES}}",
    )
    values = {key: value for key, value, _ in CASES}
    tags = {key: tag for key, _, tag in CASES}
    wire_values = json.dumps(values)
    hooks = Wire({"values": wire_values, "types": json.dumps(tags)})
    run_id = uuid.uuid4()
    metadata = hooks.pipeline_run_metadata(run_id)
    check("keys in order", list(metadata) == list(values), f"{list(metadata)}")

    for key, _, tag in CASES:
        value = metadata[key]
        got = get_metadata_type(value)
        expected = "str" if key in NON_FINITE else tag
        check(f"{key}: get_metadata_type gives {expected}", got == MetadataTypeEnum(expected), f"{got!r} for {value!r}")
    check("tuple is a Python tuple", type(metadata["tuple"]) is tuple)
    check("set is a Python set", type(metadata["set"]) is set)
    check("big int exact", metadata["int_u128_max"] == 2**128 - 1 and metadata["int_i128_min"] == -(2**127))
    check("nested big int exact", metadata["dict"]["c"] == BIG)
    check("non-finite floats as their words",
          [metadata[k] for k in ("float_nan", "float_inf", "float_minus_inf")] == ["NaN", "Infinity", "-Infinity"])
    check("the words were warned about", any("float_nan" in r.getMessage() and "float_minus_inf" in r.getMessage()
                                              for r in WARNINGS.records), [r.getMessage() for r in WARNINGS.records])

    # What ZenML's client would send for these Python values (zenml/client.py,
    # create_run_metadata, then RestZenStore.post: `json=body.model_dump(mode="json")`).
    request = RunMetadataRequest(
        project=uuid.uuid4(),
        resources=[RunMetadataResource(id=run_id, type=MetadataResourceTypes.PIPELINE_RUN)],
        stack_component_id=None,
        values=dict(metadata),
        types={key: get_metadata_type(value) for key, value in metadata.items()},
    )
    dumped = request.model_dump(mode="json")
    try:
        json.dumps(dumped, allow_nan=False)  # as `requests` encodes a `json=` body
        check("ZenML's client can send every value", True)
    except ValueError as e:
        check("ZenML's client can send every value", False, str(e))
    body = json.loads(json.dumps(dumped))
    ours = json.loads(wire_values)
    for key, _, tag in CASES:
        check(
            f"{key}: ZenML's request carries our value",
            same(body["values"][key], ours[key], unordered=tag == "set"),
            f"{body['values'][key]!r} != {ours[key]!r}",
        )
        expected = "str" if key in NON_FINITE else tag
        check(f"{key}: ZenML's request carries type {expected}", body["types"][key] == expected, body["types"][key])

    # Sets of lists and of sets: hashable in Python, the same JSON arrays to ZenML.
    nested = {"s": [[1, [2]], [3]], "ss": [["a"], ["b", "c"]]}
    held = Wire({"values": json.dumps(nested), "types": json.dumps({"s": "set", "ss": "set"})}).pipeline_run_metadata(run_id)
    check("a set of lists is a set of tuples", held["s"] == {(1, (2,)), (3,)}, repr(held["s"]))
    sent = RunMetadataRequest(
        project=uuid.uuid4(),
        resources=[RunMetadataResource(id=run_id, type=MetadataResourceTypes.PIPELINE_RUN)],
        values=dict(held), types={k: get_metadata_type(v) for k, v in held.items()},
    ).model_dump(mode="json")
    for key in nested:
        check(f"{key}: ZenML sends the set's arrays", same(sent["values"][key], nested[key], unordered=True)
              and sent["types"][key] == "set", repr(sent["values"][key]))
    # What no Python set can hold is an error, not a value changed into another.
    for what, values in [("a set of dicts", [{"a": 1}]), ("1 and true in one set", [1, True]),
                         ("1 and 1.0 in one set", [1, 1.0])]:
        bad = Wire({"values": json.dumps({"s": values}), "types": json.dumps({"s": "set"})})
        try:
            bad.pipeline_run_metadata(run_id)
            check(f"{what} is refused", False, "no error")
        except TypeError as e:
            check(f"{what} is refused, naming the key", "'s'" in str(e) or '"s"' in str(e), str(e))

    # The mixin, on a base class of its own: the struct built from a pydantic config whose
    # `values` is a secret, the base's metadata kept, and the struct's winning a shared key.
    class Config(BaseModel):
        values: SecretStr
        types: str

    class Base:
        def __init__(self, config):
            self.config = config
            self.calls = []

        def get_pipeline_run_metadata(self, run_id):
            return {"base_only": 1, "int": "the base's"}

        def get_step_run_metadata(self, info):
            return {}

        def prepare_step_run(self, info):
            self.calls.append("base prepare")

        def cleanup_step_run(self, info, step_failed):
            self.calls.append("base cleanup")
            raise RuntimeError("the base's cleanup failed")

    class Component(RustMetadata, Base):
        rust_component = Wire

    component = Component(Config(values=json.dumps({"int": 7}), types=json.dumps({"int": "int"})))
    merged = component.get_pipeline_run_metadata(run_id)
    check("the secret config field reached Rust unmasked", merged.get("int") == 7, repr(merged))
    check("the base's metadata is kept", merged.get("base_only") == 1, repr(merged))
    try:
        component.cleanup_step_run(info_of(), False)
        check("the base's cleanup error still raises", False, "no error")
    except RuntimeError as e:
        check("the base's cleanup error still raises", "base's cleanup" in str(e), str(e))
    check("the base's hooks ran", component.calls == ["base cleanup"], component.calls)

    # StepRunInfo: ids, names, the pipeline's name, and the settings, as ZenML's attributes hold them.
    info = info_of()
    told = hooks.step_run_metadata(info)
    check("run_id reaches Rust", told["run_id"] == str(info.run_id))
    check("step_run_id reaches Rust", told["step_run_id"] == str(info.step_run_id))
    check("names reach Rust", (told["run_name"], told["pipeline_name"], told["pipeline_step_name"]) == ("training-2026_11_30", "training", "train"))
    check(
        "settings reach Rust",
        json.loads(told["settings"]) == {"experiment_tracker.mlflow": {"nested": True, "tags": ["a"]}},
        told["settings"],
    )
    try:
        hooks.step_run_metadata(types.SimpleNamespace(**{**vars(info), "run_id": "not-a-uuid"}))
        check("a bad run id is refused", False, "no error")
    except ValueError as e:
        check("a bad run id is refused", "run_id" in str(e), str(e))

    # Failures: an Err and a panic are HookFailed (a RuntimeError, so ZenML's `except Exception`
    # catches it), and the interpreter goes on.
    faulty = Faulty({"message": "tracker unreachable"})
    check("HookFailed is a RuntimeError", issubclass(HookFailed, RuntimeError))
    for hook, call, word in [
        ("step hook error", lambda: faulty.step_run_metadata(info), "failed"),
        ("pipeline hook panic", lambda: faulty.pipeline_run_metadata(run_id), "panicked"),
        ("pipeline hook panic, again", lambda: faulty.pipeline_run_metadata(run_id), "panicked"),
    ]:
        try:
            call()
            check(f"{hook} raises HookFailed", False, "no exception")
        except HookFailed as e:
            check(f"{hook} raises HookFailed", word in str(e) and "tracker unreachable" in str(e), str(e))
    check("Python goes on after a panic", hooks.pipeline_run_metadata(run_id)["int"] == 42)

    # A config the struct cannot read: each metadata hook is a HookFailed saying why (ZenML logs
    # it and drops the component's metadata); a struct without a lifecycle of its own does not
    # fail the step; one with a `prepare_step_run` does, as a raising one does in ZenML.
    broken = Wire({"values": "{}"})
    for hook, call in [("pipeline", lambda: broken.pipeline_run_metadata(run_id)),
                       ("step", lambda: broken.step_run_metadata(info))]:
        try:
            call()
            check(f"an unreadable config: the {hook} hook fails", False, "no error")
        except HookFailed as e:
            check(f"an unreadable config: the {hook} hook fails, saying why",
                  "does not read as" in str(e) and "types" in str(e), str(e))
    broken.prepare_step_run(info)
    broken.cleanup_step_run(info, False)
    check("an unreadable config of a struct without a lifecycle fails no step", True)
    try:
        Prepared({"ready": "yes"}).prepare_step_run(info)
        check("an unreadable config of a struct with prepare_step_run fails it", False, "no error")
    except HookFailed as e:
        check("an unreadable config of a struct with prepare_step_run fails it",
              "prepare_step_run failed" in str(e) and "does not read as" in str(e), str(e))
    Prepared({"ready": True}).prepare_step_run(info)

    # Values deeper than MAX_DEPTH, and a panic whose payload panics when dropped: HookFailed.
    check("128 deep crosses", Hostile({"depth": 128}).pipeline_run_metadata(run_id)["deep"] is not None)
    for depth in (129, 1000):
        try:
            Hostile({"depth": depth}).pipeline_run_metadata(run_id)
            check(f"{depth} deep is refused", False, "no error")
        except HookFailed as e:
            check(f"{depth} deep is refused, naming the key", "'deep'" in str(e) or '"deep"' in str(e), str(e))
    try:
        Hostile({"depth": 1}).step_run_metadata(info)
        check("a panicking payload is a HookFailed", False, "no error")
    except HookFailed as e:
        check("a panicking payload is a HookFailed", "panicked" in str(e), str(e))

    print(f"{failures} failures")
    sys.exit(1 if failures else 0)


main()
