"""Reads run metadata back with ZenML's own Python client and prints it as JSON.

    python zenml_read.py run ID     Client().get_pipeline_run(ID).run_metadata
    python zenml_read.py step ID    Client().get_run_step(ID).run_metadata

The server and credentials come from ZenML's variables (ZENML_STORE_URL, ZENML_STORE_USERNAME,
ZENML_STORE_PASSWORD or ZENML_STORE_API_KEY).
"""

import json
import sys

from zenml.client import Client


def main() -> None:
    kind, resource_id = sys.argv[1], sys.argv[2]
    client = Client()
    if kind == "run":
        metadata = client.get_pipeline_run(resource_id).run_metadata
    elif kind == "step":
        metadata = client.get_run_step(resource_id).run_metadata
    else:
        raise SystemExit(f"unknown resource kind {kind!r}")
    # The types as Python sees them, next to the values, so a check can tell a str from a Uri.
    print(json.dumps({
        "values": dict(metadata),
        "python_types": {k: type(v).__name__ for k, v in metadata.items()},
    }))


if __name__ == "__main__":
    main()
