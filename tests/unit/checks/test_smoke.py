"""Unit tests of the smoke test's pieces that need no engine: settings, results, errors."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SAMPLE_PROJECT, TINY_PROJECT
from workbench.checks.smoke import (
    SmokeResult,
    _exposed_ports,
    latest_smoke,
    run_smoke,
    settings_for_image,
)
from workbench.errors import SmokeError
from workbench.project.plan import SmokeSettings
from workbench.store import Store


def test_settings_come_from_the_plan_of_the_project_an_image_names() -> None:
    settings, source = settings_for_image({"org.workbench.project-path": str(SAMPLE_PROJECT)})
    assert source == "plan"
    assert settings == SmokeSettings(path="/health", port=8080, command=(), timeout_s=90.0)
    assert settings_for_image({"org.workbench.project-path": str(TINY_PROJECT)})[0].port == 8000


def test_without_labels_or_plan_the_defaults_apply(tmp_path) -> None:
    assert settings_for_image(None) == (SmokeSettings(), "defaults")
    gone = {"org.workbench.project-path": str(tmp_path / "gone")}
    assert settings_for_image(gone) == (SmokeSettings(), "defaults")


def test_exposed_ports_are_tcp_only_and_sorted() -> None:
    config = {"ExposedPorts": {"9000/tcp": {}, "53/udp": {}, "8080/tcp": {}}}
    assert _exposed_ports(config) == [8080, 9000]
    assert _exposed_ports({}) == []


def test_a_result_round_trips_through_the_store() -> None:
    result = SmokeResult(
        image="x:1", image_id="sha256:abc", passed=False, mode="http", check="GET /health",
        seconds_to_ready=None, seconds=1.5, exit_code=1, error="it died", log_tail="boom",
        checked_at=123.0,
    )  # fmt: skip
    assert SmokeResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result
    Store().save_smoke_result(result.image_id, result.passed, result.to_dict())
    again = latest_smoke("sha256:abc")
    assert again is not None and not again.passed and again.exit_code == 1
    assert latest_smoke("sha256:never") is None
    assert result.summary() == "failed: it died"


def test_no_engine_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.errors import EngineUnavailable

    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    with pytest.raises(EngineUnavailable):
        run_smoke("x:1")


def test_an_image_without_a_port_needs_one(monkeypatch: pytest.MonkeyPatch) -> None:
    class API:
        @staticmethod
        def inspect_image(ref):
            return {"Id": "sha256:x", "Config": {"Labels": None}}

    class Client:
        api = API()

    with pytest.raises(SmokeError, match="exposes no port"):
        run_smoke("x:1", client=Client())
