"""The cache-mount variant (beyond the plan): installs keep their cache in a BuildKit mount."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from workbench.errors import CannotTransform
from workbench.variants.build_state import BuildState, walk
from workbench.variants.installs import (
    MOUNTED,
    Edit,
    Install,
    cache_kept_out,
    find_installs,
    has_option,
    install_env,
    is_lists_rm,
    pip_cache_dir,
    pip_no_cache_flags,
    poetry_cache_targets,
    remove_args,
    remove_command,
    removes_path,
    uv_cache_dir,
)
from workbench.variants.instructions import Dockerfile, parse
from workbench.variants.model import Transformed
from workbench.variants.shell import RunInstruction, apply_edits, parse_run

APT_KEEP_CACHE = (
    "# Keep downloaded packages, so the apt cache mount has something to keep (workbench)\n"
    "RUN rm -f /etc/apt/apt.conf.d/docker-clean && echo "
    "'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' > /etc/apt/apt.conf.d/keep-cache\n"
)


def to_cache_mount(text: str) -> str:
    """Run dependency installs with BuildKit cache mounts instead of caches in the image.

    uv installs mount their cache dir (``UV_CACHE_DIR``, else ``~/.cache/uv`` of the user at that
    point, with ``uid``/``gid`` for a non-root user) and get ``ENV UV_LINK_MODE=copy`` when the
    stage does not set it; pip installs mount ``~/.cache/pip``; Poetry installs mount
    ``~/.cache/pypoetry`` (its ``cache`` and ``artifacts`` only, when the virtualenvs live
    there); apt installs mount ``/var/cache/apt`` and ``/var/lib/apt`` (``sharing=locked``)
    after a step that keeps the downloaded packages. No-cache flags and cache removals are
    dropped from those commands, since the cache no longer lands in the image.

    Args:
        text: A Dockerfile.

    Returns:
        The Dockerfile with only the changed instructions rewritten (and a few added).

    Raises:
        CannotTransform: The Dockerfile cannot be parsed, or the uid of a non-root user
            running an install cannot be told.
    """
    return apply_cache_mount(parse(text)).text


@dataclass
class _StageFlags:
    """What the cache-mount transform already added to each stage."""

    link_mode: set[int] = field(default_factory=set)
    apt_keep: set[int] = field(default_factory=set)


@dataclass
class _MountPlan:
    """The cache mounts one RUN gets, and the edits that go with them."""

    mounts: list[str] = field(default_factory=list)
    user_dirs: list[str] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, existing: set[str], target: str, spec: str, note: str) -> bool:
        """Add a mount unless the RUN or this plan already has it; return whether added."""
        if target in existing or spec in self.mounts:
            return False
        self.mounts.append(spec)
        if note not in self.notes:
            self.notes.append(note)
        return True

    def flags(self) -> str:
        """The ``--mount`` flags, one per continuation line."""
        return "".join(f"--mount={m} \\\n    " for m in self.mounts)


def apply_cache_mount(df: Dockerfile) -> Transformed:
    """The cache-mount transform of a parsed Dockerfile, one note per RUN it mounts."""
    replacements: dict[int, str] = {}
    before: dict[int, str] = {}
    changes: list[str] = []
    added = _StageFlags()
    for i, ins, state in walk(df):
        if ins.keyword != "RUN":
            continue
        run = parse_run(ins)
        plan = _cache_mount_run(run, state)
        if not plan.mounts:
            continue
        edits = [*plan.edits, (run.body_start, run.body_start, plan.flags())]
        replacements[i] = apply_edits(ins.text, edits)
        prelude = _cache_mount_prelude(run, state, added, plan)
        gap = "\n" if prelude and ins.preamble.startswith("\n") else ""
        before[i] = gap + prelude
        changes.append(f"{', '.join(plan.notes)} (line {ins.lineno})")
    return Transformed(df.render(replacements, before), tuple(changes))


def _cache_mount_run(run: RunInstruction, state: BuildState) -> _MountPlan:
    plan = _MountPlan()
    existing = run.cache_targets()
    for install in find_installs(run):
        if install.tool == "apt":
            plan.edits += _apt_mount_edits(run)
            for target in ("/var/cache/apt", "/var/lib/apt"):
                spec = f"type=cache,target={target},sharing=locked"
                plan.add(existing, target, spec, f"{install.action} cache mounted")
            continue
        if install.tool == "uv":
            targets = [uv_cache_dir(install, state)]
            plan.edits += remove_args(run, install, {"--no-cache", "-n"})
        elif install.tool == "pip":
            targets = [pip_cache_dir(install, state)]
            plan.edits += remove_args(
                run, install, {"--no-cache-dir", *pip_no_cache_flags(install.args)}
            )
        elif install.tool == "poetry" and cache_kept_out(run, install, state) != MOUNTED:
            targets = poetry_cache_targets(install, state, run)
            plan.edits += _removal_edits(run, install, state, targets)
        else:
            continue
        for target in targets:
            spec = f"type=cache,target={target}{_owner(state, run)}"
            added = plan.add(existing, target, spec, f"{install.action} cache mounted at {target}")
            if added and not state.is_root():
                plan.user_dirs.append(target)
    return plan


def _removal_edits(
    run: RunInstruction, install: Install, state: BuildState, targets: list[str]
) -> list[Edit]:
    """Edits that drop the commands of a RUN that remove a now-mounted cache."""
    edits = []
    for command in run.commands():
        if command != install.command and any(removes_path(command, t, state) for t in targets):
            edit = remove_command(run, command)
            if edit is not None:
                edits.append(edit)
    return edits


def unchanged_reason(df: Dockerfile) -> str | None:
    """Why the transform leaves a Dockerfile as it is, naming the installs that mount a cache.

    Returns:
        Such as ``"every dependency install already mounts a cache (line 4: uv sync)"``; None
        when no install mounts one.
    """
    mounted = []
    for _, ins, state in walk(df):
        if ins.keyword != "RUN":
            continue
        run = parse_run(ins)
        for install in find_installs(run):
            if cache_kept_out(run, install, state) == MOUNTED:
                mounted.append(f"line {ins.lineno}: {install.action}")
    if not mounted:
        return None
    return f"every dependency install already {MOUNTED} ({'; '.join(mounted)})"


def _apt_mount_edits(run: RunInstruction) -> list[Edit]:
    edits = []
    for command in run.commands():
        if is_lists_rm(command):
            edit = remove_command(run, command)
            if edit is not None:
                edits.append(edit)
    return edits


def _owner(state: BuildState, run: RunInstruction) -> str:
    """The ``uid``/``gid`` options a cache mount needs for the current user."""
    if state.is_root():
        return ""
    account = state.account()
    if account is None or account.uid is None:
        raise CannotTransform(
            f"line {run.instruction.lineno}: can't tell the uid of user {state.user!r}"
            " for the cache mount; give it with useradd -u or USER <uid>"
        )
    gid = account.gid if account.gid is not None else account.uid
    return f",uid={account.uid},gid={gid}"


def _cache_mount_prelude(
    run: RunInstruction, state: BuildState, added: _StageFlags, plan: _MountPlan
) -> str:
    """Lines to add above a cache-mounted RUN.

    ``UV_LINK_MODE=copy`` (once per stage), keeping apt's downloads (once per stage), and, for
    a non-root user, a ``mkdir`` of the cache folders as that user: BuildKit would otherwise
    create the mount points (``~/.cache`` included) owned by root and leave them in the image.
    """
    lines = ""
    if plan.user_dirs:
        lines += f"RUN mkdir -p {' '.join(shlex.quote(d) for d in plan.user_dirs)}\n"
    installs = find_installs(run)
    if any(i.tool == "apt" for i in installs) and state.stage not in added.apt_keep:
        added.apt_keep.add(state.stage)
        lines += APT_KEEP_CACHE
    uv = [i for i in installs if i.tool == "uv"]
    needs_link_mode = any(
        "UV_LINK_MODE" not in install_env(i, state) and not has_option(i.args, "--link-mode")
        for i in uv
    )
    if needs_link_mode and state.stage not in added.link_mode:
        added.link_mode.add(state.stage)
        lines += "ENV UV_LINK_MODE=copy\n"
    return lines
