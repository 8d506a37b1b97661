"""Fixes applied to any Dockerfile, one on another, each saying why when it changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import CannotTransform
from workbench.variants.fixes import FIXES, apply_fix

TEXT = (
    "FROM python:3.11-slim-bookworm\nRUN apt-get update && apt-get install -y curl\nCOPY . /app\n"
)


def test_fixes_apply_one_on_another(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    first = apply_fix("no-recommends", TEXT, tmp_path)
    assert "--no-install-recommends" in first.dockerfile and first.extra_files == {}
    second = apply_fix("apt-clean", first.dockerfile, tmp_path)
    assert "apt-get clean" in second.dockerfile and "--no-install-recommends" in second.dockerfile
    third = apply_fix("dockerignore", second.dockerfile, tmp_path, extra_files=second.extra_files)
    assert third.dockerfile == second.dockerfile
    assert b"tests\n" in third.extra_files[".dockerignore"]
    assert third.summary == ".dockerignore leaves out tests"


def test_a_fix_with_nothing_to_change_says_why(tmp_path: Path) -> None:
    done = apply_fix("no-recommends", TEXT, tmp_path).dockerfile
    with pytest.raises(
        CannotTransform, match="nothing to change: every apt-get install already skips"
    ):
        apply_fix("no-recommends", done, tmp_path)
    with pytest.raises(CannotTransform, match="nothing to drop"):
        apply_fix("pruned-deps", TEXT, tmp_path)
    with pytest.raises(CannotTransform, match="no fix named 'smaller'"):
        apply_fix("smaller", TEXT, tmp_path)


def test_every_fix_a_finding_names_is_known() -> None:
    named = {"no-cache", "apt-clean", "no-recommends", "multi-stage", "copy-chown"}
    assert named | {"dockerignore", "pruned-deps", "cache-mount"} == set(FIXES)
    assert len(FIXES) == len(set(FIXES))
