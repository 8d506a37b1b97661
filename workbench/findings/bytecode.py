"""Python bytecode (``.pyc``): a trade-off, size against start-up time.

Compiling at build time (``UV_COMPILE_BYTECODE=1``, pip's default) makes the first
import of every module faster, and the image larger; without it, the interpreter
compiles on first import (in a read-only container, on every start).  Reported with
its bytes per layer, with no default fix.
"""

from __future__ import annotations

from workbench.findings.model import Context, Finding, located

RULE = "bytecode"
WHY = (
    "precompiled .pyc files speed up the first import of each module; leaving them out "
    "saves these bytes and costs start-up time"
)


def find(context: Context) -> list[Finding]:
    """One finding per layer of the Dockerfile's own that holds bytecode."""
    found = []
    for group in context.analysis.groups:
        if group.group != "bytecode" or group.bytes <= 0 or not context.own(group.layer):
            continue
        source = context.source(group.layer)
        where = f"line {source.line}" if source and source.line else f"layer {group.layer}"
        found.append(
            located(
                context,
                RULE,
                f"Python bytecode compiled at build time ({where})",
                group.bytes,
                group.layer,
                WHY,
                None,
                paths=group.largest,
                detail=f"{group.files:,} .pyc files; a trade-off: size against start-up time",
                trade_off=True,
            )
        )
    return found
