"""Unused and development-only dependencies, from the project's dependency audit.

The audit (:mod:`workbench.audit`) reads which distributions the copied code imports
and the start command runs; a declared dependency nothing uses, or a development tool
(pytest, ruff, poetry) declared for the runtime, is a candidate for the pruned-deps
variant, with what dropping it alone frees in the image.
"""

from __future__ import annotations

from workbench.findings.model import CERTAIN, Context, Finding, located

RULE = "unused-dependency"
WHY = {
    "unused": "nothing the image copies imports it and its start command does not run it",
    "dev-tool": "a development tool: the app does not run it, the developers do",
    "stdlib": "the standard library already provides it",
}


def _install_layer(context: Context) -> int | None:
    """The layer holding most of the Python dependencies."""
    layers = context.analysis.layers
    best = max(
        layers, key=lambda layer: layer.components.get("python_dependencies", 0), default=None
    )
    return best.index if best is not None and best.components.get("python_dependencies") else None


def find(context: Context) -> list[Finding]:
    """One finding per candidate of the project's newest audit that frees bytes."""
    if not context.removals:
        return []
    layer = _install_layer(context)
    found = []
    for candidate in context.removals:
        if not candidate.bytes:
            continue
        kind = "development tool" if candidate.kind == "dev-tool" else "unused dependency"
        extra = {}
        if candidate.certainty != CERTAIN:
            extra = {"certainty": candidate.certainty, "reason": candidate.reason}
        found.append(
            located(
                context,
                RULE,
                f"{candidate.name}: {kind} ({candidate.requirement})",
                candidate.bytes,
                layer,
                WHY.get(candidate.kind, candidate.reason),
                "pruned-deps" if candidate.selected else None,
                detail=", ".join(candidate.packages[:8]) or candidate.name,
                **extra,
            )
        )
    return found
