"""The audit's result: its exit code and its JSON shape, as the CLI shows them."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.unit.audit.audit_fixtures import CLEAN, SHOP


def _cli(*args: str):
    from workbench.cli import app

    return CliRunner().invoke(app, list(args))


def test_cli_exit_codes_nothing_found_candidates_and_errors(tmp_path) -> None:
    clean = _cli("audit", str(CLEAN), "--no-image")
    assert clean.exit_code == 0, clean.output
    assert "No dependency to drop." in clean.output
    found = _cli("audit", str(SHOP), "--no-image")
    assert found.exit_code == 1
    assert "pytest" in found.output and "HTTP clients" in found.output
    missing = _cli("audit", str(tmp_path / "nowhere"), "--no-image")
    assert missing.exit_code == 2
    both = _cli("audit", str(SHOP), "--no-image", "--image", "x:1")
    assert both.exit_code == 2


def test_cli_json_is_the_stored_shape_without_the_bulky_parts() -> None:
    result = _cli("audit", str(SHOP), "--no-image", "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [c["name"] for c in data["candidates"]] == ["black", "pytest", "six"]
    assert "graph" not in data and "image_facts" not in data
    assert data["overlaps"][0]["members"][0]["files"] == ["shop/client.py"]
