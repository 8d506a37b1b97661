"""The findings on Breakdown and the Optimize section of Variants, as a person sees them."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT, TINY_PROJECT
from tests.unit.findings.fake_builds import FakeBuilds
from tests.unit.findings.test_optimize import tiny  # noqa: F401 (a fixture)
from tests.unit.findings.test_stored import _store_image
from workbench.findings.optimize import Optimizer
from workbench.findings.runs import add_run, latest_run, update_run
from workbench.project import load_project
from workbench.store import Store

APP = str(REPO_ROOT / "streamlit_app.py")


def _open(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["project_path"] = str(TINY_PROJECT)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _frame(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_breakdown_ranks_the_images_findings(monkeypatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    _store_image(Store(), TINY_PROJECT)
    at = _open("app_pages/breakdown.py")
    findings = _frame(at, "Finding")
    assert findings["Finding"].tolist() == ["uv's cache left in the image (line 3)"]
    assert findings["Fix"].tolist() == ["no-cache"] and findings["Bytes"].tolist() == [900]
    assert findings["Line"].tolist() == [3]


def test_variants_shows_the_last_runs_ladder_and_offers_its_diff(tiny) -> None:  # noqa: F811
    project, store = tiny
    builds = FakeBuilds(store, breaks=(" AS builder",))
    result = Optimizer(project, store, builds, builds.client, save=False).run()
    run_id = add_run(store, project)
    update_run(store, run_id, status="succeeded", result=result.to_dict(), ended_at=time.time())
    at = _open("app_pages/variants.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Baseline": "1.00 MB", "Optimized": "700 kB", "Saved": "300 kB"}
    ladder = _frame(at, "Outcome")
    assert ladder["Step"].tolist() == ["baseline", "no-cache", "multi-stage", "optimized"]
    assert any("multi-stage dropped" in e.label for e in at.expander)
    diffs = [h.value for h in at.html if "The optimized Dockerfile against yours" in h.value]
    assert any("+RUN uv sync" in d for d in diffs)


def test_optimize_runs_in_the_background_and_says_why_it_failed(monkeypatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")  # no engine: the baseline cannot build
    at = _open("app_pages/variants.py")
    at.button(key="variants_optimize").click().run()
    assert not at.exception
    project = load_project(TINY_PROJECT)
    deadline = time.monotonic() + 60
    while not latest_run(Store(), project.key).finished and time.monotonic() < deadline:
        time.sleep(0.2)
    at.run()
    errors = [e.value for e in at.error]
    assert any(
        e.startswith("The last optimize run failed: the baseline cannot be the start")
        for e in errors
    ), errors
