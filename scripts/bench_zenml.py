"""ZenML's own Python client in the comparison with this project's client (scripts/bench-zenml.sh).

The client cases do with `zenml.client.Client` and its REST store what `zenml_compare` (the
Rust side, benches/src/bin/zenml_compare.rs) does with the project's client, against the same
server, with the same metadata; each prints one JSON line. A step's metadata is published once
per step, as a pipeline does: the cases that publish many take a list of steps
(comma-separated) and go through it, from the start again if it is shorter.

    python bench_zenml.py publish STEPS COMPONENTS N REPS WARMUP
        (a) WARMUP calls, then REPS batches of N; one call publishes one step's metadata for
        the 3 components, 10 keys each (3 x Client.create_run_metadata)
    python bench_zenml.py run COMPONENTS
        (b) a three-step run registered (pipeline, snapshot, run, steps) and published, the
        steps and the run finished, as ZenML's client does it through its REST store
    python bench_zenml.py concurrent STEPS COMPONENTS P M [threads|processes]
        (c) P publishers, M step publishes each, keys per component (`c0_epochs`, ...):
        threads sharing ZenML's client (a singleton), or one process each with its own

The server and credentials come from ZenML's variables (ZENML_STORE_URL, ZENML_STORE_USERNAME,
ZENML_STORE_PASSWORD); ZENML_CONFIG_PATH should name a folder of the benchmark's own.

Helpers of the script, which import nothing of ZenML:

    python bench_zenml.py time OUT KEY=VALUE... -- COMMAND...
        runs COMMAND once, appending its wall time (start to exit) to OUT as a JSON line
    python bench_zenml.py tag OUT KEY=VALUE...
        appends the JSON lines of standard input to OUT, with the fields given
    python bench_zenml.py table RESULTS
        the comparison table from the JSON lines the script collected
"""

import itertools
import json
import os
import statistics
import subprocess
import sys
import threading
import time

PIPELINE = "run-metadata-bench"
STEPS = ["load", "train", "evaluate"]


def tracker():
    """One component's metadata for a step: the same ten values zenml_compare sends."""
    from zenml.metadata.metadata_types import StorageSize, Uri

    return {
        "tracking_uri": Uri("http://mlflow.internal:5000"),
        "experiment_id": "17",
        "run_name": "training-2026-11-29",
        "epochs": 30,
        "learning_rate": 3e-4,
        "batch_size": 256,
        "tags": ["baseline", "gpu"],
        "artifact_bytes": StorageSize(3 << 29),
        "notes": "first run on the new data",
        "registered": True,
    }


def tracker_of(c):
    return {f"c{c}_{key}": value for key, value in tracker().items()}


def ids(text):
    from uuid import UUID

    return [UUID(s) for s in text.split(",") if s]


def client():
    from zenml.client import Client

    c = Client()
    # What every publish needs, asked once as in any ZenML process: the project.
    c.active_project
    return c


def publish_step(c, resource_id, resource_type, components, metadata):
    from zenml.models import RunMetadataResource

    for component in components:
        c.create_run_metadata(
            metadata=metadata,
            resources=[RunMetadataResource(id=resource_id, type=resource_type)],
            stack_component_id=component,
        )


def cmd_publish(steps, components, n, reps, warmup):
    from zenml.enums import MetadataResourceTypes

    steps, components = ids(steps), ids(components)
    n, reps, warmup = int(n), int(reps), int(warmup)
    step_type = MetadataResourceTypes.STEP_RUN
    metadata = tracker()
    c = client()
    upcoming = itertools.cycle(steps)
    for step in itertools.islice(upcoming, warmup):
        publish_step(c, step, step_type, components, metadata)
    means = []
    for _ in range(reps):
        start = time.perf_counter()
        for step in itertools.islice(upcoming, n):
            publish_step(c, step, step_type, components, metadata)
        means.append((time.perf_counter() - start) / n)
    print(json.dumps({"client": "zenml", "case": "publish", "per_call_s": means}))


