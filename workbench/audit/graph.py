"""The dependency graph of a ``uv.lock``: what a removal takes with it.

A ``uv.lock`` lists every package of the resolution as a ``[[package]]`` table with
its ``dependencies`` (``{ name, extra?, marker? }``) and ``optional-dependencies``
(per extra).  The project itself is one of them (``source = { virtual = "." }`` or
``editable = "."``); its ``dependencies`` are the roots of the runtime install.

Markers are evaluated once, when the lock is read, for the platform the image runs on
(Linux, x86-64, CPython, the lock's Python), so an edge that only exists on Windows
does not keep a package installed, and of a package the resolution forked (one entry
per version, each with its ``resolution-markers``) only the entries for that platform
count.  Extras are followed: ``uvicorn[standard]`` needs
what uvicorn's ``standard`` extra lists.

:func:`LockGraph.removal` answers the question the audit asks: dropping these direct
dependencies, which packages leave the install?  Those no longer reachable from the
remaining roots: the dropped packages and every transitive dependency that nothing
remaining needs; shared ones stay.

Without a uv.lock the same graph is built from a built image's installed distributions
(:mod:`~workbench.audit.requires`); its ``source`` says which.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName

from workbench.errors import AuditError
from workbench.project.manifests import normalize

Edge = tuple[str, tuple[str, ...]]
"""A dependency edge: the package's normalized name and the extras it asks for."""

LINUX_X86_64: Mapping[str, str] = {
    "os_name": "posix",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "platform_release": "",
    "platform_version": "",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "implementation_version": "3.11.0",
    "python_version": "3.11",
    "python_full_version": "3.11.0",
}


def environment(python_version: str = "3.11") -> dict[str, str]:
    """The marker environment of a Linux x86-64 CPython image of this Python version."""
    major_minor = ".".join(python_version.split(".")[:2])
    full = python_version if python_version.count(".") >= 2 else f"{major_minor}.0"
    return {
        **LINUX_X86_64,
        "python_version": major_minor,
        "python_full_version": full,
        "implementation_version": full,
    }


