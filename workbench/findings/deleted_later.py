"""Files a later ``RUN`` deletes or replaces: bytes the image keeps and no container sees.

A layer is a diff: deleting a file in a later layer only hides it (a whiteout), and
rewriting one keeps the old copy below.  Both pairs of lines are named: the one that
put the bytes there and the one that hid them.  The system's own state (dpkg's
status, debconf, logs, ``/etc``), which any package install rewrites, is left out.
"""

from __future__ import annotations

from workbench.findings.chown_duplicate import changes_ownership
from workbench.findings.model import Context, Finding, located

RULE = "deleted-later"
MIN_BYTES = 10_000
WHY_OWN = (
    "a later layer only hides what an earlier one wrote: delete the files in the RUN "
    "that makes them, so they never reach a layer"
)
WHY_BASE = (
    "deleting or rewriting the base image's files in a layer of your own keeps them in "
    "the base layer: the image only grows; pick a base without them instead"
)


def find(context: Context) -> list[Finding]:
    """One finding per (layer, later RUN) pair that hid enough bytes to matter."""
    found = []
    for shadow in context.analysis.shadows:
        size = shadow.bytes - shadow.state_bytes
        if shadow.how == "replaced":
            size -= shadow.same_size_bytes  # the same file again: the chown-duplicate rule's
        lower, upper = context.source(shadow.layer), context.source(shadow.by_layer)
        if size < MIN_BYTES or lower is None or upper is None or upper.base:
            continue
        if upper.keyword != "RUN" or changes_ownership(upper.text)[1]:
            continue
        verb = "deletes" if shadow.how == "deleted" else "replaces"
        what = "the base image's files" if lower.base else f"files line {lower.line} added"
        found.append(
            located(
                context,
                RULE,
                f"line {upper.line} {verb} {what}",
                size,
                shadow.layer,
                WHY_BASE if lower.base else WHY_OWN,
                None,
                hidden_by_layer=shadow.by_layer,
                paths=shadow.largest,
                detail=f"{shadow.files:,} files, hidden but still in the image",
            )
        )
    return found
