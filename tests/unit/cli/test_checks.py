"""``workbench smoke``'s options: what reaches the smoke test, and one-line mistakes."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from workbench.checks import smoke
from workbench.checks.smoke import SmokeResult


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """The smoke tests the command asks for (none runs): their options."""
    seen: list[dict] = []

    def run_smoke(image: str, **options) -> SmokeResult:
        seen.append({"image": image, **options})
        return SmokeResult(
            image=image, image_id="sha256:x", passed=True, mode="http",
            check="GET /health on port 8000", seconds_to_ready=0.5, seconds=1.0,
        )  # fmt: skip

    monkeypatch.setattr(smoke, "run_smoke", run_smoke)
    return seen


def _cli(*args: str):
    from workbench.cli import app

    return CliRunner().invoke(app, ["smoke", *args])


def test_every_option_reaches_the_smoke_test(calls) -> None:
    result = _cli(
        "x:1", "--env", "A=1", "--env", "B=two=2", "--env", "EMPTY=", "--env-file", "s.env",
        "--command", "python -m http.server 8000", "--entrypoint", "", "--status", "404",
        "--check", "python -c 'import app'", "--path", "/ready", "--port", "8000",
        "--timeout", "5",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert calls == [
        {
            "image": "x:1",
            "path": "/ready",
            "port": 8000,
            "status": 404,
            "timeout_s": 5.0,
            "env": {"A": "1", "B": "two=2", "EMPTY": ""},
            "env_file": "s.env",
            "command": ["python", "-m", "http.server", "8000"],
            "entrypoint": [],
            "check": ["python", "-c", "import app"],
        }
    ]


def test_nothing_given_leaves_everything_to_the_settings(calls) -> None:
    assert _cli("x:1").exit_code == 0
    assert {key for key, value in calls[0].items() if value is not None} == {"image"}


def test_cmd_is_a_hidden_alias_of_check(calls) -> None:
    assert _cli("x:1", "--cmd", "python -c 'import app'").exit_code == 0
    assert calls[0]["check"] == ["python", "-c", "import app"]
    assert "--cmd" not in _cli("--help").output
    both = _cli("x:1", "--cmd", "true", "--check", "true")
    assert both.exit_code == 2 and both.stderr.strip().startswith("error: --cmd is the old name")


@pytest.mark.parametrize("bad", ["NOEQUALS", "=value"])
def test_a_malformed_env_is_one_line_and_exit_2(calls, bad) -> None:
    result = _cli("x:1", "--env", "A=1", "--env", bad)
    assert result.exit_code == 2 and calls == []
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["error: --env takes KEY=VALUE; --env number 2 has no `=` or no name"]
    assert "NOEQUALS" not in result.stderr and "value" not in result.stderr


def test_unbalanced_quotes_are_one_line(calls) -> None:
    result = _cli("x:1", "--command", "python -c 'x")
    assert result.exit_code == 2 and calls == []
    assert result.stderr.strip() == "error: --command: No closing quotation"


# -- check --against: the growth gate ---------------------------------------------------


def _check(*args: str):
    from workbench.cli import app

    return CliRunner().invoke(app, ["check", *args])


def test_an_image_against_itself_is_within_any_growth_limit(monkeypatch) -> None:
    from tests.unit.cli.diff_store import BIG, fill

    fill(monkeypatch)
    result = _check(BIG, "--against", BIG, "--max-growth", "0%")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"within growth limits: {BIG} against {BIG} (0 B, +0.0%)")


def test_growth_over_a_limit_exits_1_with_the_figures(monkeypatch) -> None:
    import json

    from tests.unit.cli.diff_store import BIG, SMALL, fill

    fill(monkeypatch)
    result = _check(BIG, "--against", SMALL, "--max-growth", "5%",
                    "--max-growth-component", "python_dependencies=1MB", "--json")  # fmt: skip
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["within_limits"] is False and data["budget"] is None
    assert [c["what"] for c in data["growth"]["violations"]] == ["total"]
    assert data["growth"]["checks"][1]["within"] is True


def test_the_markdown_comment_renders_as_tables(monkeypatch) -> None:
    from tests.unit.cli.diff_store import BIG, SMALL, fill
    from tests.unit.compare.markdown_tables import tables

    fill(monkeypatch)
    result = _check(BIG, "--against", SMALL, "--max-growth", "20MB", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "✅ **Within limits.**" in result.stdout
    assert tables(result.stdout)[-1][1][0] == "Image size"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--against", "nope:1", "--max-growth", "5%"), "error: no stored analysis of 'nope:1'"),
        (("--max-growth", "5%"), "error: --max-growth and --max-growth-component need --against"),
        (("--against", "x", "--max-growth", "lots"), "error: a growth limit is a percentage"),
        (("--against", "x", "--max-growth-component", "deps=1MB"), "error: no component 'deps'"),
        (("--against", "x", "--format", "yaml"), "error: --format takes text, json, markdown"),
        (("--against", "x", "--json", "--format", "text"), "error: --json and --format text"),
    ],
)
def test_growth_mistakes_are_one_line_and_exit_2(monkeypatch, args, message) -> None:
    from tests.unit.cli.diff_store import BIG, fill

    fill(monkeypatch)
    result = _check(BIG, *args)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(message), result.stderr
