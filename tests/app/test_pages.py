"""Every page renders without exception: empty store, engine down, and with builds."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT, TINY_PROJECT
from workbench.builds import BuildService, BuildSpec
from workbench.project import load_project
from workbench.store import Store

APP = str(REPO_ROOT / "streamlit_app.py")
PAGES = ["app_pages/overview.py", "app_pages/variants.py", "app_pages/builds.py"]


def _open(page: str, project: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if project:
        at.session_state["project_path"] = project
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("page", PAGES)
def test_each_page_renders_with_no_engine(page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    at = _open(page)
    assert any("No" in e.value and "engine" in e.value for e in at.error)


@pytest.mark.docker
@pytest.mark.parametrize("page", PAGES)
def test_each_page_renders_on_an_empty_store(page: str, docker_client, stand_ins) -> None:
    _open(page)


def test_variants_page_shows_the_no_cache_diff() -> None:
    at = _open("app_pages/variants.py", str(TINY_PROJECT))
    at.selectbox(key="variants_show").select("no-cache").run()
    assert not at.exception
    diffs = [c.value for c in at.code if c.language == "diff"]
    assert any("+RUN uv sync --frozen --no-dev --no-install-project --no-cache" in d for d in diffs)


def test_custom_dockerfile_is_saved_per_project() -> None:
    at = _open("app_pages/variants.py", str(TINY_PROJECT))
    key = next(t.key for t in at.text_area if t.key.startswith("variants_custom_"))
    at.text_area(key=key).input('FROM python:3.11-slim-bookworm\nCMD ["true"]\n').run()
    at.button(key="variants_custom_save").click().run()
    assert not at.exception
    assert any("Saved as the custom variant" in s.value for s in at.success)
    rows = at.dataframe[0].value
    custom = rows[rows["Variant"] == "custom"]["What changes"].iloc[0]
    assert not custom.startswith("cannot be made")


@pytest.mark.docker
def test_builds_page_lists_a_finished_build_with_its_log(docker_client, stand_ins) -> None:
    project = load_project(TINY_PROJECT)
    service = BuildService(Store())
    text = "FROM debian:bookworm-slim\nRUN echo one\nRUN exit 3\n"
    [record] = service.wait([service.submit(BuildSpec(project, "bad", text))], timeout=120)
    at = _open("app_pages/builds.py", str(TINY_PROJECT))
    history = at.dataframe[0].value
    assert history["Status"].tolist() == ["failed"]
    assert any(record.error in e.value for e in at.error)
