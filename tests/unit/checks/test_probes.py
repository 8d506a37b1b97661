"""Readiness: the HTTP status expected, any 2xx/3xx otherwise; a check command's outcome."""

from __future__ import annotations

import time

import pytest

from workbench.checks import probes
from workbench.checks.probes import wait_ready
from workbench.project.plan import SmokeSettings


class _Running:
    """A container the engine says is running, its port 8000 published on 49000."""

    id = "c1"
    attrs = {
        "State": {"Running": True},
        "NetworkSettings": {"Ports": {"8000/tcp": [{"HostIp": "127.0.0.1", "HostPort": "49000"}]}},
    }

    def reload(self) -> None:
        pass


def _answering(monkeypatch: pytest.MonkeyPatch, *statuses: int) -> list[str]:
    """Make the HTTP probe answer these statuses in turn (the last one from then on)."""
    asked: list[str] = []

    def probe(url: str):
        asked.append(url)
        return statuses[min(len(asked), len(statuses)) - 1], ""

    monkeypatch.setattr(probes, "http_probe", probe)
    monkeypatch.setattr(probes, "POLL_S", 0.01)
    return asked


def _wait(settings: SmokeSettings) -> dict:
    return wait_ready(None, _Running(), "http", "/health", 8000, settings, time.monotonic())


def test_any_2xx_or_3xx_is_ready_when_no_status_is_expected(monkeypatch) -> None:
    asked = _answering(monkeypatch, 503, 302)
    outcome = _wait(SmokeSettings(timeout_s=5))
    assert outcome["passed"] and outcome["http_status"] == 302 and outcome["host_port"] == 49000
    assert asked == ["http://127.0.0.1:49000/health"] * 2


def test_the_expected_status_is_the_only_one_that_passes(monkeypatch) -> None:
    _answering(monkeypatch, 200, 404)
    outcome = _wait(SmokeSettings(status=404, timeout_s=5))
    assert outcome["passed"] and outcome["http_status"] == 404


def test_another_status_than_the_expected_one_times_out_saying_so(monkeypatch) -> None:
    _answering(monkeypatch, 200)
    outcome = _wait(SmokeSettings(status=204, timeout_s=0.2))
    assert not outcome["passed"] and outcome["http_status"] == 200
    assert outcome["error"].startswith("not ready within 0 s: http://127.0.0.1:49000/health")
    assert "it answered HTTP 200, not the 204 expected" in outcome["error"]


def test_the_check_command_is_the_settings_check(monkeypatch) -> None:
    ran: list = []

    def exec_probe(client, container_id, command, wait_s):
        ran.append(tuple(command))
        return 0

    monkeypatch.setattr(probes, "exec_probe", exec_probe)
    settings = SmokeSettings(check=("python", "-c", "import app"), command=("serve",))
    outcome = wait_ready(None, _Running(), "command", "/", None, settings, time.monotonic())
    assert outcome["passed"] and ran == [("python", "-c", "import app")]