def cmd_run(components):
    import zenml
    from zenml.config.pipeline_configurations import PipelineConfiguration
    from zenml.config.step_configurations import Step
    from zenml.enums import ExecutionStatus, MetadataResourceTypes
    from zenml.models import (
        PipelineRequest,
        PipelineRunRequest,
        PipelineRunUpdate,
        PipelineSnapshotRequest,
        StepRunRequest,
        StepRunUpdate,
    )
    from zenml.utils.time_utils import utc_now

    components = ids(components)
    metadata = tracker()
    c = client()
    store = c.zen_store
    project = c.active_project.id
    # The pipeline, as `Pipeline.register` finds or creates it.
    found = c.list_pipelines(name=PIPELINE, size=1, sort_by="desc:created")
    if found.total:
        pipeline = found.items[0]
    else:
        pipeline = store.create_pipeline(PipelineRequest(project=project, name=PIPELINE))
    steps = {
        name: Step.model_validate(
            {
                "spec": {
                    "source": {"module": "run_metadata", "attribute": name, "type": "unknown"},
                    "upstream_steps": STEPS[i - 1 : i] if i else [],
                    "invocation_id": name,
                },
                "config": {"name": name},
                "step_config_overrides": {"name": name},
            }
        )
        for i, name in enumerate(STEPS)
    }
    name = f"zenml-{time.time_ns()}-{os.getpid()}"
    snapshot = store.create_snapshot(
        PipelineSnapshotRequest(
            project=project,
            stack=c.active_stack_model.id,
            pipeline=pipeline.id,
            run_name_template=name,
            pipeline_configuration=PipelineConfiguration(name=PIPELINE),
            step_configurations=steps,
            client_version=zenml.__version__,
        )
    )
    run, _ = store.get_or_create_run(
        PipelineRunRequest(
            project=project,
            name=name,
            snapshot=snapshot.id,
            status=ExecutionStatus.RUNNING,
            start_time=utc_now(),
        )
    )
    publish_step(c, run.id, MetadataResourceTypes.PIPELINE_RUN, components, metadata)
    for step_name in STEPS:
        step = store.create_run_step(
            StepRunRequest(
                project=project,
                name=step_name,
                pipeline_run_id=run.id,
                status=ExecutionStatus.RUNNING,
                start_time=utc_now(),
            )
        )
        publish_step(c, step.id, MetadataResourceTypes.STEP_RUN, components, metadata)
        store.update_run_step(
            step.id, StepRunUpdate(status=ExecutionStatus.COMPLETED, end_time=utc_now())
        )
    store.update_run(
        run.id, PipelineRunUpdate(status=ExecutionStatus.COMPLETED, end_time=utc_now())
    )
    print(json.dumps({"client": "zenml", "case": "run", "run": str(run.id)}))


def publisher(c, steps, components, j, m):
    """Publisher `j`: the metadata of steps j*m .. (j+1)*m; the requests that failed."""
    from zenml.enums import MetadataResourceTypes

    metadata = [tracker_of(k) for k in range(len(components))]
    failed = 0
    for i in range(j * m, (j + 1) * m):
        step = steps[i % len(steps)]
        for component, values in zip(components, metadata):
            try:
                publish_step(c, step, MetadataResourceTypes.STEP_RUN, [component], values)
            except Exception:  # counted; the read-back says what was lost
                failed += 1
    return failed


def cmd_concurrent(steps, components, p, m, mode="threads"):
    steps, components, p, m = ids(steps), ids(components), int(p), int(m)
    if mode == "processes":
        return concurrent_processes(steps, components, p, m)
    c = client()
    failures = [0] * p
    ready = threading.Barrier(p + 1)
    done = threading.Barrier(p + 1)

    def work(j):
        ready.wait()
        failures[j] = publisher(c, steps, components, j, m)
        done.wait()

    threads = [threading.Thread(target=work, args=(j,)) for j in range(p)]
    for t in threads:
        t.start()
    ready.wait()
    start = time.perf_counter()
    done.wait()
    elapsed = time.perf_counter() - start
    for t in threads:
        t.join()
    report("threads", p, m, elapsed, sum(failures))


