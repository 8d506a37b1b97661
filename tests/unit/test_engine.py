from __future__ import annotations

import pytest
from typer.testing import CliRunner

from workbench import engine
from workbench.cli import app
from workbench.engine import start
from workbench.errors import EngineUnavailable

NOWHERE = "tcp://127.0.0.1:9"


def test_status_of_an_unreachable_engine_says_how_to_start_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCKER_HOST", NOWHERE)
    current = engine.status()
    assert not current.reachable
    assert current.host == NOWHERE
    assert "DOCKER_HOST" in current.error and NOWHERE in current.error


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


def test_cli_help_lists_the_commands() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("engine", "bootstrap"):
        assert command in result.output


def test_cli_engine_status_with_no_engine_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCKER_HOST", NOWHERE)
    result = CliRunner().invoke(app, ["engine", "status"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: No Docker engine answers")
    assert "Traceback" not in result.output
