from __future__ import annotations

import pytest

from workbench import engine

NOWHERE = "tcp://127.0.0.1:9"


def test_status_of_an_unreachable_engine_says_how_to_start_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCKER_HOST", NOWHERE)
    current = engine.status()
    assert not current.reachable
    assert current.host == NOWHERE
    assert "DOCKER_HOST" in current.error and NOWHERE in current.error
