"""``workbench diff`` as a user runs it: JSON, Markdown, text, and one-line errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.unit.cli.diff_store import BIG, SMALL, fill
from tests.unit.compare.markdown_tables import tables


def _cli(*args: str):
    from workbench.cli import app

    return CliRunner().invoke(app, ["diff", *args])


def test_json_has_the_figures_and_they_add_up(monkeypatch: pytest.MonkeyPatch) -> None:
    fill(monkeypatch)
    result = _cli(BIG, SMALL, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["size_delta_bytes"] == -4_179_800
    assert sum(data["components"].values()) == data["size_delta_bytes"]
    for component, row in data["reconciliation"].items():
        parts = row["python_packages_bytes"] + row["debian_packages_bytes"]
        assert parts + row["non_package_bytes"] == data["components"][component]
        assert data["files"]["components"][component]["delta_bytes"] == row["delta_bytes"]
    removed = {
        p["name"]: p["delta_bytes"] for p in data["python_packages"] if p["change"] == "removed"
    }
    assert removed == {"pytest": -700_000}
    assert {layer["status"] for layer in data["layers"]} == {"shared", "new", "gone"}
    assert data["unreconciled"] == []


def test_markdown_renders_as_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    fill(monkeypatch)
    result = _cli(BIG, SMALL, "--markdown")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"## {SMALL} against {BIG}\n")
    assert len(tables(result.stdout)) == 3


def test_text_and_without_files(monkeypatch: pytest.MonkeyPatch) -> None:
    fill(monkeypatch)
    result = _cli(BIG, SMALL, "--no-files")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{SMALL} is 4.18 MB smaller than {BIG}: -4.00 MB in Build")
    assert "Largest file changes" not in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((BIG, "nope:1"), "error: no stored analysis of 'nope:1', and "),
        ((BIG, SMALL, "--json", "--markdown"), "error: give --json or --markdown, not both"),
        ((BIG, SMALL, "--top", "0"), "error: --top takes a positive number, not 0"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch, args, message) -> None:
    fill(monkeypatch)
    result = _cli(*args)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(message), result.stderr
