from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from tests.unit.report.sample import MB, PNG_MAGIC, fill_store, make_project
from workbench.store import Store
from workbench.units import human_bytes


def _app() -> typer.Typer:
    from workbench.cli import report as cli_report

    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """A group, so `report` is a subcommand as in the workbench app."""

    cli_report.register(app)
    return app


def test_the_report_command_writes_the_report(tmp_path: Path) -> None:
    project_dir = make_project(tmp_path)
    fill_store(Store(), project_dir, ["baseline", "no-cache"])
    out = tmp_path / "report"
    result = CliRunner().invoke(_app(), ["report", str(project_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "saves 600 MB (41.4 %)" in result.output
    html = (out / "report.html").read_text()
    assert human_bytes(1451 * MB) in html and "no-cache" in html
    assert (out / "charts" / "components.png").read_bytes()[:8] == PNG_MAGIC
    data = json.loads((out / "figures.json").read_text())
    assert [v["variant"] for v in data["variants"]] == ["baseline", "no-cache"]

    as_json = CliRunner().invoke(_app(), ["report", str(project_dir), "--out", str(out), "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output)["headline"]["saved_bytes"] == 600 * MB


def test_the_report_command_says_what_to_do_with_one_analysed_image(tmp_path: Path) -> None:
    project_dir = make_project(tmp_path)
    fill_store(Store(), project_dir, ["baseline"])
    result = CliRunner().invoke(_app(), ["report", str(project_dir), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "build and analyse the baseline and at least one variant" in result.output
    assert not (tmp_path / "o").exists()
