"""``workbench optimize``: the ladder printed, the JSON, the exit codes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.conftest import TINY_PROJECT
from tests.unit.findings.fake_builds import FakeBuilds
from tests.unit.findings.test_optimize import tiny  # noqa: F401 (a fixture)


def _cli(*args: str):
    from workbench.cli import app

    return CliRunner().invoke(app, list(args))


def _fake_engine(monkeypatch, builds: FakeBuilds) -> None:
    import workbench.engine
    import workbench.findings.optimize

    monkeypatch.setattr(workbench.engine, "connect", builds.client)
    monkeypatch.setattr(workbench.findings.optimize, "build_service", lambda: builds)


def test_optimize_prints_the_ladder_and_the_diff(tiny, monkeypatch) -> None:  # noqa: F811
    project, store = tiny
    _fake_engine(monkeypatch, FakeBuilds(store, breaks=(" AS builder",)))
    result = _cli("optimize", str(TINY_PROJECT))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("baseline") and "smoke passed" in lines[0]
    assert lines[1].startswith("no-cache") and "-300 kB" in lines[1] and "kept" in lines[1]
    assert lines[2].startswith("multi-stage") and "dropped" in lines[2]
    assert "    | Traceback: boom" in lines
    assert "saved 300 kB (adds up to the byte)" in result.output
    assert "--- Dockerfile (yours)" in result.output


def test_optimize_json(tiny, monkeypatch) -> None:  # noqa: F811
    project, store = tiny
    builds = FakeBuilds(store)
    _fake_engine(monkeypatch, builds)
    data = json.loads(_cli("optimize", str(TINY_PROJECT), "--json").output)
    assert data["status"] == "succeeded" and data["adds_up"] is True
    assert [s["fix"] for s in data["steps"]] == ["no-cache", "multi-stage"]


def test_optimize_with_the_engine_down_is_one_line_and_exit_2(monkeypatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    down = _cli("optimize", str(TINY_PROJECT))
    assert down.exit_code == 2 and down.output.startswith("error: ")
    assert len(down.output.strip().splitlines()) == 1
