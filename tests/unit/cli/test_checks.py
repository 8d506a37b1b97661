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
