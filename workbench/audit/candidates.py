"""The audit's removals: declared dependencies the pruned variant can drop.

Three kinds, in the order the audit lists them: development tools declared as runtime
dependencies (``dev-tool``), distributions no copied file imports and no start command
runs (``unused``, deptry's DEP002), and names of standard-library modules declared as
distributions (``stdlib``, DEP005).  Each is then sized: what dropping it alone frees
in the image, with every transitive dependency nothing remaining needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from workbench.audit.dev_tools import REPLACED_BY_UV, is_dev_tool
from workbench.audit.imports import Scan
from workbench.audit.model import CERTAIN, Candidate, ScriptUse
from workbench.audit.names import Names
from workbench.audit.sizes import Sizes
from workbench.project.manifests import Declared


def find_candidates(
    runtime: Mapping[str, Declared],
    scan: Scan,
    uses: Iterable[ScriptUse],
    names: Names,
    *,
    from_image: bool,
    locked: bool,
    dev_home: str = "[dependency-groups] dev",
) -> list[Candidate]:
    """The runtime dependencies the pruned variant can drop, not yet sized.

    Args:
        runtime: the runtime dependencies by normalized name, in declaration order.
        scan: deptry's findings.
        uses: the distributions the start command runs (those are used).
        names: module names and scripts per distribution.
        from_image: whether the names were read from an image.
        locked: whether the project has a uv.lock (then uv replaces poetry and the like).
        dev_home: where the project's format keeps development tools
            (:func:`~workbench.audit.dev_tools.dev_home`).

    Returns:
        One candidate per removable dependency, in declaration order.
    """
    unused = scan.named("DEP002")
    stdlib = scan.named("DEP005")
    run_by_command = {u.name for u in uses}
    found = []
    for key, declared in runtime.items():
        if key in stdlib:
            found.append(
                Candidate(key, declared.requirement, "stdlib", "remove", CERTAIN,
                          "it names a standard-library module; Python already has it")
            )  # fmt: skip
        elif key in unused and key not in run_by_command:
            found.append(
                _unused(key, declared, names, from_image=from_image, locked=locked, home=dev_home)
            )
    return found


def _unused(
    key: str, declared: Declared, names: Names, *, from_image: bool, locked: bool, home: str
) -> Candidate:
    """A dependency nothing imports or runs: a development tool, or plainly unused."""
    certainty = names.certainty(key, from_image)
    source_note = (
        "module names read from the image's dist-info"
        if certainty == CERTAIN
        else "module names guessed (" + ("not in the image" if from_image else "no image") + ")"
    )
    modules = ", ".join(names.modules.get(key, (key,)))
    if is_dev_tool(key):
        replaced = key in REPLACED_BY_UV and locked
        action = "remove (uv manages the project)" if replaced else f"move to {home}"
        reason = (
            f"a development tool declared as a runtime dependency; no copied file imports "
            f"{modules} and the start command does not run it ({source_note})"
        )
        if replaced:
            reason += "; the project installs with uv (uv.lock), so it is not needed at all"
        return Candidate(key, declared.requirement, "dev-tool", action, certainty, reason)
    reason = (
        f"no copied file imports {modules} and the start command runs none of its scripts "
        f"({source_note})"
    )
    return Candidate(key, declared.requirement, "unused", "remove", certainty, reason,
                     selected=certainty == CERTAIN)  # fmt: skip


def size_candidates(candidates: Sequence[Candidate], sizes: Sizes) -> list[Candidate]:
    """The candidates with their bytes: development tools first, then the largest."""
    sized = [sizes.sized(c) for c in candidates]
    sized.sort(key=lambda c: (c.kind != "dev-tool", -(c.bytes or 0), c.name))
    return sized
