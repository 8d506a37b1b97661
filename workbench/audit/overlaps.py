"""The audit's overlaps: libraries that do the same job, declared together.

Two HTTP clients, two JSON libraries, two ASGI servers: declaring both is worth a look.
Each member says which copied files import it and what dropping it would free on top
of the selected candidates (nothing when other packages need it anyway).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from workbench.audit.imports import Scan
from workbench.audit.model import CERTAIN, GUESS, Overlap, OverlapMember
from workbench.audit.names import Names
from workbench.audit.sizes import Sizes
from workbench.project.manifests import Declared

# Libraries that do the same job; declaring two is worth a look.
OVERLAPS: tuple[tuple[str, frozenset[str]], ...] = (
    ("HTTP clients", frozenset({"requests", "httpx", "aiohttp", "httplib2", "pycurl", "niquests"})),
    ("JSON libraries", frozenset({"orjson", "ujson", "simplejson", "python-rapidjson"})),
    ("YAML libraries", frozenset({"pyyaml", "ruamel-yaml"})),
    ("TOML libraries", frozenset({"toml", "tomli", "tomlkit", "rtoml"})),
    ("PostgreSQL drivers", frozenset({"psycopg", "psycopg2", "psycopg2-binary"})),
    ("MySQL drivers", frozenset({"pymysql", "mysqlclient", "mysql-connector-python"})),
    ("date and time libraries", frozenset({"arrow", "pendulum"})),
    ("ASGI servers", frozenset({"uvicorn", "hypercorn", "daphne", "granian"})),
    ("linters and formatters", frozenset({"ruff", "black", "flake8", "pylint", "isort"})),
)


def find_overlaps(
    runtime: Mapping[str, Declared],
    scan: Scan,
    names: Names,
    sizes: Sizes,
    selected: Sequence[str],
) -> list[Overlap]:
    """The groups of :data:`OVERLAPS` the runtime dependencies declare two of.

    Args:
        runtime: the runtime dependencies by normalized name.
        scan: deptry's findings (where each module is imported).
        names: module names per distribution.
        sizes: the image's bytes per distribution and the lock's graph.
        selected: the candidates ticked by default (dropped anyway).

    Returns:
        One overlap per group, unless every member of it is dropped anyway.
    """
    found = []
    base_bytes, _ = sizes.removal(selected)
    for group, members in OVERLAPS:
        present = sorted(m for m in members if m in runtime)
        if len(present) < 2:
            continue
        if set(present) <= set(selected):
            continue  # all of them go anyway
        rows = [
            _member(name, runtime[name], scan, names, sizes, selected, base_bytes)
            for name in present
        ]
        certainty = CERTAIN if sizes.measured else GUESS
        found.append(Overlap(group, tuple(rows), certainty, _advice(rows)))
    return found


def _member(
    name: str,
    declared: Declared,
    scan: Scan,
    names: Names,
    sizes: Sizes,
    selected: Sequence[str],
    base_bytes: int | None,
) -> OverlapMember:
    """One library of a group: who imports it, its bytes, what dropping it adds."""
    files = tuple(
        dict.fromkeys(p.rsplit(":", 1)[0] for p in scan.places(names.modules.get(name, ())))
    )
    frees, _ = sizes.removal([*selected, name])
    return OverlapMember(
        name=name,
        requirement=declared.requirement,
        files=files,
        own_bytes=sizes.sizes.get(name) if sizes.measured else None,
        frees_bytes=(frees - base_bytes) if frees is not None and base_bytes is not None else None,
        needed_by=sizes.needed_by(name, [*selected, name]),
    )


def _advice(rows: Sequence[OverlapMember]) -> str:
    """What picking one library of the group takes."""
    imported = [r for r in rows if r.files]
    if len(imported) >= 2:
        advice = (
            f"the code imports {' and '.join(r.name for r in imported)}: picking one means "
            "changing the files that import the other"
        )
    else:
        advice = "only one of them is imported; the other is an unused candidate"
    if any(r.needed_by for r in rows):
        kept = [r.name for r in rows if r.needed_by]
        advice += f"; dropping {' or '.join(kept)} frees nothing while other packages need it"
    return advice
