"""Every page renders without exception: empty store, engine down, and with builds."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT, TINY_PROJECT
from tests.synthetic import fill_store
from workbench.build.rebuild import RebuildSubject
from workbench.build.service import BuildService, BuildSpec
from workbench.jobs import REBUILD, process_jobs
from workbench.project import load_project
from workbench.store import Store

APP = str(REPO_ROOT / "streamlit_app.py")
PAGES = [
    "app_pages/overview.py",
    "app_pages/variants.py",
    "app_pages/builds.py",
    "app_pages/breakdown.py",
    "app_pages/compare.py",
    "app_pages/dependencies.py",
    "app_pages/diff.py",
    "app_pages/report.py",
]


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
    diffs = [h.value for h in at.html if "against the baseline" in h.value]
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
    assert any("exit 3" in h.value for h in at.html)  # the log, as it is


@pytest.mark.parametrize("page", PAGES)
def test_each_page_renders_on_a_store_with_analysed_images(page: str) -> None:
    project = load_project(TINY_PROJECT)
    fill_store(Store(), project)
    at = _open(page, str(TINY_PROJECT))
    assert not at.exception


def test_compare_shows_savings_and_plan_vs_measured() -> None:
    project = load_project(TINY_PROJECT)
    fill_store(Store(), project)
    at = _open("app_pages/compare.py", str(TINY_PROJECT))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Baseline"] == "1.45 GB"
    assert metrics["Best: multi-stage"] == "805 MB"
    plan = at.dataframe[1].value
    assert plan["Measured saving"].tolist()[0] == "600 MB"  # no-cache: the cache
    assert "saves more than planned" in plan["Verdict"].tolist()[0]


def test_compare_runs_only_the_open_tab_below_the_savings() -> None:
    project = load_project(TINY_PROJECT)
    fill_store(Store(), project)
    at = _open("app_pages/compare.py", str(TINY_PROJECT))
    assert [t.label for t in at.tabs] == [
        "Plan vs measured",
        "Size over time",
        "Build time and compressed size",
    ]
    assert len(at.dataframe) == 2  # the savings, then the plan's tasks
    assert not any("Every build of each variant" in c.value for c in at.caption)
    at.session_state["compare_section"] = "Size over time"
    at.run()
    assert not at.exception
    assert any("Every build of each variant" in c.value for c in at.caption)
    assert len(at.dataframe) == 1  # the plan's table is not drawn


@pytest.mark.docker
def test_compare_measures_rebuild_times_in_the_background(docker_client, stand_ins) -> None:
    project = load_project(TINY_PROJECT)
    fill_store(Store(), project)
    at = _open("app_pages/compare.py", str(TINY_PROJECT))
    assert "Rebuild after a lock change (s)" not in at.dataframe[-1].value  # another tab
    at.session_state["compare_section"] = "Build time and compressed size"
    at.run()
    table = at.dataframe[-1].value
    assert set(table["Rebuild after a lock change (s)"]) == {"not measured"}
    at.button(key="compare_rebuild").click().run()
    assert not at.exception
    jobs = process_jobs()
    for variant in table["Variant"]:
        job = jobs.wait(REBUILD, RebuildSubject(str(project.path), variant), timeout=600)
        assert job.state == "done", job.error
    at.run()
    table = at.dataframe[-1].value
    assert "not measured" not in set(table["Rebuild after a source change (s)"])
    assert all(float(s) > 0 for s in table["Rebuild after a lock change (s)"])


def test_stakeholder_mode_shows_headline_figures_only() -> None:
    project = load_project(TINY_PROJECT)
    fill_store(Store(), project)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["project_path"] = str(TINY_PROJECT)
    at.session_state["stakeholder_mode"] = True
    at.run()
    assert not at.exception
    assert {m.label for m in at.metric} >= {"Baseline", "Best: multi-stage"}
    assert not at.button  # no controls
    assert not at.code and not at.html  # no logs


def test_stakeholder_mode_tells_the_story_first_without_zero_rows_or_controls() -> None:
    project = load_project(TINY_PROJECT)
    fill_store(Store(), project)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["project_path"] = str(TINY_PROJECT)
    at.session_state["stakeholder_mode"] = True
    at.run()
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception
    sentence = at.title[0].value
    assert sentence.startswith("tiny: multi-stage (not smoke-tested) is 644 MB (44.4 %) smaller")
    assert "the plan estimated" in sentence and sentence.endswith("measured 644 MB.")
    table = at.dataframe[0].value
    assert "0 B" not in set(table["Saved"])  # the components that did not change: a caption
    assert table["Component"].tolist()[-1] == "Total"
    assert any("The same in both images" in c.value for c in at.caption)
    assert not at.button and not at.code and not at.html


def test_a_link_with_view_stakeholder_opens_in_stakeholder_mode() -> None:
    fill_store(Store(), load_project(TINY_PROJECT))
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["project_path"] = str(TINY_PROJECT)
    at.query_params["view"] = "stakeholder"
    at.run()
    assert not at.exception
    assert at.toggle(key="stakeholder_mode").value is True
    assert at.title[0].value.startswith("tiny: multi-stage")
    at.toggle(key="stakeholder_mode").set_value(False).run()
    assert "view" not in at.query_params  # the address no longer says it
    at.toggle(key="stakeholder_mode").set_value(True).run()
    assert at.query_params["view"] == "stakeholder"


def test_builds_history_shows_size_saving_and_whether_it_still_works() -> None:
    project = load_project(TINY_PROJECT)
    store = Store()
    fill_store(store, project)
    at = _open("app_pages/builds.py", str(TINY_PROJECT))
    history = at.dataframe[0].value.set_index("Variant")
    assert history.loc["baseline", "Saved vs baseline"] == "(the baseline)"
    assert history.loc["multi-stage", "Size"] == "805 MB"
    assert history.loc["multi-stage", "Saved vs baseline"] == "644 MB (44.4 %)"
    assert set(history["Still works?"]) == {"not checked"}


def test_a_running_build_shows_a_progress_bar_of_its_steps() -> None:
    project = load_project(TINY_PROJECT)
    store = Store()
    build_id = store.add_build(
        project_key=project.key,
        project_path=str(project.path),
        variant="no-cache",
        tag="workbench/tiny:no-cache",
        builder="buildkit",
        request_key="no-cache-running",
        dockerfile_sha256="0" * 64,
    )
    store.update_build(build_id, status="running", started_at=1.0, steps_done=3, steps_total=12)
    at = _open("app_pages/builds.py", str(TINY_PROJECT))
    bars = [(bar.value, bar.proto.text) for bar in at.get("progress")]
    assert bars == [(25, "Step 3 of 12")], bars


def test_builds_page_smoke_tests_by_default_and_saves_the_settings_per_project() -> None:
    from workbench.project.smoke import load_smoke_settings, smoke_settings_path

    at = _open("app_pages/builds.py", str(TINY_PROJECT))
    project = load_project(TINY_PROJECT)
    # the engine may be down here: the checkbox shows only with an engine; the editor always
    key = f"builds_smoke_settings_{project.key}"
    assert at.text_input(key=f"{key}_port").value == "8000"  # from the plan
    at.text_area(key=f"{key}_env").set_value("GREETING=hello there\nEMPTY=")
    at.text_input(key=f"{key}_command").set_value("python -m app.server --quiet")
    at.button(key=f"FormSubmitter:{key}-Save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    settings, source = load_smoke_settings(project)
    assert source == "saved"
    assert dict(settings.env) == {"GREETING": "hello there", "EMPTY": ""}
    assert settings.command == ("python", "-m", "app.server", "--quiet")
    assert settings.port == 8000 and settings.path == "/health"
    assert not smoke_settings_path(project).is_relative_to(TINY_PROJECT)
    for box in at.checkbox:
        if box.key == f"builds_smoke_{project.key}":
            assert box.value is True  # the project has smoke settings: on by default
