"""The Report page on its own: an empty store, and a store with analysed images."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT
from tests.unit.report.sample import fill_store as _fill
from tests.unit.report.sample import make_project as _project
from workbench.store import Store

PAGE = str(REPO_ROOT / "app_pages" / "report.py")


def _open(project: Path) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["project_path"] = str(project)
    at.run()
    assert not at.exception, at.exception
    return at


def test_with_nothing_analysed_the_page_says_what_to_do(tmp_path: Path) -> None:
    at = _open(_project(tmp_path))
    assert any("build and analyse the baseline" in e.value for e in at.error)
    assert not at.get("download_button")


def test_with_analysed_images_the_page_offers_the_downloads(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _fill(Store(), project, ["baseline", "no-cache"])
    at = _open(project)
    keys = [button.key for button in at.get("download_button")]
    assert keys == ["report_download_html", "report_download_zip"]
    assert any("saves **600 MB** (41.4 %)" in m.value for m in at.markdown)
