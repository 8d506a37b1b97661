"""``workbench findings``: from the store, its text, its JSON and its exit codes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.conftest import TINY_PROJECT
from tests.unit.findings.test_stored import _store_image
from workbench.store import Store


def _cli(*args: str):
    from workbench.cli import app

    return CliRunner().invoke(app, list(args))


def test_the_findings_of_an_analysed_image_without_the_engine(monkeypatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    _store_image(Store(), TINY_PROJECT)
    result = _cli("findings", "workbench/tiny:baseline")
    assert result.exit_code == 1, result.output  # a finding has a fix
    assert "uv's cache left in the image (line 3); fix: no-cache" in result.output
    data = json.loads(_cli("findings", str(TINY_PROJECT), "--json").output)
    assert [
        (f["rule"], f["bytes"], f["layer"], f["line"], f["fix"], f["certainty"]) for f in data
    ] == [("installer-cache", 900, 1, 3, "no-cache", "certain")]
    assert {"rule", "title", "bytes", "layer", "line", "fix", "certainty"} <= set(data[0])


def test_a_project_without_builds_is_one_line_and_exit_2() -> None:
    result = _cli("findings", str(TINY_PROJECT))
    assert result.exit_code == 2
    assert (
        result.output.strip().startswith("error: ") and "has no baseline build yet" in result.output
    )
    assert len(result.output.strip().splitlines()) == 1
