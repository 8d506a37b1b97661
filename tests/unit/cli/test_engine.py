from __future__ import annotations

import pytest
from typer.testing import CliRunner

from workbench.cli import app

NOWHERE = "tcp://127.0.0.1:9"


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
