"""The Docker engine: connect (``DOCKER_HOST`` aware), status, ensure one runs, find images.

Every other module gets its client from :func:`connect`, so the engine is the local
socket by default and whatever ``DOCKER_HOST`` names otherwise (tcp://, ssh://).
Stand-in base images (:mod:`workbench.engine.bootstrap`) are imported by the commands
that make them, not here.
"""

from __future__ import annotations

from workbench.engine.client import (
    DEFAULT_HOST,
    HOW_TO_START,
    connect,
    engine_host,
    engine_on_this_machine,
    host_secrets,
    is_local,
    on_this_machine,
    redact_host,
)
from workbench.engine.images import find_image, inspect_if_present, inspect_image
from workbench.engine.info import EngineStatus, status
from workbench.engine.start import ensure

__all__ = [
    "DEFAULT_HOST",
    "HOW_TO_START",
    "EngineStatus",
    "connect",
    "engine_host",
    "engine_on_this_machine",
    "ensure",
    "find_image",
    "host_secrets",
    "inspect_if_present",
    "inspect_image",
    "is_local",
    "on_this_machine",
    "redact_host",
    "status",
]
