"""The dependency graph of a built image's distributions, for projects without a uv.lock.

Each distribution's ``METADATA`` lists what it needs (``Requires-Dist``: PEP 508 lines,
markers included), read in the audit's one export pass
(:mod:`~workbench.audit.distributions`).  Markers are evaluated for the image's Python
with the marker environment of :mod:`~workbench.audit.graph`; an edge whose marker holds
only for an extra (``extra == "socks"``) belongs to that extra, and extras are followed
as pip installs them.  The result is a :class:`~workbench.audit.graph.LockGraph` whose
``source`` is ``"image"``, so the rest of the audit (sizes, overlaps, totals) does not
care where its graph came from: a pip, Poetry or PDM image gets exclusive transitive
bytes too.

The roots are the project's runtime dependencies (with their extras, when their markers
hold in the image).  Every other installed distribution that no root reaches (pip and
setuptools of the base image, what the Dockerfile installs on its own) is *kept*: no
removal drops it, so what it needs stays.  The project's own distribution, when the
image installs it, is not kept: it requires exactly what the manifests declare.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from workbench.audit.distributions import Distribution, ImageFacts
from workbench.audit.graph import Edge, LockGraph, LockPackage, environment, marker_applies
from workbench.project.manifests import Declared, declared_parts, normalize

_EXTRA = re.compile(r"""extra\s*==\s*["']([^"']+)["']|["']([^"']+)["']\s*==\s*extra""")


def image_graph(
    facts: ImageFacts, runtime: Sequence[Declared], project_name: str | None = None
) -> LockGraph:
    """The graph of what the image installs, rooted at the project's runtime dependencies.

    Args:
        facts: the image's distributions (their ``Requires-Dist``) and Python.
        runtime: the project's runtime dependencies.
        project_name: the project's name, so its own installed distribution (if any)
            is not kept.

    Returns:
        The graph (``source`` ``"image"``).
    """
    env = environment(facts.python_version or "3.11")
    dists = facts.by_name()
    packages = {key: package_of(dist, env, dists) for key, dist in dists.items()}
    roots = tuple(edge for d in runtime if (edge := root_edge(d, env)) is not None)
    project = normalize(project_name) if project_name else ""
    graph = LockGraph(project, roots, packages, source="image")
    reached = graph.reachable(roots)
    kept = tuple((name, ()) for name in sorted(set(packages) - reached) if name != project)
    return LockGraph(project, roots, packages, kept, "image")


def root_edge(declared: Declared, env: Mapping[str, str]) -> Edge | None:
    """A declared dependency as a root (its extras), None when its marker does not hold
    in the image (``; sys_platform == "win32"``)."""
    extras, marker = declared_parts(declared)
    if not marker_applies(marker, env):
        return None
    return declared.name, extras


def package_of(dist: Distribution, env: Mapping[str, str], installed: Iterable[str]) -> LockPackage:
    """A distribution's edges: what it always needs, and per extra what the extra adds;
    only to distributions the image has, markers evaluated for its Python.

    Args:
        dist: the distribution (its ``requires``).
        env: the image's marker environment.
        installed: the normalized names the image has.
    """
    from packaging.requirements import InvalidRequirement, Requirement

    have = set(installed)
    always: list[Edge] = []
    extras: dict[str, list[Edge]] = defaultdict(list)
    for line in dist.requires:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue  # a line pip would refuse installs nothing
        name = normalize(requirement.name)
        if name not in have:
            continue
        edge = (name, tuple(sorted(normalize(e) for e in requirement.extras)))
        marker = str(requirement.marker) if requirement.marker else None
        if marker_applies(marker, env):
            always.append(edge)
            continue
        for extra in extras_named(marker):
            if marker_applies(marker, env, extra):
                extras[extra].append(edge)
    return LockPackage(
        dist.key,
        dist.version,
        tuple(dict.fromkeys(always)),
        {extra: tuple(dict.fromkeys(edges)) for extra, edges in extras.items()},
    )


def extras_named(marker: str | None) -> tuple[str, ...]:
    """The extras a marker compares ``extra`` with, normalized (``extra == "Socks"`` ->
    ``("socks",)``)."""
    if not marker:
        return ()
    found = (a or b for a, b in _EXTRA.findall(marker))
    return tuple(dict.fromkeys(normalize(name) for name in found))
