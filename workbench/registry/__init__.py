"""A registry to measure what an image really costs to store and pull.

The workbench's own registry (start, stop, status), registry addresses, and pushes
that read the stored layer sizes back from the registry's manifest.
"""

from __future__ import annotations

from workbench.registry.core import (
    DEFAULT_PORT,
    MEASURED_METHOD,
    REGISTRY_ENV,
    PushedLayer,
    PushResult,
    RegistryAddress,
    RegistryPaths,
    RegistryStatus,
    configured_port,
    down,
    fetch_manifest,
    local_address,
    measured_push,
    parse_address,
    ping,
    push_image,
    registry_paths,
    render_config,
    resolve_address,
    start_push,
    status,
    target_reference,
    up,
)

__all__ = [
    "DEFAULT_PORT",
    "MEASURED_METHOD",
    "REGISTRY_ENV",
    "PushResult",
    "PushedLayer",
    "RegistryAddress",
    "RegistryPaths",
    "RegistryStatus",
    "configured_port",
    "down",
    "fetch_manifest",
    "local_address",
    "measured_push",
    "parse_address",
    "ping",
    "push_image",
    "registry_paths",
    "render_config",
    "resolve_address",
    "start_push",
    "status",
    "target_reference",
    "up",
]
