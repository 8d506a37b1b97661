from __future__ import annotations

import pytest

from workbench import engine
from workbench.engine import start
from workbench.errors import EngineUnavailable

NOWHERE = "tcp://127.0.0.1:9"


def test_ensure_does_not_start_anything_for_a_remote_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCKER_HOST", NOWHERE)
    started = []
    monkeypatch.setattr(start.subprocess, "Popen", lambda *a, **k: started.append(a))
    with pytest.raises(EngineUnavailable, match="No Docker engine answers"):
        engine.ensure(timeout_s=1, log=lambda line: None)
    assert started == []


def test_ensure_without_root_stops_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    monkeypatch.setattr(start, "_can_install", lambda: False)
    with pytest.raises(EngineUnavailable) as caught:
        engine.ensure(timeout_s=1, log=lambda line: None)
    assert "\n" not in str(caught.value)
    assert "systemctl start docker" in str(caught.value)
