"""The dockerignore fix: the development files the project has, never what is copied by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import CannotTransform
from workbench.variants.dockerignore import HEADER, dockerignore_files, ignore_patterns
from workbench.variants.instructions import parse


def _project(tmp_path: Path, *names: str) -> Path:
    for name in names:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    return tmp_path


def test_what_the_project_has_is_ignored(tmp_path: Path) -> None:
    project = _project(
        tmp_path, "run.py", ".git-snapshot/HEAD", ".github/ci.yml", "docs/a.md", "tests/t.py",
        "pkg/__pycache__/m.cpython-311.pyc", "Dockerfile",
    )  # fmt: skip
    ignored = ignore_patterns(parse("FROM x\nCOPY . .\n"), project)
    assert ignored.added == (
        ".git-*",
        ".github",
        "tests",
        "docs",
        "Dockerfile*",
        "**/__pycache__",
        "**/*.pyc",
    )
    assert ignored.text == HEADER + "".join(f"{p}\n" for p in ignored.added)


def test_the_projects_own_file_is_extended_and_copied_names_are_kept(tmp_path: Path) -> None:
    project = _project(tmp_path, "docs/a.md", "tests/t.py", ".dockerignore")
    (project / ".dockerignore").write_text(".venv/\ntests")
    ignored = ignore_patterns(parse("FROM x\nCOPY docs/ /app/docs/\nCOPY . /app\n"), project)
    assert ignored.added == (".dockerignore",)
    assert ignored.text == ".venv/\ntests\n\n" + HEADER + ".dockerignore\n"


def test_nothing_to_add_says_why_and_an_overlay_is_extended(tmp_path: Path) -> None:
    project = _project(tmp_path, "app.py")
    with pytest.raises(CannotTransform, match="nothing to ignore: it has no development files"):
        ignore_patterns(parse("FROM x\nCOPY . .\n"), project)
    _project(tmp_path, "tests/t.py")
    files, added = dockerignore_files(
        parse("FROM x\nCOPY . .\n"), project, {".dockerignore": b"a\n"}
    )
    assert added == ("tests",)
    assert files[".dockerignore"] == b"a\n\n" + HEADER.encode() + b"tests\n"
