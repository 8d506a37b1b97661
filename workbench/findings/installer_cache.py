"""Installer caches left in the image: uv's, pip's, Poetry's and PDM's.

An install keeps every archive it downloads and unpacks in its cache; the image never
reads them again.  The bytes are the cache's files each layer left visible (the
analysis keeps them per layer under the rules ``uv-cache``, ``pip-cache``...).
"""

from __future__ import annotations

from workbench.findings.model import Context, Finding, located

RULE = "installer-cache"
CACHES = {
    "uv-cache": "uv's cache",
    "pip-cache": "pip's cache",
    "poetry-cache": "Poetry's cache",
    "pdm-cache": "PDM's cache",
}
WHY = (
    "the installer keeps every package it downloaded and unpacked; the app never reads "
    "the cache, and every pull of the image carries it"
)
SEE = "DL3042"


def find(context: Context) -> list[Finding]:
    """One finding per cache and layer that left some of it in the image."""
    found = []
    for group in context.analysis.groups:
        name = CACHES.get(group.group)
        if name is None or group.bytes <= 0:
            continue
        own = context.own(group.layer)
        source = context.source(group.layer)
        where = f"line {source.line}" if source and source.line else f"layer {group.layer}"
        found.append(
            located(
                context,
                RULE,
                f"{name} left in the image ({where})",
                group.bytes,
                group.layer,
                WHY,
                "no-cache" if own else None,
                paths=group.largest,
                detail=f"{group.files:,} files; cache-mount keeps it out too (BuildKit)"
                if own
                else f"{group.files:,} files, in the base image: pick a base without them",
                see=SEE,
            )
        )
    return found
