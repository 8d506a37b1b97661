"""apt's package lists, its ``pkgcache.bin`` and downloaded ``.deb`` archives left behind.

``apt-get update`` downloads the lists (20 MB on Debian bookworm); ``apt-get install``
keeps its package cache and the archives it fetched unless told otherwise.  Cleaning
them in a later ``RUN`` hides them but keeps their bytes: they must go in the same
``RUN``.
"""

from __future__ import annotations

from collections import defaultdict

from workbench.analysis import LayerGroup
from workbench.findings.model import Context, Finding, located

RULE = "apt-cache"
WHY = (
    "apt reads its lists and archives only while it installs; left in the layer they "
    "stay in the image even when a later RUN removes them"
)
SEE = "DL3009"


def find(context: Context) -> list[Finding]:
    """One finding per layer that left apt's lists or its cache visible."""
    per_layer: dict[int, list[LayerGroup]] = defaultdict(list)
    for group in context.analysis.groups:
        if group.group in ("apt-lists", "apt-archives") and group.bytes > 0:
            per_layer[group.layer].append(group)
    found = []
    for layer, groups in sorted(per_layer.items()):
        kinds = {g.group for g in groups}
        size = sum(g.bytes for g in groups)
        what = {
            frozenset({"apt-lists"}): "apt's package lists",
            frozenset({"apt-archives"}): "apt's package cache and archives",
        }.get(frozenset(kinds), "apt's package lists, cache and archives")
        own = context.own(layer)
        source = context.source(layer)
        where = f"line {source.line}" if source and source.line else f"layer {layer}"
        fix = ("apt-clean" if "apt-archives" in kinds else "no-cache") if own else None
        paths = tuple(sorted((p for g in groups for p in g.largest), key=lambda p: -p.bytes))
        found.append(
            located(
                context,
                RULE,
                f"{what} left in the image ({where})",
                size,
                layer,
                WHY,
                fix,
                paths=paths[:5],
                detail="clean them in the same RUN: rm -rf /var/lib/apt/lists/* "
                "(and apt-get clean for the cache)"
                if own
                else "in the base image: pick a base without them",
                see=SEE,
            )
        )
    return found