def concurrent_processes(steps, components, p, m):
    """One process per publisher, each with its own client, as ZenML runs parallel steps."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Barrier(p + 1)
    done = ctx.Barrier(p + 1)
    failures = ctx.Array("i", p)
    # ZenML's client reads and writes its configuration folder when it starts; processes
    # sharing one start one at a time (in a deployment each step has a folder of its own).
    starting = ctx.Lock()
    procs = [
        ctx.Process(
            target=process_publisher,
            args=(steps, components, j, m, starting, ready, done, failures),
        )
        for j in range(p)
    ]
    for proc in procs:
        proc.start()
    ready.wait()
    start = time.perf_counter()
    done.wait()
    elapsed = time.perf_counter() - start
    for proc in procs:
        proc.join()
    report("processes", p, m, elapsed, sum(failures))


def process_publisher(steps, components, j, m, starting, ready, done, failures):
    try:
        with starting:
            c = client()
    except Exception as e:  # the others are not kept waiting: all its requests count as failed
        print(f"publisher {j}: {e}", file=sys.stderr)
        c = None
    ready.wait()
    failures[j] = publisher(c, steps, components, j, m) if c else m * len(components)
    done.wait()


def report(mode, p, m, elapsed, failed):
    publishes = p * m
    print(
        json.dumps(
            {
                "client": "zenml",
                "case": "concurrent",
                "mode": mode,
                "publishers": p,
                "publishes": publishes,
                "elapsed_s": elapsed,
                "publishes_per_s": publishes / elapsed,
                "failed_requests": failed,
            }
        )
    )


# ------------------------------------------------------------------------------------------
# Helpers of the script.


def fields(pairs):
    out = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        out[key] = value
    return out


def cmd_tag(out, *pairs):
    """Appends each JSON line of standard input to OUT with the fields KEY=VALUE added."""
    extra = fields(pairs)
    with open(out, "a") as f:
        for line in sys.stdin:
            line = line.strip()
            if line.startswith("{"):
                row = json.loads(line)
                row.update(extra)
                f.write(json.dumps(row) + "\n")
                print(json.dumps(row), file=sys.stderr)


def cmd_time(out, *rest):
    """Runs a command once, appending its wall time (start to exit) to OUT with KEY=VALUE
    fields: `time OUT KEY=VALUE... -- COMMAND...`."""
    split = rest.index("--")
    row = fields(rest[:split])
    command = rest[split + 1 :]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    row["wall_s"] = time.perf_counter() - start
    with open(out, "a") as f:
        f.write(json.dumps(row) + "\n")
    print(json.dumps(row), file=sys.stderr)


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                rows.append(json.loads(line))
    return rows


def cmd_table(results):
    rows = load(results)

    def pick(**kw):
        return [r for r in rows if all(r.get(k) == v for k, v in kw.items())]

    def median(values):
        return statistics.median(values) if values else float("nan")

    def per_call(client, target):
        sel = pick(case="publish", client=client, target=target)
        return median([v for r in sel for v in r["per_call_s"]])

    def wall(client, target):
        return median([r["wall_s"] for r in pick(case="run", client=client, target=target)])

    def rate(client, target, mode=None):
        sel = pick(case="concurrent", client=client, target=target)
        if mode:
            sel = [r for r in sel if r.get("mode") == mode]
        return median([r["publishes_per_s"] for r in sel]), sel

    def fmt_time(s):
        if s != s:
            return "-"
        if s < 1e-3:
            return f"{s * 1e6:.0f} µs"
        if s < 1:
            return f"{s * 1e3:.2f} ms"
        return f"{s:.2f} s"

    lines = [
        "| case | ZenML's client | ours | ZenML / ours |",
        "|---|---|---|---|",
    ]
    for target, label in (("stub", "stub"), ("server", "server")):
        z, o = per_call("zenml", target), per_call("rust", target)
        if z == z and o == o:
            lines.append(
                f"| (a) one step's metadata, 3 components × 10 keys, per call, {label} "
                f"| {fmt_time(z)} | {fmt_time(o)} | **{z / o:.2f}** |"
            )
    for target, label in (("stub", "stub"), ("server", "server")):
        z, o = wall("zenml", target), wall("rust", target)
        if z == z and o == o:
            lines.append(
                f"| (b) three-step run, process start to exit, {label} "
                f"| {fmt_time(z)} | {fmt_time(o)} | **{z / o:.2f}** |"
            )
    o_rate, o_rows = rate("rust", "server")
    for mode in ("threads", "processes"):
        z_rate, z_rows = rate("zenml", "server", mode)
        if z_rows and o_rows:
            p = o_rows[0]["publishers"]
            shape = f"{p} publishers × {o_rows[0]['publishes'] // p}"
            lines.append(
                f"| (c) {shape} step publishes, step publishes/s (ZenML's publishers: {mode}) "
                f"| {z_rate:.2f}/s | {o_rate:.2f}/s | **{o_rate / z_rate:.2f}** |"
            )
    losses = [
        "| (c) client | runs | entries expected | entries lost | requests failed |",
        "|---|---|---|---|---|",
    ]
    for client, label in (("zenml", "ZenML's client"), ("rust", "ours")):
        for mode in ("threads", "processes"):
            counts = pick(case="count", client=client, mode=mode)
            if counts:
                failed = sum(
                    int(r["failed_requests"])
                    for r in pick(case="concurrent", client=client, target="server")
                    if r.get("mode", "threads") == mode
                )
                losses.append(
                    f"| {label}, {mode} | {len(counts)} "
                    f"| {sum(int(r['expected']) for r in counts)} "
                    f"| **{sum(int(r['lost']) for r in counts)}** | {failed} |"
                )
    print("\n".join(lines))
    print()
    print("Spread (every value behind each median):")
    print()
    for case, what in (("publish", "(a) per call"), ("run", "(b) wall")):
        for target in ("stub", "server"):
            for client in ("zenml", "rust"):
                sel = pick(case=case, client=client, target=target)
                if case == "publish":
                    values = [v for r in sel for v in r["per_call_s"]]
                else:
                    values = [r["wall_s"] for r in sel]
                if values:
                    print(
                        f"- {what}, {target}, {client}: {len(values)} values, "
                        f"{fmt_time(min(values))} to {fmt_time(max(values))}"
                    )
    for client in ("zenml", "rust"):
        for r in pick(case="concurrent", client=client, target="server"):
            print(
                f"- (c) {client} ({r.get('mode', 'threads')}): {r['publishes_per_s']:.2f}/s "
                f"({r['publishes']} in {r['elapsed_s']:.1f} s)"
            )
    print()
    print("\n".join(losses))
    print()
    print("Requests (counted by the stub in front of the server; server time as the stub waited")
    print("for each answer):")
    print()
    for r in pick(case="requests"):
        print(
            f"- {r['client']}, {r['what']}: {r['total']} requests on {r['connections']} "
            f"connection(s), server time {fmt_time(r.get('answer_s', float('nan')))}"
        )
        for key, v in sorted(r["requests"].items()):
            print(
                f"    {v['count']:5d}  {key}  ({v['body_bytes']} body bytes, "
                f"{fmt_time(v.get('answer_s', float('nan')))})"
            )


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    command, args = sys.argv[1], sys.argv[2:]
    commands = {
        "publish": cmd_publish,
        "run": cmd_run,
        "concurrent": cmd_concurrent,
        "time": cmd_time,
        "tag": cmd_tag,
        "table": cmd_table,
    }
    if command not in commands:
        raise SystemExit(__doc__)
    commands[command](*args)


if __name__ == "__main__":
    main()
