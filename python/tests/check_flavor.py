"""Runs a real ZenML pipeline on a stack with the Rust components of examples/zenml-flavor and
checks what reaches the server (the wheel installed: `scripts/python-wheel.sh
examples/zenml-flavor`).

    python check_flavor.py

The server and credentials come from ZENML_STORE_URL, ZENML_STORE_USERNAME and
ZENML_STORE_PASSWORD; ZENML_SERVER_DB, if set, is the server's SQLite database, read (read-only)
for the types it stored. Everything ZenML writes locally goes to a fresh ZENML_CONFIG_PATH.

The flavors are registered with ZenML's CLI, the components and a stack under fresh names, and
the pipeline of examples/zenml-flavor/pipeline.py runs with ZenML's local orchestrator. Then,
read back with ZenML's Python client and from the server's database:

- the run carries the tracker's and the orchestrator's pipeline metadata, each under its
  component (the tracker's URI read from a ZenML secret), with the types the Rust fields declare (a Uri stays Uri, a tuple a tuple, the
  128-bit seed exact);
- `train` carries the tracker's step metadata, settings applied;
- `evaluate`, whose settings make the tracker's hook-time source fail, carries none of it, and
  ZenML logged why; the run's other metadata is unaffected;
- `export`, which does not use the tracker, carries none;
- on a second stack, an orchestrator whose flavor's config lets `work_dir` be `None` (the Rust
  struct needs a string) and is registered without one: the pipeline completes, ZenML logs why
  that orchestrator reported nothing, and the run has none of its keys but all of the tracker's.

Prints one line per check; exits 1 if any failed.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "examples", "zenml-flavor")
ZENML = os.path.join(os.path.dirname(sys.executable), "zenml")

failures = 0

# A flavor of the Rust orchestrator whose config lets `work_dir` be `None`, as pydantic configs
# often do (`Optional[str] = None`); the Rust struct reads a string.
OPTIONAL_FLAVOR = """
from typing import Optional, Type

from rust_components.flavors import RustRunnerConfig, RustRunnerFlavor


class OptionalRunnerConfig(RustRunnerConfig):
    work_dir: Optional[str] = None


class OptionalRunnerFlavor(RustRunnerFlavor):
    @property
    def name(self) -> str:
        return "rust_runner_optional"

    @property
    def config_class(self) -> Type[OptionalRunnerConfig]:
        return OptionalRunnerConfig
