"""A diff's sides: tags, ids and PROJECT_DIR:VARIANT, found in the store or the engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TINY_PROJECT
from tests.synthetic import add_analysed_build
from tests.unit.compare.diff_images import A_FILES, B_FILES, image_a, image_b, table
from workbench.compare import file_lists, sides
from workbench.errors import DiffError, EngineUnavailable
from workbench.project import load_project
from workbench.store import Store


def _no_engine():
    raise EngineUnavailable("no Docker engine answers at tcp://127.0.0.1:9; start one")


def _stored() -> Store:
    store = Store()
    for analysis in (image_a(), image_b()):
        store.save_analysis(analysis.image_id, "test", analysis.to_dict())
    return store


def test_project_dir_colon_variant_is_a_variant_when_the_folder_exists(tmp_path: Path) -> None:
    assert sides.split_variant(f"{tmp_path}:no-cache") == (tmp_path, "no-cache")
    assert sides.split_variant("workbench/elevendops:baseline") is None  # no such folder here
    assert sides.split_variant("sha256:" + "a" * 64) is None
    assert sides.split_variant("python:3.11-slim") is None


def test_a_variant_is_its_project_s_newest_succeeded_build() -> None:
    store = Store()
    project = load_project(TINY_PROJECT)
    add_analysed_build(store, project, "no-cache", {"other": 5})
    newest = add_analysed_build(store, project, "no-cache", {"other": 6})
    found = sides.resolve(f"{TINY_PROJECT}:no-cache", store=store, client_factory=_no_engine)
    assert found.image_id == newest and found.variant == "no-cache"
    assert found.project == project


def test_a_variant_never_built_says_how_to_build_it() -> None:
    with pytest.raises(DiffError) as error:
        sides.resolve(f"{TINY_PROJECT}:pruned-deps", store=Store(), client_factory=_no_engine)
    assert "no succeeded build of 'pruned-deps'" in str(error.value)
    assert f"workbench build {TINY_PROJECT} --variant pruned-deps" in str(error.value)
    assert "\n" not in str(error.value)


def test_with_the_engine_down_tags_and_ids_come_from_the_stored_analyses() -> None:
    store = _stored()
    by_tag = sides.resolve("w/p:aaaa", store=store, client_factory=_no_engine)
    by_id = sides.resolve("c" * 12, store=store, client_factory=_no_engine)
    assert (by_tag.image_id, by_id.image_id) == (image_a().image_id, image_b().image_id)
    with pytest.raises(DiffError, match="no stored analysis of 'nope:1', and no Docker engine"):
        sides.resolve("nope:1", store=store, client_factory=_no_engine)


def test_the_whole_diff_from_the_store_with_its_file_changes() -> None:
    store = _stored()
    for analysis, files in ((image_a(), A_FILES), (image_b(), B_FILES)):
        blob = file_lists._encode(table(analysis, files))
        store.save_file_table(analysis.image_id, file_lists.table_key(analysis), blob)
    diff = sides.diff_refs("w/p:aaaa", "w/p:cccc", store=store, client_factory=_no_engine)
    assert diff.a.ref == "w/p:aaaa" and diff.size_delta_bytes == -4_179_800
    assert diff.files is not None and diff.files.delta == diff.size_delta_bytes
    assert diff.files_note == ""


def test_without_file_tables_and_engine_the_diff_has_every_other_figure() -> None:
    diff = sides.diff_refs("w/p:aaaa", "w/p:cccc", store=_stored(), client_factory=_no_engine)
    assert diff.files is None
    assert diff.files_note.startswith("no Docker engine answers")
    fast = sides.diff_refs(
        "w/p:aaaa", "w/p:cccc", files=False, store=_stored(), client_factory=_no_engine
    )
    assert fast.files is None and fast.files_note == ""


def test_an_image_never_analysed_needs_the_engine() -> None:
    store = Store()
    project = load_project(TINY_PROJECT)
    add_analysed_build(store, project, "baseline", {"other": 5})
    build = store.latest_images(project.key)["baseline"]
    store.update_build(build.id, image_id="sha256:" + "e" * 64)
    with pytest.raises(DiffError, match="was never analysed, and no Docker engine answers"):
        sides.diff_refs(
            f"{TINY_PROJECT}:baseline", f"{TINY_PROJECT}:baseline", store=store,
            client_factory=_no_engine,
        )  # fmt: skip


def test_the_choices_are_the_project_s_variants_then_every_stored_analysis() -> None:
    store = _stored()
    project = load_project(TINY_PROJECT)
    image_id = add_analysed_build(store, project, "baseline", {"other": 5})
    choices = sides.image_choices(project, store)
    assert [c.name for c in choices] == ["baseline", "w/p:cccc", "w/p:aaaa"]
    assert choices[0].image_id == image_id
    assert choices[0].label == f"baseline (workbench/{project.name}:baseline)"
    assert [c.name for c in sides.image_choices(None, store)][-2:] == ["w/p:cccc", "w/p:aaaa"]
