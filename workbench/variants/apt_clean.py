"""The apt-clean fix: a ``RUN`` that installs with apt ends by cleaning up after it.

``apt-get clean`` removes the package cache (``pkgcache.bin``, ``srcpkgcache.bin``)
and the downloaded ``.deb`` archives, ``rm -rf /var/lib/apt/lists/*`` the lists
``apt-get update`` fetched: in the same ``RUN``, so that they never reach a layer.
What a ``RUN`` already removes is not removed again.
"""

from __future__ import annotations

import posixpath

from workbench.variants.build_state import BuildState, walk
from workbench.variants.installs import Edit, append_command, find_installs, is_lists_rm
from workbench.variants.instructions import Dockerfile, Instruction, parse
from workbench.variants.model import Transformed
from workbench.variants.run_rewrite import rewrite_runs
from workbench.variants.shell import Command, RunInstruction, command_argv, parse_run

LISTS_RM = "rm -rf /var/lib/apt/lists/*"
CLEAN = "apt-get clean"


def _cleans(command: Command) -> bool:
    """Whether a command empties apt's cache (``apt-get clean``, ``rm -rf /var/cache/apt``)."""
    argv = command_argv(command.argv)
    if not argv:
        return False
    program = posixpath.basename(argv[0])
    if program in {"apt-get", "apt"} and "clean" in argv[1:]:
        return True
    return program == "rm" and any(a.startswith("/var/cache/apt") for a in argv[1:])


def _missing(run: RunInstruction) -> list[str]:
    """The cleaning commands an apt-installing RUN lacks, in the order to add them."""
    commands = run.commands()
    missing = []
    if not any(_cleans(c) for c in commands):
        missing.append(CLEAN)
    if not any(is_lists_rm(c) for c in commands):
        missing.append(LISTS_RM)
    return missing


def to_apt_clean(text: str) -> str:
    """End every ``RUN`` that installs with apt by cleaning apt's cache and lists.

    Args:
        text: A Dockerfile.

    Returns:
        The Dockerfile with only the changed instructions rewritten.

    Raises:
        CannotTransform: The Dockerfile cannot be parsed.
    """
    return apply_apt_clean(parse(text)).text


def apply_apt_clean(df: Dockerfile) -> Transformed:
    """The apt-clean transform of a parsed Dockerfile, one note per change."""
    return rewrite_runs(df, _apt_clean_run)


def _apt_clean_run(
    run: RunInstruction, ins: Instruction, _state: BuildState
) -> tuple[list[Edit], list[str]]:
    if run.exec_form is not None or not any(i.tool == "apt" for i in find_installs(run)):
        return [], []
    missing = _missing(run)
    edit = append_command(run, " && ".join(missing)) if missing else None
    if edit is None:
        return [], []
    return [edit], [f"{' and '.join(missing)} after apt-get install (line {ins.lineno})"]


def unchanged_reason(df: Dockerfile) -> str | None:
    """Why the transform leaves a Dockerfile as it is: its apt installs already clean up
    (naming their lines); ``None`` when it has no apt install."""
    lines = [
        f"line {ins.lineno}"
        for _, ins, _ in walk(df)
        if ins.keyword == "RUN" and any(i.tool == "apt" for i in find_installs(parse_run(ins)))
    ]
    if not lines:
        return None
    return f"every apt-get install already cleans apt's cache and lists ({', '.join(lines)})"
