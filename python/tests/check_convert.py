"""Checks run-metadata-python against ZenML's own code (zenml==0.98.0 and the fixture wheel of
python/fixture installed; `scripts/python-wheel.sh python/fixture` does both):

- every MetadataValue variant, handed to ZenML by a Rust hook, has the Python type ZenML's own
  `get_metadata_type` maps to its tag, and ZenML's client's request model (`RunMetadataRequest`,
  serialized as the client sends it) carries the same values and types as this crate's wire JSON;
- ZenML's `StepRunInfo` attributes and settings reach Rust;
- a hook's error and a hook's panic are `HookFailed` exceptions, and Python goes on.

Prints one line per check and exits 1 on the first failure.
"""

import json
import math
import sys
import types
import uuid

from run_metadata_fixture import Faulty, HookFailed, Wire, metadata_types
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
        check(f"{key}: get_metadata_type gives {tag}", got == MetadataTypeEnum(tag), f"{got!r} for {value!r}")
    check("tuple is a Python tuple", type(metadata["tuple"]) is tuple)
    check("set is a Python set", type(metadata["set"]) is set)
    check("big int exact", metadata["int_u128_max"] == 2**128 - 1 and metadata["int_i128_min"] == -(2**127))
    check("nested big int exact", metadata["dict"]["c"] == BIG)
    check("float NaN", math.isnan(metadata["float_nan"]))
    check("float infinities", metadata["float_inf"] == math.inf and metadata["float_minus_inf"] == -math.inf)

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
        check("ZenML's client cannot send a non-finite float", False, "it encoded")
    except ValueError:
        check("ZenML's client cannot send a non-finite float", True)
    body = json.loads(json.dumps(dumped))
    ours = json.loads(wire_values)
    for key, _, tag in CASES:
        if key in NON_FINITE:
            # The same float ZenML's client holds for a Python component: it fails that publish
            # in ZenML's client, as a Python component's would (this crate's own client sends
            # the word instead).
            check(
                f"{key}: ZenML's request holds the same float",
                same(body["values"][key], float(ours[key])),
                repr(body["values"][key]),
            )
            continue
        check(
            f"{key}: ZenML's request carries our value",
            same(body["values"][key], ours[key], unordered=tag == "set"),
            f"{body['values'][key]!r} != {ours[key]!r}",
        )
        check(f"{key}: ZenML's request carries our type", body["types"][key] == tag, body["types"][key])

    # A set of lists has no Python form: an error, not a silently changed value.
    bad = Wire({"values": json.dumps({"s": [[1], [2]]}), "types": json.dumps({"s": "set"})})
    try:
        bad.pipeline_run_metadata(run_id)
        check("a set of lists is refused", False, "no error")
    except TypeError as e:
        check("a set of lists is refused", "set" in str(e), str(e))

    # StepRunInfo: ids, names, the pipeline's name, and the settings, as ZenML's attributes hold them.
    class Settings:
        def __init__(self, data):
            self.data = data

        def model_dump(self, mode="python"):
            return dict(self.data)

    info = types.SimpleNamespace(
        run_id=uuid.uuid4(),
        step_run_id=uuid.uuid4(),
        run_name="training-2026_11_30",
        pipeline_step_name="train",
        pipeline=types.SimpleNamespace(name="training"),
        config=types.SimpleNamespace(settings={"experiment_tracker.mlflow": Settings({"nested": True, "tags": ["a"]})}),
    )
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

    try:
        Wire({"values": "{}"})
        check("a config missing a field is refused", False, "no error")
    except ValueError as e:
        check("a config missing a field is refused", "types" in str(e), str(e))

    print(f"{failures} failures")
    sys.exit(1 if failures else 0)


main()