"""


def check(what, ok, detail=""):
    global failures
    print(("ok   " if ok else "FAIL ") + what + (f": {detail}" if detail and not ok else ""), flush=True)
    if not ok:
        failures += 1


def run(args, cwd, env, what):
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"FAIL {what}: exit {done.returncode}\n{done.stdout}\n{done.stderr}", flush=True)
        sys.exit(1)
    return done.stdout + done.stderr


def stored(db, resource_id, resource_type):
    """(key → (value, type, component id)) the server stored for a resource."""
    if not db:
        return None
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute(
        "SELECT m.key, m.value, m.type, m.stack_component_id FROM run_metadata m "
        "JOIN run_metadata_resource r ON r.run_metadata_id = m.id "
        "WHERE r.resource_id = ? AND r.resource_type = ?",
        (uuid.UUID(str(resource_id)).hex, resource_type),
    ).fetchall()
    con.close()
    return {key: (json.loads(value), tag, component) for key, value, tag, component in rows}


def main():
    suffix = uuid.uuid4().hex[:8]
    tracker, runner, stack = f"rust_tracker_{suffix}", f"rust_runner_{suffix}", f"rust_stack_{suffix}"
    root = tempfile.mkdtemp(prefix="rm-flavor-")
    env = dict(os.environ)
    env.update(
        ZENML_CONFIG_PATH=os.path.join(root, "config"),
        ZENML_ANALYTICS_OPT_IN="false",
        ZENML_LOGGING_VERBOSITY="INFO",
        ZENML_ENABLE_RICH_TRACEBACK="false",
        RUST_TRACKER=tracker,
    )
    os.environ.update(env)
    source = os.path.join(root, "src")
    os.makedirs(source)
    shutil.copy(os.path.join(EXAMPLE, "pipeline.py"), source)
    run([ZENML, "init"], source, env, "zenml init")

    for kind, flavor in [("experiment-tracker", "RustTrackerFlavor"), ("orchestrator", "RustRunnerFlavor")]:
        out = subprocess.run(
            [ZENML, kind, "flavor", "register", f"rust_components.flavors.{flavor}"],
            cwd=source, env=env, capture_output=True, text=True,
        )
        # The server keeps flavors: one registered by an earlier run is the same class.
        text = out.stdout + out.stderr
        registered = out.returncode == 0 or (
            "Found an existing flavor with the same name and type" in text
        )
        check(f"{flavor} registered with ZenML's CLI", registered, text[-2000:])
    # The tracking URI comes from a ZenML secret: ZenML resolves the reference when the
    # component reads its config, and so must the Rust struct.
    secret = f"rust_tracker_secret_{suffix}"
    run([ZENML, "secret", "create", secret, "--uri=http://mlflow.internal:5000"], source, env, "create secret")
    run([ZENML, "experiment-tracker", "register", tracker, "--flavor=rust_tracker",
         f"--tracking_uri={{{{{secret}.uri}}}}", "--experiment=demo"], source, env, "register tracker")
    run([ZENML, "orchestrator", "register", runner, "--flavor=rust_runner",
         "--work_dir=/srv/runs", "--memory_limit=17179869184", "--compute_dtype=bfloat16",
         "--dashboard_url=http://127.0.0.1:8237"], source, env, "register orchestrator")
    run([ZENML, "stack", "register", stack, "-o", runner, "-a", "default", "-e", tracker, "--set"],
        source, env, "register stack")

    log = run([sys.executable, "pipeline.py"], source, env, "run the pipeline")
    run_line = [line for line in log.splitlines() if line.startswith("run ")]
    check("the pipeline ran", bool(run_line), log[-2000:])
    if not run_line:
        sys.exit(1)
    run_id = uuid.UUID(run_line[-1].split()[1])
    check(
        "ZenML logged the failing step hook",
        f"Extracting step run metadata failed for component '{tracker}'" in log and "unknown placeholder {stage}" in log,
        log[-3000:],
    )

    from zenml.client import Client

    client = Client()
    components = {
        "tracker": client.get_stack_component("experiment_tracker", tracker).id,
        "runner": client.get_stack_component("orchestrator", runner).id,
    }
    pipeline_run = client.get_pipeline_run(run_id)
    steps = {name: client.get_run_step(s.id) for name, s in pipeline_run.steps.items()}
    check("three steps", sorted(steps) == ["evaluate", "export", "train"], sorted(steps))
    check("every step completed", all(str(s.status) == "completed" for s in steps.values()),
          {n: str(s.status) for n, s in steps.items()})

    expected_run = {
        "tracking_uri": ("http://mlflow.internal:5000", "Uri", "tracker"),
        "experiment": ("demo", "str", "tracker"),
        "work_dir": ("/srv/runs", "Path", "runner"),
        "memory_limit": (17179869184, "StorageSize", "runner"),
        "compute_dtype": ("bfloat16", "DType", "runner"),
        "version": ([0, 1, 0], "tuple", "runner"),
        "orchestrator_url": (f"http://127.0.0.1:8237/runs/{run_id}", "Uri", "runner"),
        "run_seed": (run_id.int, "int", "runner"),
    }
    got = pipeline_run.run_metadata
    for key, (value, _, _) in expected_run.items():
        check(f"run: {key} read back by ZenML's client", got.get(key) == value, repr(got.get(key)))

    db = os.environ.get("ZENML_SERVER_DB")
    rows = stored(db, run_id, "pipeline_run")
    if rows is None:
        print("note: ZENML_SERVER_DB not set; the stored types are not checked", flush=True)
    else:
        for key, (value, tag, owner) in expected_run.items():
            row = rows.get(key)
            check(
                f"run: {key} stored as {tag} under the {owner}",
                row is not None and row[0] == value and row[1] == tag and row[2] == components[owner].hex,
                repr(row),
            )

    step_keys = {"experiment", "experiment_tracker_url", "tracker_run_id", "tracker_run_name", "tags"}
    train = steps["train"].run_metadata
    check("train: the tracker's step keys", step_keys <= set(train), sorted(train))
    check("train: run named by the default template", train.get("tracker_run_name") == "rust_metadata_demo-train",
          repr(train.get("tracker_run_name")))
    check("train: tags from the step's settings", sorted(train.get("tags") or []) == ["nightly", "rust"],
          repr(train.get("tags")))
    url = train.get("experiment_tracker_url", "")
    check("train: link to the tracker run", url.startswith("http://mlflow.internal:5000/#/experiments/demo/runs/")
          and url.endswith(train.get("tracker_run_id", "?")), url)
    rows = stored(db, steps["train"].id, "step_run")
    if rows is not None:
        types = {key: rows[key][1] for key in step_keys if key in rows}
        check("train: stored types", types == {
            "experiment": "str", "experiment_tracker_url": "Uri", "tracker_run_id": "str",
            "tracker_run_name": "str", "tags": "set"}, types)
        check("train: stored under the tracker",
              all(rows[key][2] == components["tracker"].hex for key in step_keys if key in rows))

    for name in ["evaluate", "export"]:
        meta = steps[name].run_metadata
        check(f"{name}: none of the tracker's step keys", not step_keys & set(meta), sorted(meta))
        rows = stored(db, steps[name].id, "step_run")
        if rows is not None:
            ours = {k for k, row in rows.items() if row[2] in {c.hex for c in components.values()}}
            check(f"{name}: nothing stored under the Rust components", not ours, sorted(ours))

    # A config the struct cannot read fails no step: the orchestrator defines no lifecycle of its
    # own, so only its metadata is dropped, and ZenML says why.
    with open(os.path.join(source, "optional_flavor.py"), "w") as f:
        f.write(OPTIONAL_FLAVOR)
    out = subprocess.run(
        [ZENML, "orchestrator", "flavor", "register", "optional_flavor.OptionalRunnerFlavor"],
        cwd=source, env=env, capture_output=True, text=True,
    )
    text = out.stdout + out.stderr
    check("the optional flavor registered", out.returncode == 0
          or "Found an existing flavor with the same name and type" in text, text[-2000:])
    loose, loose_stack = f"rust_runner_loose_{suffix}", f"rust_stack_loose_{suffix}"
    run([ZENML, "orchestrator", "register", loose, "--flavor=rust_runner_optional"], source, env,
        "register the orchestrator without a work_dir")
    run([ZENML, "stack", "register", loose_stack, "-o", loose, "-a", "default", "-e", tracker, "--set"],
        source, env, "register the second stack")
    log = run([sys.executable, "pipeline.py"], source, env, "run the pipeline on the second stack")
    run_line = [line for line in log.splitlines() if line.startswith("run ")]
    check("with an unreadable config, the pipeline completes", bool(run_line), log[-2000:])
    if run_line:
        loose_run = client.get_pipeline_run(uuid.UUID(run_line[-1].split()[1]))
        check("with an unreadable config, every step completed",
              all(str(s.status) == "completed" for s in loose_run.steps.values()))
        check(
            "ZenML logged why the orchestrator reported nothing",
            f"Extracting pipeline run metadata failed for component '{loose}'" in log
            and "does not read as" in log and "expected a string" in log,
            log[-3000:],
        )
        check("its step hooks, which report nothing, are not called failed",
              f"Extracting step run metadata failed for component '{loose}'" not in log, log[-3000:])
        got = loose_run.run_metadata
        check("the orchestrator's keys are dropped", not {"work_dir", "run_seed", "memory_limit"} & set(got),
              sorted(got))
        check("the tracker's are there", got.get("experiment") == "demo", sorted(got))
    run([ZENML, "stack", "set", "default"], source, env, "set the default stack")
    run([ZENML, "stack", "delete", "-y", loose_stack], source, env, "delete the second stack")
    run([ZENML, "orchestrator", "delete", loose], source, env, "delete the second orchestrator")

    # What this check registered goes; the run and its metadata stay on the server.
    run([ZENML, "stack", "delete", "-y", stack], source, env, "delete the stack")
    run([ZENML, "experiment-tracker", "delete", tracker], source, env, "delete the tracker")
    run([ZENML, "orchestrator", "delete", runner], source, env, "delete the orchestrator")
    run([ZENML, "secret", "delete", "-y", secret], source, env, "delete the secret")
    print(f"{failures} failures", flush=True)
    shutil.rmtree(root, ignore_errors=True)
    sys.exit(1 if failures else 0)


main()
