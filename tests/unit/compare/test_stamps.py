"""Stamps change when what they claim to cover changes, and only then (a real store)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TINY_PROJECT
from tests.synthetic import SHAPES, add_analysed_build, analysis, fill_store
from workbench.compare.stamps import analyses_stamp, figures_stamp, history_stamp, image_stamp
from workbench.project import Project, load_project
from workbench.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "workbench.db")


@pytest.fixture
def project() -> Project:
    return load_project(TINY_PROJECT)


@pytest.fixture
def images(store: Store, project: Project) -> list[str]:
    """Analysed succeeded builds of baseline, no-cache and multi-stage."""
    return fill_store(store, project)


def _queue(store: Store, project_key: str, variant: str = "trial") -> int:
    return store.add_build(
        project_key=project_key,
        project_path="/elsewhere",
        variant=variant,
        tag=f"workbench/x:{variant}",
        builder="buildkit",
        request_key=variant,
        dockerfile_sha256="1" * 64,
    )


def _push(store: Store, image_id: str) -> int:
    return store.save_push(
        image_id=image_id,
        registry="localhost:5000",
        reference=f"localhost:5000/p@{image_id}",
        manifest_digest="sha256:" + "d" * 64,
        total_bytes=480_000_000,
        layers=[{"digest": "sha256:" + "e" * 64, "bytes": 480_000_000}],
        seconds=1.5,
    )


def _reanalyse(store: Store, image_id: str) -> None:
    store.save_analysis(image_id, "synthetic", analysis(image_id, **SHAPES["no-cache"]).to_dict())


# --- figures_stamp ----------------------------------------------------------------------


def test_the_figures_stamp_is_one_row_per_succeeded_build_newest_first(
    store: Store, project: Project, images: list[str]
) -> None:
    stamp = figures_stamp(store, project.key)
    assert stamp == figures_stamp(store, project.key)  # nothing changed
    assert [row[1] for row in stamp] == ["multi-stage", "no-cache", "baseline"]
    assert [row[2] for row in stamp] == images[::-1]
    assert [row[0] for row in stamp] == sorted((row[0] for row in stamp), reverse=True)
    assert all(row[3] is not None and row[4:] == (None, None) for row in stamp)
    assert figures_stamp(store, "another-project") == ()


def test_the_figures_stamp_changes_with_a_new_succeeded_build(
    store: Store, project: Project, images: list[str]
) -> None:
    before = figures_stamp(store, project.key)
    add_analysed_build(store, project, "trial-1", SHAPES["no-cache"])
    after = figures_stamp(store, project.key)
    assert after != before and after[1:] == before and after[0][1] == "trial-1"


def test_the_figures_stamp_ignores_builds_that_did_not_succeed_and_other_projects(
    store: Store, project: Project, images: list[str]
) -> None:
    before = figures_stamp(store, project.key)
    queued = _queue(store, project.key)
    store.update_build(queued, status="running", steps_done=3, steps_total=9)
    assert figures_stamp(store, project.key) == before
    store.update_build(queued, status="failed", error="boom")
    assert figures_stamp(store, project.key) == before
    other = _queue(store, "another-project")
    store.update_build(other, status="succeeded", image_id="sha256:other")
    assert figures_stamp(store, project.key) == before


def test_the_figures_stamp_changes_with_a_reanalysis_a_push_and_a_smoke_test(
    store: Store, project: Project, images: list[str]
) -> None:
    stamps = [figures_stamp(store, project.key)]
    _reanalyse(store, images[1])
    stamps.append(figures_stamp(store, project.key))
    _push(store, images[0])
    stamps.append(figures_stamp(store, project.key))
    store.save_smoke_result(images[2], True, {"checks": []})
    stamps.append(figures_stamp(store, project.key))
    assert len(set(stamps)) == 4
    assert stamps[-1] == figures_stamp(store, project.key)


def test_the_figures_stamp_ignores_images_no_build_of_the_project_made(
    store: Store, project: Project, images: list[str]
) -> None:
    before = figures_stamp(store, project.key)
    _reanalyse(store, "sha256:stranger")
    _push(store, "sha256:stranger")
    store.save_smoke_result("sha256:stranger", False, {})
    assert figures_stamp(store, project.key) == before


# --- image_stamp ------------------------------------------------------------------------


def test_the_image_stamp_of_an_unknown_image_names_it_alone(store: Store) -> None:
    assert image_stamp(store, "sha256:none") == (("sha256:none", None, None, None),)


def test_the_image_stamp_changes_with_its_analysis_push_and_smoke_test_only(
    store: Store, images: list[str]
) -> None:
    image, other = images[0], images[1]
    stamps = [image_stamp(store, image)]
    assert stamps[0][0][0] == image and stamps[0] == image_stamp(store, image)
    _reanalyse(store, other)
    _push(store, other)
    store.save_smoke_result(other, True, {})
    assert image_stamp(store, image) == stamps[0]  # another image's rows
    _reanalyse(store, image)
    stamps.append(image_stamp(store, image))
    _push(store, image)
    stamps.append(image_stamp(store, image))
    store.save_smoke_result(image, False, {})
    stamps.append(image_stamp(store, image))
    assert len(set(stamps)) == 4
    assert stamps[-1] == image_stamp(store, image)


# --- analyses_stamp ---------------------------------------------------------------------


def test_the_analyses_stamp_counts_analyses_and_sees_a_replaced_one(
    store: Store, images: list[str]
) -> None:
    first = analyses_stamp(store)
    assert first[0][0] == 3 and first == analyses_stamp(store)
    _reanalyse(store, images[0])  # the same image and options: replaced
    replaced = analyses_stamp(store)
    assert replaced[0][0] == 3 and replaced != first
    _reanalyse(store, "sha256:new")
    added = analyses_stamp(store)
    assert added[0][0] == 4 and added != replaced


def test_the_analyses_stamp_ignores_builds_pushes_and_smoke_tests(
    store: Store, project: Project, images: list[str]
) -> None:
    before = analyses_stamp(store)
    _queue(store, project.key)
    _push(store, images[0])
    store.save_smoke_result(images[0], True, {})
    assert analyses_stamp(store) == before


def test_the_analyses_stamp_of_an_empty_store(store: Store) -> None:
    assert analyses_stamp(store) == ((0, None),)


# --- history_stamp ----------------------------------------------------------------------


def test_the_history_stamp_follows_a_build_from_queued_to_its_end(
    store: Store, project: Project, images: list[str]
) -> None:
    stamps = [history_stamp(store, project.key)]
    assert stamps[0] == history_stamp(store, project.key)
    build = _queue(store, project.key)
    stamps.append(history_stamp(store, project.key))
    store.update_build(build, status="running", started_at=5.0, steps_total=4)
    stamps.append(history_stamp(store, project.key))
    store.update_build(build, steps_done=1)
    stamps.append(history_stamp(store, project.key))
    store.update_build(build, steps_done=2)
    stamps.append(history_stamp(store, project.key))
    store.update_build(build, status="succeeded", ended_at=9.0, image_id="sha256:t", steps_done=4)
    stamps.append(history_stamp(store, project.key))
    assert len(set(stamps)) == len(stamps) == 6


def test_the_history_stamp_sees_a_build_learn_its_steps(
    store: Store, project: Project, images: list[str]
) -> None:
    """The history lists each build's steps (done/total): BuildKit and the classic builder
    learn the total before the first step is done, and a later stage adds to it."""
    build = _queue(store, project.key)
    store.update_build(build, status="running", started_at=5.0)
    before = history_stamp(store, project.key)
    store.update_build(build, steps_total=7)  # steps_done still 0
    assert history_stamp(store, project.key) != before


def test_the_history_stamp_sees_a_failed_build_end(
    store: Store, project: Project, images: list[str]
) -> None:
    build = _queue(store, project.key)
    store.update_build(build, status="running", steps_done=1)
    before = history_stamp(store, project.key)
    store.update_build(build, status="failed", ended_at=3.0, error="boom")
    assert history_stamp(store, project.key) != before


def test_the_history_stamp_changes_with_a_new_smoke_test_or_analysis(
    store: Store, project: Project, images: list[str]
) -> None:
    stamps = [history_stamp(store, project.key)]
    store.save_smoke_result(images[0], True, {})
    stamps.append(history_stamp(store, project.key))
    store.save_smoke_result(images[0], True, {})  # the same result again: a new test
    stamps.append(history_stamp(store, project.key))
    _reanalyse(store, images[2])
    stamps.append(history_stamp(store, project.key))
    assert len(set(stamps)) == 4


def test_the_history_stamp_ignores_other_projects_pushes_and_logs(
    store: Store, project: Project, images: list[str]
) -> None:
    before = history_stamp(store, project.key)
    other = _queue(store, "another-project")
    store.update_build(other, status="running", steps_done=2)
    _push(store, images[0])
    build = store.builds(project_key=project.key, limit=1)[0].id
    store.append_build_log(build, "#5 DONE 0.1s\n")
    assert history_stamp(store, project.key) == before
