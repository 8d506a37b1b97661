"""The no-cache variant (plan priority 1): dependency installs that leave no cache behind.

``uv sync`` and ``uv pip install/sync`` get ``--no-cache``, ``pip install`` gets
``--no-cache-dir``, and a ``RUN`` with ``apt-get install`` ends by removing apt's lists.
"""

from __future__ import annotations

from workbench.variants.build_state import BuildState, walk
from workbench.variants.installs import (
    Edit,
    Install,
    append_args,
    append_command,
    find_installs,
    has_option,
    install_env,
    is_lists_rm,
    pip_cache_dir,
    truthy,
    uv_cache_dir,
)
from workbench.variants.instructions import Dockerfile, parse
from workbench.variants.model import Transformed
from workbench.variants.shell import RunInstruction, apply_edits, parse_run

APT_LISTS_RM = "rm -rf /var/lib/apt/lists/*"


def to_no_cache(text: str) -> str:
    """Give every dependency install its no-cache form.

    ``uv sync`` and ``uv pip install/sync`` get ``--no-cache``, ``pip install`` gets
    ``--no-cache-dir``, and a ``RUN`` with ``apt-get install`` ends by removing
    ``/var/lib/apt/lists/*`` when it does not already. Installs that already skip the cache
    (the flag, ``UV_NO_CACHE``/``PIP_NO_CACHE_DIR``, or a cache mount) are left alone.

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
    replacements: dict[int, str] = {}
    changes: list[str] = []
    for i, ins, state in walk(df):
        if ins.keyword != "RUN":
            continue
        edits, notes = _no_cache_run(parse_run(ins), state)
        if edits:
            replacements[i] = apply_edits(ins.text, edits)
            changes += [f"{note} (line {ins.lineno})" for note in notes]
    return Transformed(df.render(replacements), tuple(changes))


def _no_cache_run(run: RunInstruction, state: BuildState) -> tuple[list[Edit], list[str]]:
    edits: list[Edit] = []
    notes: list[str] = []
    cached = run.cache_targets()
    for install in find_installs(run):
        flag = _missing_no_cache_flag(install, state, cached)
        if flag:
            edits.append(append_args(run, install, [flag]))
            notes.append(f"{flag} on {install.action}")
    cleanup = _apt_cleanup(run, cached)
    if cleanup is not None:
        edits.append(cleanup)
        notes.append("apt lists removed after apt-get install")
    return edits, notes


def _missing_no_cache_flag(install: Install, state: BuildState, cached: set[str]) -> str | None:
    env = install_env(install, state)
    if install.tool == "uv":
        skip = has_option(install.args, "--no-cache", "-n") or truthy(env.get("UV_NO_CACHE"))
        skip = skip or uv_cache_dir(install, state) in cached
        return None if skip else "--no-cache"
    if install.tool == "pip":
        skip = has_option(install.args, "--no-cache-dir") or "PIP_NO_CACHE_DIR" in env
        skip = skip or pip_cache_dir(install, state) in cached
        return None if skip else "--no-cache-dir"
    return None


def _apt_cleanup(run: RunInstruction, cached: set[str]) -> Edit | None:
    commands = run.commands()
    installs = [i for i in find_installs(run) if i.tool == "apt" and i.command is not None]
    if not installs or any(is_lists_rm(c) for c in commands):
        return None
    if cached & {"/var/lib/apt", "/var/lib/apt/lists"}:
        return None
    return append_command(run, APT_LISTS_RM)
