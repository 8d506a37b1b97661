"""Fixtures of the audit's unit tests."""

from __future__ import annotations

import pytest

from tests.unit.audit.audit_fixtures import SHOP
from workbench.project import Project, load_project


@pytest.fixture
def shop() -> Project:
    """The shop fixture project: a uv.lock, a start script, two HTTP clients."""
    return load_project(SHOP)
