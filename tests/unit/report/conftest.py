from __future__ import annotations

import pytest

from tests.unit.report.sample import sample_report
from workbench.report.model import Report


@pytest.fixture(scope="module")
def made() -> Report:
    """The sample report on a stand-in base, with its charts (drawn once per test module)."""
    return sample_report(stand_in="python:3.11-slim-bookworm", with_charts=True)
