"""The dockerignore fix: a ``.dockerignore`` that keeps development files out of the context.

``COPY . .`` takes whatever the build context holds.  The fix writes a ``.dockerignore``
(an overlay on the build context, never a file in the project) naming the development
files the project actually has: version control, tests, docs, tool and editor caches,
a local virtualenv, ``node_modules``, bytecode, the Dockerfiles.  A project's own
``.dockerignore`` is kept and extended; a path the Dockerfile copies by name is never
ignored.  The patterns follow Docker's ``.dockerignore`` syntax.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import CannotTransform
from workbench.variants.dockerfile import parse_copy
from workbench.variants.instructions import Dockerfile

DOCKERIGNORE = ".dockerignore"
HEADER = "# Added by the workbench: development files the app does not need at run time.\n"
TOP_LEVEL = (
    ".git",
    ".git-*",
    ".github",
    ".gitlab",
    ".gitlab-ci.yml",
    ".gitignore",
    ".gitattributes",
    "tests",
    "test",
    "docs",
    ".venv",
    "venv",
    "node_modules",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".tox",
    ".nox",
    ".idea",
    ".vscode",
    ".coverage",
    "htmlcov",
    "Dockerfile*",
    ".dockerignore",
)
"""Names (globs) of top-level entries a running app does not need."""
ANYWHERE = ("**/__pycache__", "**/*.pyc")
"""Patterns for what may lie at any depth."""


@dataclass(frozen=True)
class Ignored:
    """The fix's result: the ``.dockerignore`` overlay and what it adds.

    Attributes:
        text: the whole ``.dockerignore``.
        added: the patterns the workbench added, in order.
    """

    text: str
    added: tuple[str, ...]

    def files(self) -> dict[str, bytes]:
        """The overlay for :attr:`~workbench.variants.model.Variant.extra_files`."""
        return {DOCKERIGNORE: self.text.encode("utf-8")}


def _copied_by_name(df: Dockerfile) -> set[str]:
    """The top-level names the Dockerfile's COPY/ADD take from the context by name."""
    names = set()
    for ins in df.instructions:
        if ins.keyword in ("COPY", "ADD"):
            spec = parse_copy(ins)
            if "from" not in spec.flags:
                names.update(s.strip("./").split("/", 1)[0] for s in spec.sources if s.strip("./"))
    return names


def _has_any(project_dir: Path, pattern: str) -> bool:
    tail = pattern.removeprefix("**/")
    return any(True for _ in project_dir.rglob(tail))


def ignore_patterns(df: Dockerfile, project_dir: Path, existing: str | None = None) -> Ignored:
    """The ``.dockerignore`` that keeps the project's development files out.

    Args:
        df: the Dockerfile (names it copies are never ignored).
        project_dir: the project folder (only what it holds is named).
        existing: the ``.dockerignore`` to extend; by default the project's own.

    Returns:
        The overlay and the patterns added.

    Raises:
        CannotTransform: nothing to add (a one-line reason).
    """
    if existing is None:
        path = project_dir / DOCKERIGNORE
        existing = path.read_text("utf-8", errors="replace") if path.is_file() else ""
    present = {line.strip().rstrip("/") for line in existing.splitlines()}
    wanted = _copied_by_name(df)
    entries = sorted(p.name for p in project_dir.iterdir())
    added = []
    for pattern in TOP_LEVEL:
        matches = [n for n in entries if fnmatch.fnmatchcase(n, pattern)]
        if not matches or any(n in wanted for n in matches) or pattern in present:
            continue
        added.append(pattern)
    for pattern in ANYWHERE:
        if pattern not in present and _has_any(project_dir, pattern):
            added.append(pattern)
    if not added:
        where = "its .dockerignore already leaves" if existing else "it has no"
        raise CannotTransform(f"nothing to ignore: {where} development files to keep out")
    body = existing if not existing or existing.endswith("\n") else existing + "\n"
    text = body + ("\n" if body else "") + HEADER + "".join(f"{p}\n" for p in added)
    return Ignored(text, tuple(added))


def dockerignore_files(
    df: Dockerfile, project_dir: Path, overlays: Mapping[str, bytes] | None = None
) -> tuple[dict[str, bytes], tuple[str, ...]]:
    """The overlay files with the fix's ``.dockerignore``, and the patterns it adds.

    Args:
        df: the Dockerfile.
        project_dir: the project folder.
        overlays: the overlay files so far (an earlier ``.dockerignore`` there is
            extended rather than the project's).

    Raises:
        CannotTransform: nothing to add.
    """
    overlays = dict(overlays or {})
    earlier = overlays.get(DOCKERIGNORE)
    ignored = ignore_patterns(
        df, project_dir, earlier.decode("utf-8", "replace") if earlier is not None else None
    )
    return {**overlays, **ignored.files()}, ignored.added
