"""The Dependencies page: the audit with sizes, tick boxes, the pruned variant.

The page is not registered in streamlit_app.py yet, so these tests open it through a
small script that registers only it.
"""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT
from tests.unit.audit.audit_fixtures import SHOP
from tests.unit.audit.audit_fixtures import facts_for as _facts_for
from workbench.audit import run_audit
from workbench.audit.graph import load_lock
from workbench.project import load_project

PAGE = REPO_ROOT / "app_pages" / "dependencies.py"
WRAPPER = f"""
import streamlit as st
st.navigation([st.Page({str(PAGE)!r}, title="Dependencies")]).run()
"""


@pytest.fixture(autouse=True)
def no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page reads the stored audit; no engine is needed (and none is reached)."""
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")


def _open(project: str) -> AppTest:
    at = AppTest.from_string(WRAPPER, default_timeout=120)
    at.session_state["project_path"] = project
    at.run()
    assert not at.exception, at.exception
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_without_an_audit_the_page_offers_to_run_one() -> None:
    at = _open(str(SHOP))
    assert any("No audit of this project yet" in i.value for i in at.info)
    assert any("engine" in e.value for e in at.error)  # the banner says what to do
    at.button(key="deps_run").click().run()
    deadline = time.monotonic() + 60
    while not at.checkbox and time.monotonic() < deadline:  # the audit runs in the background
        time.sleep(0.2)
        at.run()
    assert not at.exception
    names = {c.label for c in at.checkbox}
    assert {"black", "pytest", "six"} <= names
    assert any("guesses" in w.value for w in at.warning)


def test_ticks_change_the_total_and_the_pruned_pyproject_is_offered() -> None:
    project = load_project(SHOP)
    run_audit(project, facts=_facts_for(load_lock(SHOP / "uv.lock")))
    at = _open(str(SHOP))
    key = f"deps_pick_{project.key}_"
    assert at.checkbox(key=key + "pytest").value is True
    assert _metric(at, "Dropping the ticked ones frees") == "12.0 kB"
    assert "1.00 MB – 5.00 MB" in _metric(at, "The plan's estimate")
    at.checkbox(key=key + "black").uncheck().run()
    assert _metric(at, "Dropping the ticked ones frees") == "5.00 kB"  # pytest (4) + six (1)
    summaries = [m.value for m in at.markdown]
    assert any("drops pytest, six from pyproject.toml" in s for s in summaries)
    assert at.get("download_button"), "the pruned pyproject.toml is offered"
    assert at.button(key="deps_build").disabled  # no engine: nothing to build with
    overlaps = at.dataframe[0].value
    assert overlaps["Library"].tolist() == ["httpx", "requests"]
    assert overlaps["Imported by"].tolist() == ["shop/client.py", "shop/api.py"]


def test_unticking_everything_leaves_nothing_to_build() -> None:
    project = load_project(SHOP)
    run_audit(project, facts=_facts_for(load_lock(SHOP / "uv.lock")))
    at = _open(str(SHOP))
    for name in ("black", "pytest", "six"):
        at.checkbox(key=f"deps_pick_{project.key}_{name}").uncheck()
    at.run()
    assert not at.exception
    assert _metric(at, "Dropping the ticked ones frees") == "0 B"
    assert any("Tick at least one candidate" in i.value for i in at.info)
