"""The pruned-deps variant: pyproject.toml minus chosen dependencies, the lock regenerated."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import CannotTransform
from workbench.variants import pruned
from workbench.variants.table import derive_variant


def test_pruned_variant_overlays_new_manifests(project: Path, fake_lock: list) -> None:
    variant = derive_variant(project, "pruned-deps", drop=["idna", "not-a-dep"])
    assert variant.dockerfile == (project / "Dockerfile").read_text()
    assert set(variant.extra_files) == {"pyproject.toml", "uv.lock"}
    pyproject = variant.extra_files["pyproject.toml"].decode()
    assert '"six>=1.16",  # used by app.py\n' in pyproject, "formatting and comments survive"
    assert "idna" not in pyproject.split("# not used")[1]
    assert b'[[package]]\nname = "idna"' not in variant.extra_files["uv.lock"]
    assert variant.summary == (
        "drops idna from pyproject.toml; uv.lock regenerated (1 packages fewer);"
        " not dependencies: not-a-dep"
    )
    assert '-    "idna>=3.7",\n' in variant.diff


@pytest.mark.parametrize(
    ("drop", "error"),
    [
        ([], "no dependencies chosen to drop"),
        (["requests"], "none of requests is in the [project] dependencies"),
    ],
)
def test_pruned_variant_says_when_there_is_nothing_to_drop(
    project: Path, fake_lock: list, drop: list[str], error: str
) -> None:
    variant = derive_variant(project, "pruned-deps", drop=drop)
    assert variant.error == error
    assert variant.dockerfile is None
    assert not variant.ok
    assert fake_lock == []


def test_pruned_variant_reports_uv_lock_failures(project: Path, monkeypatch) -> None:
    def fail(project: Path, pyproject: str, timeout: float) -> bytes:
        raise CannotTransform("uv lock failed after dropping the dependencies: no network")

    monkeypatch.setattr(pruned, "_relock", fail)
    pruned._prune_memo.cache_clear()
    variant = derive_variant(project, "pruned-deps", drop=["idna"])
    assert variant.error == "uv lock failed after dropping the dependencies: no network"
