"""A small ZenML pipeline on a stack with the Rust tracker and orchestrator (see README.md).

    python pipeline.py        runs it on the active stack; the tracker's name is $RUST_TRACKER
                              (default: rust_tracker); prints the run's id on the last line

ZenML's local orchestrator runs the steps in this process, and calls the components' hooks
itself: the run gets the orchestrator's and the tracker's pipeline metadata, `train` the tracker's
step metadata. `evaluate`'s settings name a placeholder the tracker does not know: ZenML logs the
hook's failure and that step gets no tracker metadata, while the run goes on. `export` does not
use the tracker, and gets none.
"""

import os

from zenml import pipeline, step

from rust_components.flavors import RustTrackerSettings

TRACKER = os.environ.get("RUST_TRACKER", "rust_tracker")


@step(
    experiment_tracker=TRACKER,
    settings={"experiment_tracker": RustTrackerSettings(tags=["nightly", "rust"])},
)
def train() -> float:
    return 0.93


@step(
    experiment_tracker=TRACKER,
    settings={"experiment_tracker": RustTrackerSettings(run_name="{pipeline}-{stage}")},
)
def evaluate(accuracy: float) -> bool:
    return accuracy > 0.9


@step
def export(approved: bool) -> str:
    return "exported" if approved else "kept"


@pipeline(enable_cache=False)
def rust_metadata_demo() -> None:
    export(evaluate(train()))


if __name__ == "__main__":
    run = rust_metadata_demo()
    print(f"run {run.id}")
