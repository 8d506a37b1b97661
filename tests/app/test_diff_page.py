"""The Diff page: any two stored images, their headline, components, packages and files."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT, TINY_PROJECT
from tests.synthetic import fill_store
from workbench.analysis import COMPONENTS, ImageAnalysis
from workbench.compare import file_lists
from workbench.compare.diff_files import FileTable
from workbench.project import load_project
from workbench.store import Store

APP = str(REPO_ROOT / "streamlit_app.py")
PAGE = "app_pages/diff.py"


def _open(project: str | None = str(TINY_PROJECT)) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if project:
        at.session_state["project_path"] = project
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _keep_file_tables(store: Store, image_ids: list[str]) -> None:
    """File tables that add up to the synthetic analyses: one file per component."""
    for image_id in image_ids:
        analysis = ImageAnalysis.from_dict(store.latest_analysis(image_id))
        files = {c: {f"/{c}/data.bin": analysis.components[c]} for c in COMPONENTS}
        table = FileTable(
            image_id, {c: {p: b for p, b in f.items() if b} for c, f in files.items()}
        )
        blob = file_lists._encode(table)
        store.save_file_table(image_id, file_lists.table_key(analysis), blob)


@pytest.fixture
def stored(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    store = Store()
    image_ids = fill_store(store, load_project(TINY_PROJECT))
    _keep_file_tables(store, image_ids)
    return image_ids


def test_the_page_shows_the_headline_components_packages_and_file_changes(stored) -> None:
    at = _open()
    assert at.selectbox(key="diff_a").value.startswith("baseline (")
    assert at.selectbox(key="diff_b").value.startswith("no-cache (")
    headline = [m.value for m in at.markdown if m.value.startswith("####")]
    assert headline == ["#### no-cache is 600 MB smaller than baseline: -600 MB in Build caches."]
    assert {m.label: m.value for m in at.metric}["B minus A"] == "-600 MB"
    components = at.dataframe[0].value
    assert components["Component"].tolist()[-1] == "Total"
    files = at.dataframe[-2].value
    assert files["File"].tolist() == ["/build_caches/data.bin"]
    assert files["Change"].tolist() == ["removed"]


def test_any_two_images_can_be_picked(stored) -> None:
    at = _open()
    at.selectbox(key="diff_b").select(at.selectbox(key="diff_b").options[2]).run()
    assert not at.exception
    headline = [m.value for m in at.markdown if m.value.startswith("####")]
    assert headline[0].startswith("#### multi-stage is 644 MB smaller than baseline")


def test_without_file_tables_and_engine_the_rest_still_shows(monkeypatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    fill_store(Store(), load_project(TINY_PROJECT))
    at = _open()
    assert any(m.value.startswith("#### no-cache is 600 MB smaller") for m in at.markdown)
    assert len(at.dataframe) == 2  # components and layers
    assert any(i.value == "No Python or Debian package changed." for i in at.info)
    reading = [c.value for c in at.caption if c.value.startswith("Reading both images")]
    failed = [e.value for e in at.error if e.value.startswith("The file lists of")]
    assert reading or failed  # in the background: queued, or already failed for want of an engine


def test_with_no_images_the_page_says_how_to_get_some(monkeypatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    at = _open()
    assert any("No images yet" in i.value for i in at.info)
