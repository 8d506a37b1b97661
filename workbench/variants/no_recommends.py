"""The no-recommends fix: ``apt-get install`` gets ``--no-install-recommends``.

apt installs what each package *recommends* unless told not to; the flag goes right
after ``install``.  An install that already skips recommendations (the flag, or
``-o APT::Install-Recommends=false``) is left alone.
"""

from __future__ import annotations

from workbench.errors import CannotTransform
from workbench.variants.build_state import BuildState, walk
from workbench.variants.installs import Edit, Install, find_installs
from workbench.variants.instructions import Dockerfile, Instruction, parse
from workbench.variants.model import Transformed
from workbench.variants.run_rewrite import rewrite_runs
from workbench.variants.shell import RunInstruction, parse_run

FLAG = "--no-install-recommends"


def skips_recommends(install: Install) -> bool:
    """Whether an apt install already leaves recommendations out."""
    args = install.args
    if FLAG in args:
        return True
    joined = " ".join(args).replace("'", "").replace('"', "")
    return "Install-Recommends=false" in joined or "Install-Recommends=0" in joined


def to_no_recommends(text: str) -> str:
    """Give every ``apt-get install`` the ``--no-install-recommends`` flag.

    Args:
        text: A Dockerfile.

    Returns:
        The Dockerfile with only the changed instructions rewritten.

    Raises:
        CannotTransform: The Dockerfile cannot be parsed.
    """
    return apply_no_recommends(parse(text)).text


def apply_no_recommends(df: Dockerfile) -> Transformed:
    """The no-recommends transform of a parsed Dockerfile, one note per change."""
    return rewrite_runs(df, _no_recommends_run)


def _no_recommends_run(
    run: RunInstruction, ins: Instruction, _state: BuildState
) -> tuple[list[Edit], list[str]]:
    edits: list[Edit] = []
    notes: list[str] = []
    for install in find_installs(run):
        if install.tool != "apt" or skips_recommends(install):
            continue
        if install.command is None:
            raise CannotTransform(f"line {ins.lineno}: an exec-form RUN; write the flag by hand")
        word = next(w for w in install.command.words if w.value == "install")
        edits.append((word.end, word.end, f" {FLAG}"))
        notes.append(f"{FLAG} on {install.action} (line {ins.lineno})")
    return edits, notes


def unchanged_reason(df: Dockerfile) -> str | None:
    """Why the transform leaves a Dockerfile as it is: its apt installs already skip
    recommendations (naming their lines); ``None`` when it has no apt install."""
    lines = [
        f"line {ins.lineno}"
        for _, ins, _ in walk(df)
        if ins.keyword == "RUN"
        for install in find_installs(parse_run(ins))
        if install.tool == "apt"
    ]
    if not lines:
        return None
    return f"every apt-get install already skips recommendations ({', '.join(lines)})"