@dataclass(frozen=True)
class LockPackage:
    """One package of the lock, its edges already filtered by markers.

    Attributes:
        name: the normalized name.
        version: the locked version ("" when the lock has several, or none).
        dependencies: what it always needs.
        extras: per extra, what the extra adds.
    """

    name: str
    version: str = ""
    dependencies: tuple[Edge, ...] = ()
    extras: Mapping[str, tuple[Edge, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Removal:
    """What dropping some direct dependencies takes out of the install.

    Attributes:
        dropped: the direct dependencies dropped (normalized).
        packages: every package that leaves the install, sorted.
        kept: dropped names that stay installed because something remaining needs them.
        needed_by: for each kept name, the remaining packages that depend on it.
    """

    dropped: tuple[str, ...]
    packages: tuple[str, ...]
    kept: tuple[str, ...] = ()
    needed_by: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def bytes(self, sizes: Mapping[str, int]) -> int:
        """The bytes these packages take, from per-distribution sizes (normalized names)."""
        return sum(sizes.get(name, 0) for name in self.packages)


@dataclass(frozen=True)
class LockGraph:
    """The runtime dependency graph of a project's lock (or of an image's distributions).

    Attributes:
        project: the project's normalized name ("" when the lock has no project entry).
        roots: the project's direct runtime dependencies.
        packages: every package by normalized name.
        kept: roots no removal drops: what the image installs besides the project's
            dependencies (none for a lock).
        source: where the graph comes from: ``"uv.lock"``, or ``"image"`` (the
            ``Requires-Dist`` of the image's distributions).
    """

    project: str
    roots: tuple[Edge, ...]
    packages: Mapping[str, LockPackage]
    kept: tuple[Edge, ...] = ()
    source: str = "uv.lock"

    @property
    def root_names(self) -> tuple[str, ...]:
        """The names of the direct runtime dependencies."""
        return tuple(dict.fromkeys(name for name, _ in self.roots))

    def reachable(self, roots: Iterable[Edge] | None = None) -> frozenset[str]:
        """Every package the install needs from these roots (default: all of them, the
        kept ones included)."""
        seen: dict[str, set[str]] = {}
        stack: list[Edge] = list([*self.roots, *self.kept] if roots is None else roots)
        while stack:
            name, extras = stack.pop()
            wanted = set(extras)
            known = seen.get(name)
            if known is not None and wanted <= known:
                continue
            new_extras = wanted - known if known is not None else wanted
            first_visit = known is None
            seen[name] = (known or set()) | wanted
            package = self.packages.get(name)
            if package is None:
                continue
            if first_visit:
                stack.extend(package.dependencies)
            for extra in new_extras:
                stack.extend(package.extras.get(extra, ()))
        return frozenset(seen)

    def removal(self, drop: Iterable[str]) -> Removal:
        """What leaves the install when these direct dependencies are dropped.

        Args:
            drop: direct dependency names (any spelling).

        Returns:
            The packages no longer reachable from the remaining roots: the dropped
            ones and their exclusive transitive dependencies. A dropped package that a
            remaining one still needs stays, and is listed in ``kept``.
        """
        dropped = tuple(sorted({normalize(name) for name in drop}))
        before = self.reachable()
        remaining = [edge for edge in self.roots if edge[0] not in dropped]
        after = self.reachable([*remaining, *self.kept])
        kept = tuple(name for name in dropped if name in after)
        needed_by = {name: self.dependents(name, after) for name in kept}
        return Removal(dropped, tuple(sorted(before - after)), kept, needed_by)

    def dependents(self, name: str, among: Iterable[str] | None = None) -> tuple[str, ...]:
        """The packages (optionally only among some) that depend on ``name``."""
        names = self.packages if among is None else among
        found = set()
        for other in names:
            package = self.packages.get(other)
            if package is None or other == name:
                continue
            edges = [*package.dependencies, *(e for es in package.extras.values() for e in es)]
            if any(edge[0] == name for edge in edges):
                found.add(other)
        return tuple(sorted(found))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (the audit keeps it, so totals can be recomputed)."""
        return {
            "project": self.project,
            "roots": [[name, list(extras)] for name, extras in self.roots],
            "kept": [[name, list(extras)] for name, extras in self.kept],
            "source": self.source,
            "packages": {
                name: {
                    "version": package.version,
                    "dependencies": [[n, list(e)] for n, e in package.dependencies],
                    "extras": {
                        extra: [[n, list(e)] for n, e in edges]
                        for extra, edges in package.extras.items()
                    },
                }
                for name, package in self.packages.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LockGraph:
        """Read back what :meth:`to_dict` wrote."""

        def edges(items: Sequence[Sequence[Any]]) -> tuple[Edge, ...]:
            return tuple((str(name), tuple(extras)) for name, extras in items)

        return cls(
            project=data.get("project", ""),
            roots=edges(data.get("roots", ())),
            packages={
                name: LockPackage(
                    name,
                    raw.get("version", ""),
                    edges(raw.get("dependencies", ())),
                    {extra: edges(items) for extra, items in (raw.get("extras") or {}).items()},
                )
                for name, raw in (data.get("packages") or {}).items()
            },
            kept=edges(data.get("kept", ())),
            source=data.get("source", "uv.lock"),
        )


def marker_applies(marker: str | None, env: Mapping[str, str], extra: str = "") -> bool:
    """Whether a marker holds in this environment (for this extra); an unreadable one
    holds."""
    if not marker:
        return True
    try:
        return Marker(marker).evaluate({**env, "extra": extra})
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
        return True  # when in doubt, keep the edge: a package is not freed by mistake


def _edges(items: Iterable[Mapping[str, Any]], env: Mapping[str, str]) -> tuple[Edge, ...]:
    out: list[Edge] = []
    for item in items:
        name = item.get("name")
        if not name or not marker_applies(item.get("marker"), env):
            continue
        out.append((normalize(str(name)), tuple(str(e) for e in item.get("extra", ()))))
    return tuple(out)


def _is_project(package: Mapping[str, Any], project_name: str | None) -> bool:
    source = package.get("source") or {}
    if project_name is not None and normalize(package.get("name", "")) == project_name:
        return True
    return source.get("virtual") == "." or source.get("editable") == "."


def parse_lock(
    text: str,
    *,
    project_name: str | None = None,
    python_version: str | None = None,
    roots: Sequence[str] | None = None,
) -> LockGraph:
    """Read a ``uv.lock`` into its runtime graph.

    Args:
        text: the lock's TOML.
        project_name: the project's name (to find its entry); by default the package
            whose source is the project folder itself.
        python_version: the image's Python (``"3.11"``) for markers; by default the
            lower bound of the lock's ``requires-python``, else 3.11.
        roots: the direct dependencies, when the lock has no project entry (names).

    Returns:
        The graph.

    Raises:
        AuditError: the text is not a lock uv wrote.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AuditError(f"uv.lock is not valid TOML ({exc}); run `uv lock` again") from exc
    env = environment(_lowest_python(data) if python_version is None else python_version)
    wanted = normalize(project_name) if project_name else None
    packages: dict[str, LockPackage] = {}
    project = ""
    project_roots: tuple[Edge, ...] = ()
    entries = [raw for raw in data.get("package", []) if raw.get("name")]
    applicable = {
        normalize(str(raw["name"]))
        for raw in entries
        if any(marker_applies(m, env) for m in raw.get("resolution-markers") or [""])
    }
    for raw in entries:
        name = normalize(str(raw.get("name", "")))
        markers = raw.get("resolution-markers") or [""]
        if name in applicable and not any(marker_applies(m, env) for m in markers):
            continue  # a fork of the resolution for another platform
        deps = _edges(raw.get("dependencies", ()), env)
        extras = {
            str(extra): _edges(items, env)
            for extra, items in (raw.get("optional-dependencies") or {}).items()
        }
        if not project and _is_project(raw, wanted):
            project, project_roots = name, deps
        package = LockPackage(name, str(raw.get("version", "")), deps, extras)
        previous = packages.get(name)
        packages[name] = package if previous is None else _merged(previous, package)
    if not project and roots is not None:
        project_roots = tuple((normalize(r), ()) for r in roots)
    return LockGraph(project, project_roots, packages)


def _lowest_python(data: Mapping[str, Any]) -> str:
    """The lower bound of a lock's ``requires-python`` (3.11 when it has none)."""
    match = re.search(r"(\d+\.\d+)", str(data.get("requires-python", "")))
    return match.group(1) if match else "3.11"


def _merged(previous: LockPackage, fork: LockPackage) -> LockPackage:
    """Two entries of a forked resolution (one per version) as one package."""
    extras = dict(previous.extras)
    for extra, edges in fork.extras.items():
        extras[extra] = tuple(dict.fromkeys(extras.get(extra, ()) + edges))
    deps = tuple(dict.fromkeys(previous.dependencies + fork.dependencies))
    return LockPackage(previous.name, "", deps, extras)


def load_lock(path: Path, **options: Any) -> LockGraph:
    """Read a ``uv.lock`` file (see :func:`parse_lock` for the options).

    Raises:
        AuditError: the file is missing, unreadable or not a lock.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditError(f"cannot read {path}: {exc}; run `uv lock` in the project") from exc
    return parse_lock(text, **options)
