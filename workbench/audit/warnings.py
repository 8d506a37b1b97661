"""The audit's warnings: findings that are not removals.

deptry's DEP001 (imported but no declared dependency provides it), DEP003 (imported
but only installed as another package's dependency) and DEP004 (a development
dependency the app imports); ``DEV-IMPORTED`` (a development tool declared for runtime
that the app imports: it stays); ``NAMESPACE`` (declared distributions sharing an
imported module, so which of them the code needs is a guess).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from workbench.audit.dev_tools import is_dev_tool
from workbench.audit.imports import Scan
from workbench.audit.model import CERTAIN, GUESS, AuditWarning
from workbench.audit.names import Names
from workbench.project.manifests import Declared

REMOVAL_CODES = ("DEP002", "DEP005")  # unused and standard-library: candidates instead


def violation_warnings(scan: Scan, names: Names, *, from_image: bool) -> list[AuditWarning]:
    """One warning per deptry violation other than a removal, by code and name."""
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    for code, name, where in scan.violations:
        if code not in REMOVAL_CODES:
            grouped[(code, name)].append(where)
    certainty = CERTAIN if from_image else GUESS
    return [
        AuditWarning(code, name, _message(code, name, names), tuple(places), certainty)
        for (code, name), places in sorted(grouped.items())
    ]


def _message(code: str, name: str, names: Names) -> str:
    """The sentence a deptry violation reads as."""
    if code == "DEP001":
        return f"{name} is imported but no declared dependency provides it"
    if code == "DEP003":
        providers = sorted(k for k, mods in names.modules.items() if name in mods)
        via = f" ({', '.join(providers)})" if providers else ""
        return (
            f"{name} is imported but only installed as another package's dependency{via}; "
            "declare it"
        )
    if code == "DEP004":
        return f"{name} is a development dependency but the app imports it"
    return f"{code} {name}"


def dev_imported(
    runtime: Mapping[str, Declared], scan: Scan, names: Names, *, from_image: bool
) -> list[AuditWarning]:
    """Development tools declared for runtime that the app imports (they are kept)."""
    removals = {*scan.named("DEP002"), *scan.named("DEP005")}
    found = []
    for key in runtime:
        if key in removals or not is_dev_tool(key):
            continue
        imported_at = scan.places(names.modules.get(key, ()))
        if imported_at:
            found.append(
                AuditWarning(
                    "DEV-IMPORTED",
                    key,
                    f"{key} is a development tool, but the app imports it; keep it as a "
                    "runtime dependency or drop the import",
                    imported_at,
                    names.certainty(key, from_image),
                )
            )
    return found


def shared_namespaces(
    runtime: Mapping[str, Declared], scan: Scan, names: Names
) -> list[AuditWarning]:
    """Modules the code imports that several declared distributions provide."""
    providers: dict[str, list[str]] = defaultdict(list)
    for name in runtime:
        for module in names.modules.get(name, ()):
            providers[module].append(name)
    out = []
    for module, dists in sorted(providers.items()):
        if len(dists) > 1 and module in scan.imports:
            out.append(
                AuditWarning(
                    "NAMESPACE",
                    module,
                    f"{', '.join(sorted(dists))} share the module {module}; the code imports "
                    f"it, so all count as used, but which of them it needs is a guess",
                    scan.imports[module],
                    GUESS,
                )
            )
    return out


def audit_warnings(
    runtime: Mapping[str, Declared], scan: Scan, names: Names, *, from_image: bool
) -> list[AuditWarning]:
    """Every warning, in the audit's order: deptry's, imported dev tools, namespaces."""
    return [
        *violation_warnings(scan, names, from_image=from_image),
        *dev_imported(runtime, scan, names, from_image=from_image),
        *shared_namespaces(runtime, scan, names),
    ]
