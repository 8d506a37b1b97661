"""The workbench's own registry without starting one: its log, a clear "not running"."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.unit.registry import free_port
from workbench.cli import app
from workbench.registry.server import _last_log_message, down, status


def test_the_last_log_message_is_the_registrys_msg(tmp_path: Path) -> None:
    log = tmp_path / "registry.log"
    log.write_text(
        'time="t" level=info msg="starting"\n'
        'time="t" level=fatal msg="listen tcp 127.0.0.1:5000: bind: address already in use"\n'
    )
    assert _last_log_message(log) == ("listen tcp 127.0.0.1:5000: bind: address already in use")
    assert _last_log_message(tmp_path / "missing.log") == ""


def test_status_of_a_registry_that_is_not_running_is_a_clear_no() -> None:
    port = free_port()
    current = status(port)
    assert current.address == f"127.0.0.1:{port}"
    assert not current.answers and not current.managed and current.pid is None
    assert current.error.startswith(f"no registry answers at http://127.0.0.1:{port}")
    assert down() is False  # idempotent: nothing to stop


def test_registry_status_exits_1_when_nothing_answers() -> None:
    port = free_port()
    result = CliRunner().invoke(app, ["registry", "status", "--port", str(port)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"no registry answers at 127.0.0.1:{port}; start one: workbench registry up"
    ]
