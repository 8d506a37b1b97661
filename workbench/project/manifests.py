"""A project's dependency manifests: which files they are, and what they declare.

Distribution names are compared as PEP 503 says (``Foo_Bar`` = ``foo-bar``), with
``packaging``'s own :func:`~packaging.utils.canonicalize_name`; every stage (variants,
audit, lock graph) uses :func:`normalize` from here.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST_PATTERNS = (
    "pyproject.toml",
    "uv.lock",
    "requirements*.txt",
    "constraints*.txt",
    "poetry.lock",
    "Pipfile",
    "Pipfile.lock",
    ".python-version",
)
_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def is_manifest(path: str) -> bool:
    """Whether a file (by its name; a trailing ``/`` ignored) is a dependency manifest."""
    name = posixpath.basename(path.rstrip("/"))
    return any(fnmatch.fnmatch(name, pattern) for pattern in MANIFEST_PATTERNS)


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares them (``Foo_Bar`` = ``foo-bar``)."""
    from packaging.utils import canonicalize_name  # ~45 ms to import: paid on first use

    return canonicalize_name(name.strip())


def requirement_name(requirement: str) -> str:
    """The distribution a requirement line names, as written (``"Foo[x]>=1"`` -> ``Foo``);
    ``""`` when the line names none."""
    match = _NAME.match(requirement)
    return match.group(1) if match else ""


@dataclass(frozen=True)
class Declared:
    """A dependency line of pyproject.toml.

    Attributes:
        name: normalized.
        spelled: the name as written.
        requirement: the whole line.
        group: ``"runtime"``, ``"optional:<extra>"``, ``"dev:<group>"`` or ``"uv-dev"``
            (the deprecated ``[tool.uv] dev-dependencies``).
    """

    name: str
    spelled: str
    requirement: str
    group: str


def _table(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> Iterable[Any]:
    return value if isinstance(value, list) else ()


def declared_dependencies(pyproject: Mapping[str, Any]) -> list[Declared]:
    """Every dependency line of a decoded pyproject.toml, with its group."""
    out: list[Declared] = []

    def add(items: Iterable[Any], group: str) -> None:
        for item in items:
            if not isinstance(item, str):
                continue  # an include-group table
            spelled = requirement_name(item)
            if spelled:
                out.append(Declared(normalize(spelled), spelled, item.strip(), group))

    project = _table(pyproject.get("project"))
    add(_items(project.get("dependencies")), "runtime")
    for extra, items in _table(project.get("optional-dependencies")).items():
        add(_items(items), f"optional:{extra}")
    for group, items in _table(pyproject.get("dependency-groups")).items():
        add(_items(items), f"dev:{group}")
    uv = _table(_table(pyproject.get("tool")).get("uv"))
    add(_items(uv.get("dev-dependencies")), "uv-dev")
    return out


def runtime_dependency_names(pyproject: Path | None) -> list[str]:
    """The names a pyproject.toml declares as runtime dependencies, as written; an
    unreadable or missing file declares none."""
    if pyproject is None:
        return []
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [d.spelled for d in declared_dependencies(data) if d.group == "runtime"]
