"""``RUN chown -R`` (or ``chmod -R``) duplicating the files a ``COPY`` brought.

Changing a file's owner or mode in a later layer writes the whole file again: the
layer below keeps the first copy (shadowed), the new layer holds the second.
``COPY --chown``/``--chmod`` gives the files their owner and mode as they are copied.
"""

from __future__ import annotations

import re

from workbench.findings.model import GUESS, Context, Finding, located

RULE = "chown-duplicate"
WHY = (
    "a chown or chmod in a later layer copies every file it touches into that layer; "
    "the COPY's layer keeps the first copy, hidden but still pulled"
)
SEE = "DL3045"
_OWNERSHIP = re.compile(r"^(?:\S+/)?(chown|chmod|chgrp)$")


def changes_ownership(instruction: str) -> tuple[bool, bool]:
    """Whether a RUN changes owners or modes, and whether that is all it does."""
    commands = [c.split() for c in re.split(r"&&|;|\|\|", instruction.removeprefix("RUN "))]
    commands = [c for c in commands if c]
    touching = [c for c in commands if _OWNERSHIP.match(c[0])]
    return bool(touching), len(touching) == len(commands)


def find(context: Context) -> list[Finding]:
    """One finding per (COPY, chown/chmod RUN) pair whose files were copied again."""
    found = []
    for shadow in context.analysis.shadows:
        if shadow.how != "replaced" or not shadow.same_size_bytes:
            continue
        lower, upper = context.source(shadow.layer), context.source(shadow.by_layer)
        if lower is None or upper is None or lower.base or upper.base:
            continue
        if lower.keyword not in ("COPY", "ADD") or upper.keyword != "RUN":
            continue
        touches, only = changes_ownership(upper.text)
        if not touches:
            continue
        extra = (
            {}
            if only
            else {
                "certainty": GUESS,
                "reason": "the RUN does more than change owners or modes; the rest stays",
            }
        )
        found.append(
            located(
                context,
                RULE,
                f"line {upper.line} copies again the files line {lower.line} brought",
                shadow.same_size_bytes,
                shadow.layer,
                WHY,
                "copy-chown",
                hidden_by_layer=shadow.by_layer,
                paths=shadow.largest,
                detail=f"{shadow.files:,} files; COPY --chown/--chmod sets owner and mode",
                see=SEE,
                **extra,
            )
        )
    return found
