"""ZenML stack components whose run metadata is derived in Rust (see ``flavors``)."""

from rust_components._native import HookFailed, Hooks, Runner, RustMetadata, Tracker, values_from_wire

__all__ = ["HookFailed", "Hooks", "Runner", "RustMetadata", "Tracker", "values_from_wire"]
