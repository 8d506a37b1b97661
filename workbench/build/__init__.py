"""Builds: the service and its queue, the build context, BuildKit and classic, rebuild cost.

:mod:`workbench.build.service` runs builds on the process's builds lane and records
each in the store; :mod:`workbench.build.builders` knows which builders this machine
has and picks one; :mod:`workbench.build.rebuild` times rebuilds after everyday changes.
"""

from __future__ import annotations

from workbench.build.builders import BuilderInfo, available_builders, choose_builder
from workbench.build.progress import BuildOutcome, BuildProgress
from workbench.build.service import BuildService, BuildSpec, build_service

__all__ = [
    "BuildOutcome",
    "BuildProgress",
    "BuildService",
    "BuildSpec",
    "BuilderInfo",
    "available_builders",
    "build_service",
    "choose_builder",
]
