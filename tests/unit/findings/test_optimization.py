"""An optimize run's result: kept steps, the whole saving, its JSON."""

from __future__ import annotations

import json

from workbench.findings.model import Finding
from workbench.findings.optimization import Optimization, Step

RESULT = Optimization(
    project_path="/p",
    baseline=Step("baseline", "kept", size_bytes=1000, smoke="passed"),
    steps=(
        Step("no-cache", "kept", ("cache",), 300, size_bytes=700, saved_bytes=300, smoke="passed"),
        Step("multi-stage", "dropped", ("uv",), 40, reason="it breaks the app: x", smoke="failed"),
        Step("copy-chown", "kept", ("dup",), 5, size_bytes=695, saved_bytes=5, smoke="passed"),
    ),
    optimized=Step("optimized", "kept", size_bytes=695, smoke="passed"),
    findings=(Finding("installer-cache", "cache", 300, 1, 2, "RUN x", "why", "no-cache"),),
    dockerfile="FROM x\n",
    extra_files={".dockerignore": "tests\n"},
)


def test_the_kept_steps_add_up_to_the_whole_saving() -> None:
    assert [s.fix for s in RESULT.kept] == ["no-cache", "copy-chown"]
    assert RESULT.saved_bytes == 305 and RESULT.adds_up


def test_the_json_reads_back() -> None:
    data = json.loads(json.dumps(RESULT.to_dict()))
    assert data["saved_bytes"] == 305 and data["adds_up"] is True
    assert Optimization.from_dict(data) == RESULT


def test_without_an_optimized_image_there_is_no_saving() -> None:
    empty = Optimization("/p", Step("baseline", "kept", size_bytes=10))
    assert empty.saved_bytes is None and not empty.adds_up
