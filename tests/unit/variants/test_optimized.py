"""The optimized Dockerfile saved per project under the workbench home."""

from __future__ import annotations

from pathlib import Path

from workbench.variants.optimized import (
    SavedOptimized,
    load_optimized,
    optimized_path,
    save_optimized,
)


def test_saved_and_read_back_under_the_home(project: Path, home: Path) -> None:
    assert load_optimized(project) is None
    saved = SavedOptimized("FROM x\n", {".dockerignore": b"tests\n"}, "no-cache (saves 1 MB)")
    path = save_optimized(project, saved)
    assert path == optimized_path(project) and path.is_relative_to(home)
    assert load_optimized(project) == saved
    path.write_text("{broken")
    assert load_optimized(project) is None
