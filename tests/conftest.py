"""Shared fixtures: an isolated workbench home per test, and the real engine."""

from __future__ import annotations

from pathlib import Path

import docker
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
TINY_PROJECT = FIXTURES / "tiny"
SAMPLE_PROJECT = REPO_ROOT / "samples" / "elevendops"


@pytest.fixture(autouse=True)
def workbench_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty workbench home."""
    home = tmp_path / "workbench-home"
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def docker_client() -> docker.DockerClient:
    """The real engine. The test command ensures one runs, so a missing engine fails."""
    from workbench.engine import connect
    from workbench.errors import EngineUnavailable

    try:
        return connect()
    except EngineUnavailable as exc:
        pytest.fail(f"docker-marked tests need an engine: {exc}")


@pytest.fixture(scope="session")
def stand_ins(docker_client: docker.DockerClient) -> list:
    """The stand-in base images, made if missing."""
    from workbench.engine.bootstrap import ensure_base_images

    return ensure_base_images(docker_client, log=lambda line: None)
