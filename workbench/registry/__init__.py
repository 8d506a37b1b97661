"""A registry to measure what an image really costs to store and pull.

The workbench's own registry (:mod:`~workbench.registry.server`: start, stop, status,
with its files and config in :mod:`~workbench.registry.config`), registry addresses
(:mod:`~workbench.registry.address`: ``HOST[:PORT]``, ``WORKBENCH_REGISTRY``, the local
one), the registry HTTP API client that reads manifests back
(:mod:`~workbench.registry.manifest`), and pushes that keep the stored layer sizes
(:mod:`~workbench.registry.push`).
"""

from __future__ import annotations

from workbench.registry.address import (
    DEFAULT_PORT,
    REGISTRY_ENV,
    RegistryAddress,
    local_address,
    parse_address,
    resolve_address,
)
from workbench.registry.config import RegistryPaths, configured_port, registry_paths, render_config
from workbench.registry.manifest import MANIFEST_TYPES, fetch_manifest
from workbench.registry.push import (
    MEASURED_METHOD,
    PushedLayer,
    PushResult,
    measured_push,
    push_image,
    start_push,
    target_reference,
)
from workbench.registry.server import RegistryStatus, down, ping, status, up

__all__ = [
    "DEFAULT_PORT",
    "MANIFEST_TYPES",
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
