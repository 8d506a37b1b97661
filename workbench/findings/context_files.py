"""Build-context files the app does not need, copied in: ``.git``, tests, docs, ``.venv``...

``COPY . .`` copies whatever the build context holds; without a ``.dockerignore`` that
is the repository's history, its tests and docs, editor and tool caches, a local
virtualenv or ``node_modules``.  The bytes are those files in the layers of the
Dockerfile's ``COPY``/``ADD`` from the context (the analysis tags them
``context-extras``), seen or hidden by a later layer.
"""

from __future__ import annotations

import posixpath

from workbench.findings.model import GUESS, Context, Finding, located

RULE = "context-files"
MIN_BYTES = 1_000
WHY = (
    "they serve development, not the app: each rebuild copies them again, and they can "
    "leak history or secrets"
)
SEE = ""


def _top_names(paths: list[str], roots: tuple[str, ...]) -> str:
    """The first folder or file under the application root of each path."""
    names = []
    for path in paths:
        root = next((r for r in roots if path.startswith(r + "/")), "")
        first = path[len(root) + 1 :].split("/", 1)[0] if root else posixpath.basename(path)
        if first not in names:
            names.append(first)
    return ", ".join(names)


def find(context: Context) -> list[Finding]:
    """One finding per COPY from the build context that brought such files."""
    found = []
    for group in context.analysis.groups:
        if group.group != "context-extras":
            continue
        source = context.source(group.layer)
        if source is None or not source.copies_context:
            continue
        size = group.bytes + group.shadowed_bytes
        if size < MIN_BYTES:
            continue
        ignore = (
            "extend the project's .dockerignore"
            if context.has_dockerignore()
            else ("the project has no .dockerignore")
        )
        found.append(
            located(
                context,
                RULE,
                f"build-context files the app does not need, copied by line {source.line}",
                size,
                group.layer,
                WHY,
                "dockerignore",
                certainty=GUESS,
                reason="the app may read some of them; the fix's smoke test tells",
                paths=group.largest,
                detail=f"{_top_names([p.path for p in group.largest], context.analysis.app_paths)}"
                f" ({group.files + group.shadowed_files:,} files); {ignore}",
            )
        )
    return found
