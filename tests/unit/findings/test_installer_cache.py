"""Installer caches left in the image, measured to the byte per cache and layer."""

from __future__ import annotations

from tests.unit.analysis.analysis_archives import File, Whiteout
from tests.unit.findings.images import findings_of
from workbench.analysis import PathSize
from workbench.findings.installer_cache import RULE, WHY
from workbench.findings.model import Finding


def test_uv_cache_left_by_uv_sync_is_named_with_its_bytes_and_line() -> None:
    found = findings_of(
        [
            [
                File("app/.venv/pyvenv.cfg", b"home = /usr/bin\n"),
                File("root/.cache/uv/archive-v0/a/big.so", b"x" * 5000),
                File("root/.cache/uv/wheels-v1/b.whl", b"w" * 700),
            ]
        ],
        ["RUN uv sync --frozen"],
        rule=RULE,
    )
    assert found == [
        Finding(
            rule=RULE,
            title="uv's cache left in the image (line 3)",
            bytes=5700,
            layer=1,
            line=3,
            instruction="RUN uv sync --frozen",
            why=WHY,
            fix="no-cache",
            paths=(
                PathSize("/root/.cache/uv/archive-v0/a/big.so", 5000),
                PathSize("/root/.cache/uv/wheels-v1/b.whl", 700),
            ),
            detail="2 files; cache-mount keeps it out too (BuildKit)",
            see="DL3042",
        )
    ]


def test_each_tool_and_layer_is_a_finding_of_its_own() -> None:
    found = findings_of(
        [
            [File("root/.cache/pip/http/a", b"p" * 300)],
            [File("root/.cache/pypoetry/cache/x", b"q" * 40), File("root/.cache/pdm/y", b"d" * 9)],
        ],
        ["RUN pip install poetry", "RUN poetry install"],
        rule=RULE,
    )
    assert [(f.title, f.bytes, f.line) for f in found] == [
        ("pip's cache left in the image (line 3)", 300, 3),
        ("Poetry's cache left in the image (line 4)", 40, 4),
        ("PDM's cache left in the image (line 4)", 9, 4),
    ]


def test_a_cache_a_later_layer_deleted_is_not_left_but_shadowed() -> None:
    found = findings_of(
        [[File("root/.cache/pip/a", b"p" * 300)], [Whiteout("root/.cache/pip")]],
        ["RUN pip install six", "RUN rm -rf /root/.cache/pip"],
        rule=RULE,
    )
    assert found == []


def test_a_cache_in_the_base_image_has_no_fix() -> None:
    found = findings_of([], [], base=[File("root/.cache/uv/x", b"u" * 11)], rule=RULE)
    assert [(f.bytes, f.fix, f.line) for f in found] == [(11, None, 1)]
