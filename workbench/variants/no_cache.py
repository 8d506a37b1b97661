"""The no-cache variant (plan priority 1): dependency installs that leave no cache behind.

``uv sync`` and ``uv pip install/sync`` get ``--no-cache``, ``pip install`` and ``pip wheel`` get
``--no-cache-dir``, a ``RUN`` with ``poetry install`` ends by removing Poetry's cache, and a
``RUN`` with ``apt-get install`` ends by removing apt's lists.
"""

from __future__ import annotations

import shlex

from workbench.variants.build_state import BuildState, walk
from workbench.variants.installs import (
    MOUNTED,
    OFF,
    Edit,
    Install,
    append_args,
    append_command,
    cache_kept_out,
    find_installs,
    install_env,
    poetry_cache_dir,
    poetry_cache_targets,
)
from workbench.variants.instructions import Dockerfile, Instruction, parse
from workbench.variants.model import Transformed
from workbench.variants.run_rewrite import rewrite_runs, run_changes
from workbench.variants.shell import RunInstruction, parse_run

APT_LISTS = "/var/lib/apt/lists/*"
APT_LISTS_RM = f"rm -rf {APT_LISTS}"


def to_no_cache(text: str) -> str:
    """Give every dependency install its no-cache form.

    ``uv sync`` and ``uv pip install/sync`` get ``--no-cache``, ``pip install``/``pip wheel``
    get ``--no-cache-dir``, a ``RUN`` with ``poetry install`` ends by removing Poetry's cache
    (only its ``cache`` and ``artifacts`` when the virtualenvs live there too), and a ``RUN``
    with ``apt-get install`` ends by removing ``/var/lib/apt/lists/*`` when it does not
    already. Installs that already skip the cache (the flag, ``UV_NO_CACHE``/
    ``PIP_NO_CACHE_DIR``, a removal, or a cache mount) are left alone.

    Args:
        text: A Dockerfile.

    Returns:
        The Dockerfile with only the changed instructions rewritten.

    Raises:
        CannotTransform: The Dockerfile cannot be parsed.
    """
    return apply_no_cache(parse(text)).text


def apply_no_cache(df: Dockerfile) -> Transformed:
    """The no-cache transform of a parsed Dockerfile, one note per change."""
    return rewrite_runs(df, _no_cache_edits)


def no_cache_changes(df: Dockerfile) -> dict[int, tuple[str, list[str]]]:
    """Per changed instruction (by index): its no-cache text and one note per change."""
    return run_changes(df, _no_cache_edits)


def _no_cache_edits(
    run: RunInstruction, ins: Instruction, state: BuildState
) -> tuple[list[Edit], list[str]]:
    edits, notes = _no_cache_run(run, state)
    return edits, [f"{note} (line {ins.lineno})" for note in notes]


def unchanged_reason(df: Dockerfile) -> str | None:
    """Why the transform leaves a Dockerfile as it is, naming its installs.

    Returns:
        Such as ``"every dependency install already mounts a cache (line 4: uv sync)"``; None
        when it has no dependency install.
    """
    found: dict[str, list[str]] = {MOUNTED: [], OFF: []}
    for _, ins, state in walk(df):
        if ins.keyword != "RUN":
            continue
        run = parse_run(ins)
        for install in find_installs(run):
            how = cache_kept_out(run, install, state)
            if how:
                found[how].append(f"line {ins.lineno}: {install.action}")
    mounted, off = "; ".join(found[MOUNTED]), "; ".join(found[OFF])
    if mounted and off:
        return (
            f"every dependency install already mounts a cache ({mounted})"
            f" or runs without one ({off})"
        )
    if mounted or off:
        return f"every dependency install already {MOUNTED if mounted else OFF} ({mounted or off})"
    return None


def _no_cache_run(run: RunInstruction, state: BuildState) -> tuple[list[Edit], list[str]]:
    edits: list[Edit] = []
    notes: list[str] = []
    removals: list[str] = []
    removal_notes: list[str] = []
    for install in find_installs(run):
        if cache_kept_out(run, install, state):
            continue
        if install.tool in {"uv", "pip"}:
            flag = "--no-cache" if install.tool == "uv" else "--no-cache-dir"
            edits.append(append_args(run, install, [flag]))
            notes.append(f"{flag} on {install.action}")
        elif install.command is None:
            continue
        elif install.tool == "poetry":
            removals += [p for p in _poetry_rm(install, state, run) if p not in removals]
            removal_notes.append(f"Poetry's cache removed after {install.action}")
        elif install.tool == "apt" and APT_LISTS not in removals:
            removals.append(APT_LISTS)
            removal_notes.append("apt lists removed after apt-get install")
    edit = append_command(run, f"rm -rf {' '.join(removals)}") if removals else None
    if edit is not None:
        edits.append(edit)
        notes += removal_notes
    return edits, notes


def _poetry_rm(install: Install, state: BuildState, run: RunInstruction) -> list[str]:
    """The folders to remove after a poetry install, as a person would write them."""
    targets = poetry_cache_targets(install, state, run)
    variable = install_env(install, state).get("POETRY_CACHE_DIR")
    if variable and targets == [poetry_cache_dir(install, state)]:
        return ["$POETRY_CACHE_DIR"]
    return [shlex.quote(t) for t in targets]
