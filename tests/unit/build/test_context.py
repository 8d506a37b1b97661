from __future__ import annotations

import tarfile
from pathlib import Path

from workbench.build.context import DOCKERFILE_NAME, make_context


def test_the_context_respects_dockerignore_and_overlays(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / ".dockerignore").write_text("# comment\nsecret.txt\n.venv/\n")
    (tmp_path / "secret.txt").write_text("no")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "big").write_text("no")
    (tmp_path / "pyproject.toml").write_text("original")
    (tmp_path / "café app").mkdir()
    (tmp_path / "café app" / "main.py").write_text("print(1)")
    context = make_context(tmp_path, "FROM scratch\nCOPY . /\n", {"pyproject.toml": b"pruned"})
    with tarfile.open(fileobj=context) as tar:
        names = tar.getnames()
        contents = {
            name: tar.extractfile(name).read() for name in names if tar.getmember(name).isfile()
        }
    assert "secret.txt" not in names and ".venv/big" not in names
    assert contents["pyproject.toml"] == b"pruned"
    assert names.count("pyproject.toml") == 1
    assert contents[DOCKERFILE_NAME] == b"FROM scratch\nCOPY . /\n"
    assert contents["café app/main.py"] == b"print(1)"
    assert (tmp_path / "pyproject.toml").read_text() == "original"


def test_a_variants_own_dockerignore_filters_the_context(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "app.py").write_text("print(1)")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("long")
    generated = {".dockerignore": b"docs\n"}
    with tarfile.open(fileobj=make_context(tmp_path, "FROM scratch\n", generated)) as tar:
        names = tar.getnames()
    assert "app.py" in names and "docs/guide.md" not in names and ".dockerignore" in names
