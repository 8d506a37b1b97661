"""Fixtures of the variant tests: a workbench home, a project folder, a stand-in ``uv lock``."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.unit.variants.golden import CONTEXT
from workbench.variants import pruned


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("WORKBENCH_HOME", str(path))
    return path


@pytest.fixture
def project(tmp_path: Path, home: Path) -> Path:
    folder = tmp_path / "My Project"
    shutil.copytree(CONTEXT, folder)
    return folder


@pytest.fixture
def fake_lock(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace ``uv lock`` (network) with a stub; record the pyproject texts it saw."""
    seen: list[str] = []

    def relock(project: Path, pyproject: str, timeout: float) -> bytes:
        seen.append(pyproject)
        lock = (project / "uv.lock").read_text()
        return re.sub(
            r'\[\[package\]\]\nname = "idna".*?(?=\n\[\[|\Z)', "", lock, flags=re.S
        ).encode()

    monkeypatch.setattr(pruned, "_relock", relock)
    pruned._prune_memo.cache_clear()
    return seen
