"""Bytes per rule id and tag per layer, and who hid what: exact bytes."""

from __future__ import annotations

import io

from tests.unit.analysis.analysis_archives import (
    Dir,
    File,
    Hardlink,
    Whiteout,
    docker_archive,
    layer_tar,
)
from workbench.analysis import LayerGroup, PathSize, Shadow, analyze_stream


def _analyse(*layers):
    tars = [layer_tar(m) for m in layers]
    return analyze_stream(io.BytesIO(docker_archive(tars)), compress=False, app_paths=["/app"])


def test_rule_ids_and_tags_sum_per_layer_visible_and_shadowed() -> None:
    result = _analyse(
        [File("root/.cache/uv/a.so", b"a" * 500), File("root/.cache/uv/b", b"b" * 20),
         File("app/.venv/pyvenv.cfg", b"h"),
         File("app/.venv/lib/python3.11/site-packages/__pycache__/m.pyc", b"p" * 70)],
        [Whiteout("root/.cache/uv/b"), File("wheels/x-1.0-py3-none-any.whl", b"w" * 9)],
    )  # fmt: skip
    groups = {(g.group, g.layer): g for g in result.groups}
    assert groups[("uv-cache", 0)] == LayerGroup(
        "uv-cache", 0, 500, 1, 20, 1,
        (PathSize("/root/.cache/uv/a.so", 500), PathSize("/root/.cache/uv/b", 20, 0)),
    )  # fmt: skip
    assert groups[("bytecode", 0)].bytes == 70
    assert groups[("wheels", 1)] == LayerGroup(
        "wheels", 1, 9, 1, largest=(PathSize("/wheels/x-1.0-py3-none-any.whl", 9),)
    )
    assert result.group_bytes("wheels") == [groups[("wheels", 1)]]
    assert result.components["installer_inputs"] == 9
    assert result.components["build_caches"] == 500


def test_shadows_pair_each_layer_with_the_one_that_hid_it() -> None:
    result = _analyse(
        [Dir("app"), File("app/a.py", b"a" * 100), File("app/b.py", b"b" * 30),
         File("etc/passwd", b"p" * 12)],
        [File("app/a.py", b"A" * 100), File("app/b.py", b"B" * 31), File("etc/passwd", b"P" * 12)],
        [Whiteout("app/b.py")],
    )  # fmt: skip
    assert result.shadows == (
        Shadow(0, 1, "replaced", 142, 3, same_size_bytes=100, state_bytes=12,
               largest=(PathSize("/app/a.py", 100, 0), PathSize("/app/b.py", 30, 0),
                        PathSize("/etc/passwd", 12, 0))),
        Shadow(1, 2, "deleted", 31, 1, largest=(PathSize("/app/b.py", 31, 1),)),
    )  # fmt: skip
    assert sum(s.bytes for s in result.shadows) == result.components["shadowed"]


def test_a_hardlink_group_is_hidden_by_the_layer_that_removed_its_last_path() -> None:
    result = _analyse(
        [File("d/a", b"x" * 50), Hardlink("d/b", "d/a")],
        [Whiteout("d/a")],
        [Whiteout("d/b")],
    )
    assert [(s.layer, s.by_layer, s.how, s.bytes) for s in result.shadows] == [
        (0, 2, "deleted", 50)
    ]
