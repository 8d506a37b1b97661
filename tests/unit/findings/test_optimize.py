"""The optimizer: each fix built on the kept ones, smoke-tested, kept or dropped; the ladder."""

from __future__ import annotations

import pytest

from tests.conftest import TINY_PROJECT
from tests.unit.analysis.analysis_archives import File
from tests.unit.findings.fake_builds import FakeBuilds, image_of
from tests.unit.findings.images import analysed
from workbench.analysis import ImageAnalysis
from workbench.errors import OptimizeCancelled, OptimizeError
from workbench.findings.model import Finding
from workbench.findings.optimize import (
    Optimizer,
    cancel_optimize,
    latest_optimization,
    plan_fixes,
    start_optimize,
)
from workbench.findings.runs import add_run, get_run
from workbench.jobs import OPTIMIZE, Jobs
from workbench.project import load_project
from workbench.store import Store
from workbench.variants import derive_variant
from workbench.variants.optimized import load_optimized

TINY_LAYERS = [
    [File("usr/bin/uv", b"u" * 44_000)],
    [File("etc/passwd", b"p" * 10)],
    [File("app/pyproject.toml", b"t" * 20), File("app/uv.lock", b"l" * 30)],
    [File("app/.venv/pyvenv.cfg", b"h"), File("root/.cache/uv/x.so", b"c" * 300_000)],
    [File("app/app/server.py", b"s" * 100)],
]
TINY_STEPS = [
    "COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv",
    "RUN useradd --create-home appuser",
    "COPY pyproject.toml uv.lock ./",
    "RUN uv sync --frozen --no-dev --no-install-project",
    "COPY --chown=appuser:appuser app/ ./app/",
]


@pytest.fixture
def tiny() -> tuple:
    """The tiny project, its baseline's analysis stored, an audit with nothing to drop."""
    store = Store()
    project = load_project(TINY_PROJECT)
    baseline = image_of(project.dockerfile_text())
    analysis = analysed(TINY_LAYERS, TINY_STEPS)
    analysis = ImageAnalysis.from_dict({**analysis.to_dict(), "image_id": baseline})
    store.save_analysis(baseline, "x", analysis.to_dict())
    store.save_audit(project.key, baseline, {"candidates": []})
    return project, store


def test_each_fix_is_built_on_the_kept_ones_and_a_broken_one_is_dropped(tiny) -> None:
    project, store = tiny
    builds = FakeBuilds(store, breaks=(" AS builder",))
    result = Optimizer(project, store, builds, builds.client).run()
    assert [(s.fix, s.status, s.smoke, s.saved_bytes) for s in result.steps] == [
        ("no-cache", "kept", "passed", 300_000),
        ("multi-stage", "dropped", "failed", None),
    ]
    dropped = result.steps[1]
    assert dropped.reason.startswith("it breaks the app: smoke test failed")
    assert "Traceback: boom" in dropped.smoke_log
    assert dropped.findings == ("uv left in the runtime (/usr/bin/uv)",)
    assert result.optimized.size_bytes == 700_000 and result.optimized.smoke == "passed"
    assert result.saved_bytes == 300_000 and result.adds_up
    assert "--no-cache" in result.dockerfile and "AS builder" not in result.dockerfile
    assert result.diff.startswith("--- Dockerfile (yours)\n+++ Dockerfile (optimized)\n")
    assert [s.variant for s in builds.specs] == ["baseline", "optimized", "optimized", "optimized"]
    assert all(s.smoke for s in builds.specs)
    saved = load_optimized(project.path)
    assert saved.dockerfile == result.dockerfile and "no-cache" in saved.summary
    assert derive_variant(project.path, "optimized").dockerfile == result.dockerfile


def test_a_fix_that_saves_nothing_is_dropped_and_one_with_nothing_to_do_skipped(tiny) -> None:
    project, store = tiny
    builds = FakeBuilds(store)
    result = Optimizer(project, store, builds, builds.client, save=False).run()
    assert [(s.fix, s.status) for s in result.steps] == [
        ("no-cache", "kept"),
        ("multi-stage", "kept"),
    ]
    assert result.optimized.size_bytes == 500_000
    assert [s.saved_bytes for s in result.kept] == [300_000, 200_000]
    assert load_optimized(project.path) is None


def test_a_baseline_that_fails_its_smoke_test_stops_the_run(tiny) -> None:
    project, store = tiny
    builds = FakeBuilds(store, breaks=("FROM",))
    with pytest.raises(OptimizeError, match="the baseline cannot be the start: it breaks the app"):
        Optimizer(project, store, builds, builds.client).run()


def test_a_cancel_stops_the_run_and_cancels_its_build(tiny) -> None:
    project, store = tiny
    builds = FakeBuilds(store)
    run_id = add_run(store, project)
    assert cancel_optimize(run_id, store)
    with pytest.raises(OptimizeCancelled):
        Optimizer(project, store, builds, builds.client, run_id=run_id).run()
    assert builds.cancelled == [1]


def test_a_background_run_writes_its_progress_and_result_to_the_store(tiny) -> None:
    project, store = tiny
    builds = FakeBuilds(store)
    jobs = Jobs()
    run_id = start_optimize(
        project, store=store, jobs=jobs, service=builds, client_factory=builds.client
    )
    job = jobs.wait(OPTIMIZE, project.key, timeout=30)
    assert job.state == "done", job.error
    run = get_run(store, run_id)
    assert (run.status, run.step, run.steps_total, run.current) == ("succeeded", 4, 4, "done")
    newest, result = latest_optimization(project, store)
    assert newest.id == run_id and result.adds_up
    assert not cancel_optimize(run_id, store)


def test_fixes_are_planned_largest_first() -> None:
    def finding(fix: str | None, size: int) -> Finding:
        return Finding("r", f"{fix} {size}", size, 1, 1, "", "", fix)

    found = [finding("multi-stage", 40), finding("no-cache", 30), finding("no-cache", 20)]
    plans = plan_fixes([*found, finding(None, 999), finding("copy-chown", 40)])
    assert [(fix, [f.bytes for f in found]) for fix, found in plans] == [
        ("no-cache", [30, 20]),
        ("copy-chown", [40]),
        ("multi-stage", [40]),
    ]
