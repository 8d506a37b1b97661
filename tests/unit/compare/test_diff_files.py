"""File and folder changes: per component they sum to the component's delta."""

from __future__ import annotations

from tests.unit.compare.diff_images import A_FILES, B_FILES, SITE, image_a, image_b, table
from workbench.analysis import COMPONENTS
from workbench.compare.diff import diff_analyses, reconciles
from workbench.compare.diff_files import (
    ComponentFiles,
    FileTable,
    PathDelta,
    diff_files,
    folder_totals,
)


def _files():
    return diff_files(table(image_a(), A_FILES), table(image_b(), B_FILES))


def test_each_component_s_file_changes_sum_to_its_delta() -> None:
    files = _files()
    diff = diff_analyses(image_a(), image_b()).with_files(files)
    assert reconciles(diff) == []
    for component in diff.components:
        assert files.component_delta(component.component) == component.delta
    assert files.delta == diff.size_delta_bytes
    assert [c.component for c in files.components] == list(COMPONENTS)


def test_added_removed_grown_and_shrunk_files_with_their_bytes() -> None:
    files = _files()
    assert files.files["removed"] == (
        PathDelta("/root/.cache/uv/archive/numpy.so", "build_caches", 4_000_000, 0),
        PathDelta(f"{SITE}/pytest/main.py", "python_dependencies", 700_000, 0),
    )
    assert files.files["grown"] == (
        PathDelta(f"{SITE}/numpy/core.so", "python_dependencies", 5_000_000, 5_500_000),
        PathDelta("/app/main.py", "application_code", 1_000, 1_200),
    )
    assert files.files["added"] == (
        PathDelta("/app/.venv/bin/tool", "python_dependencies", 0, 20_000),
    )
    assert files.files["shrunk"] == ()
    deps = next(c for c in files.components if c.component == "python_dependencies")
    assert deps == ComponentFiles(
        "python_dependencies",
        {"added": 20_000, "removed": 700_000, "grown": 500_000, "shrunk": 0},
        {"added": 1, "removed": 1, "grown": 1, "shrunk": 0},
    )
    assert [r.path for r in files.largest(2)] == [
        "/root/.cache/uv/archive/numpy.so",
        f"{SITE}/pytest/main.py",
    ]


def test_folders_are_listed_where_an_added_or_removed_tree_starts() -> None:
    folders = _files().folders
    assert [r.path for r in folders["removed"]] == ["/root", f"{SITE}/pytest"]
    assert [(r.path, r.delta) for r in folders["added"]] == [("/app/.venv/bin", 20_000)]


def test_a_grown_folder_that_owes_its_change_to_one_subfolder_is_listed_as_it() -> None:
    a = FileTable("a", {"other": {"/srv/data/big/x": 10, "/srv/data/y": 5}})
    b = FileTable("b", {"other": {"/srv/data/big/x": 30, "/srv/data/y": 5}})
    folders = diff_files(a, b).folders
    assert [(r.path, r.delta) for r in folders["grown"]] == [("/srv/data/big", 20)]


def test_a_file_whose_component_changes_is_removed_from_one_and_added_to_the_other() -> None:
    a = FileTable("a", {"application_code": {"/app/x": 7}})
    b = FileTable("b", {"other": {"/app/x": 7}})
    files = diff_files(a, b)
    assert files.component_delta("application_code") == -7
    assert files.component_delta("other") == 7
    assert files.folders == {"added": (), "removed": (), "grown": (), "shrunk": ()}


def test_folder_totals_sum_every_file_under_each_folder() -> None:
    totals = folder_totals(FileTable("a", {"x": {"/a/b/c": 1, "/a/d": 2}, "y": {"/e": 4}}))
    assert totals == {"/a": 3, "/a/b": 1}


def test_the_json_shape() -> None:
    data = _files().to_dict()
    assert set(data) == {"delta_bytes", "components", "added", "removed", "grown", "shrunk",
                         "folders"}  # fmt: skip
    assert data["added"] == [
        {
            "path": "/app/.venv/bin/tool",
            "a_bytes": 0,
            "b_bytes": 20_000,
            "component": "python_dependencies",
            "delta_bytes": 20_000,
        }
    ]
    assert data["components"]["build_caches"]["removed_bytes"] == 4_000_000
