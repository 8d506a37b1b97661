from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT

APP = str(REPO_ROOT / "streamlit_app.py")


def _run() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.docker
def test_overview_shows_the_engine_and_the_sample(docker_client, stand_ins) -> None:
    at = _run()
    assert any(m.label == "Engine" and m.value == "reachable" for m in at.metric)
    text = " ".join(md.value for md in at.markdown)
    assert "elevendops" in text
    assert "python:3.11-slim-bookworm" in text and "local stand-in" in text
    assert at.sidebar.selectbox(key="sidebar_recent").value.endswith("samples/elevendops")


def test_overview_with_no_engine_renders_a_banner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    at = _run()
    assert any("No Docker engine answers" in e.value for e in at.error)
    assert "Add --no-cache to uv sync" in at.dataframe[0].value["Task"].tolist()


def test_a_folder_without_dockerfile_shows_an_error(tmp_path) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.text_input(key="sidebar_folder").input(str(tmp_path)).run()
    assert not at.exception
    assert any("has no Dockerfile" in e.value for e in at.error)


def test_opening_a_folder_makes_it_the_project_and_remembers_it() -> None:
    from tests.conftest import TINY_PROJECT
    from workbench.project.recent import recent_projects

    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.text_input(key="sidebar_folder").input(str(TINY_PROJECT)).run()
    assert not at.exception
    assert at.session_state["project_path"] == str(TINY_PROJECT)
    assert recent_projects() == [str(TINY_PROJECT)]
    at.selectbox(key="sidebar_recent").select(at.selectbox(key="sidebar_recent").options[1]).run()
    assert at.session_state["project_path"].endswith("samples/elevendops")
