"""Installer inputs left behind: wheels, source distributions and ``.deb`` archives.

A hand-written multi-stage build often copies the builder's wheels into the runtime
(``COPY --from=builder /wheels /wheels``) to install them there; the wheels stay in
the image once installed.  The multi-stage transform installs in the builder and
copies only what the install made (``--mount=type=bind,from=builder`` does the same by
hand).
"""

from __future__ import annotations

from collections import defaultdict

from workbench.analysis import LayerGroup
from workbench.findings.model import Context, Finding, located

RULE = "installer-inputs"
KINDS = {"wheels": "wheels", "sdists": "source distributions", "debs": ".deb archives"}
WHY = (
    "the installer read them once; installed, they are a second copy of the packages "
    "the image already holds"
)


def _folders(groups: list[LayerGroup]) -> str:
    """The folders the largest files lie in, at most three."""
    folders = {p.path.rpartition("/")[0] or "/" for g in groups for p in g.largest}
    return ", ".join(sorted(folders)[:3])


def find(context: Context) -> list[Finding]:
    """One finding per layer that left wheels, sdists or .deb files visible."""
    per_layer: dict[int, list[LayerGroup]] = defaultdict(list)
    for group in context.analysis.groups:
        if group.group in KINDS and group.bytes > 0:
            per_layer[group.layer].append(group)
    found = []
    for layer, groups in sorted(per_layer.items()):
        kinds = " and ".join(KINDS[g.group] for g in groups)
        own = context.own(layer)
        paths = tuple(sorted((p for g in groups for p in g.largest), key=lambda p: -p.bytes))
        found.append(
            located(
                context,
                RULE,
                f"{kinds} left in the image ({_folders(groups)})",
                sum(g.bytes for g in groups),
                layer,
                WHY,
                "multi-stage" if own else None,
                paths=paths[:5],
                detail=f"{sum(g.files for g in groups):,} files; install them in the builder, "
                "or bind-mount them from it (RUN --mount=type=bind,from=builder)",
            )
        )
    return found
