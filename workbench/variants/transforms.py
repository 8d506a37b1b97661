"""Dockerfile variants of a project, each with a one-line summary and a diff against the baseline.

A project folder holds a Dockerfile (the *baseline*), a ``pyproject.toml`` and a ``uv.lock``.
From it the workbench derives named variants, one per task of the optimization plan and a few
beyond it:

========================  ===========  ==========================================================
name                      plan task    what changes
========================  ===========  ==========================================================
``baseline``              --           nothing: the project's Dockerfile
``no-cache``              priority 1   dependency installs run without a cache; apt lists removed
``multi-stage``           priority 3   a builder stage installs the dependencies; the runtime
                                       stage copies only the virtualenv and the application
``cache-mount``           --           installs keep their cache in a BuildKit cache mount
``pruned-deps``           priority 2   pyproject.toml minus chosen dependencies, lock regenerated
``combined``              1 + 2 + 3    multi-stage with no-cache installs and pruned dependencies
``custom``                --           a Dockerfile the user edits, saved per project
========================  ===========  ==========================================================

The transforms work on parsed instructions (:mod:`workbench.dockerfile`) and rewrite only the
instructions they change, so comments and line continuations elsewhere stay as they were. A
Dockerfile the workbench cannot transform gives a :class:`Variant` whose ``error`` says why; the
transforms themselves raise :class:`~workbench.dockerfile.CannotTransform`.

The user's files are never written: a pruned ``pyproject.toml`` and its regenerated ``uv.lock``
travel in :attr:`Variant.extra_files`, to be overlaid onto the build context.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import posixpath
import re
import shlex
import shutil
import subprocess
import tempfile
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import tomlkit

from workbench.errors import CannotTransform, ProjectError, VariantError
from workbench.home import workbench_home
from workbench.project import project_key
from workbench.project.manifests import is_manifest, normalize, requirement_name
from workbench.variants.dockerfile import (
    BuildState,
    Command,
    Dockerfile,
    Instruction,
    RunInstruction,
    apply_edits,
    assignments,
    command_argv,
    parse,
    parse_copy,
    parse_run,
    walk,
)

__all__ = [
    "PLAN_TASKS",
    "VARIANT_NAMES",
    "CannotTransform",
    "Pruned",
    "Variant",
    "custom_dockerfile_path",
    "delete_custom_dockerfile",
    "derive_variant",
    "derive_variants",
    "load_custom_dockerfile",
    "needs_buildkit",
    "project_key",
    "prune_dependencies",
    "read_baseline",
    "save_custom_dockerfile",
    "to_cache_mount",
    "to_multi_stage",
    "to_no_cache",
]

VARIANT_NAMES: tuple[str, ...] = (
    "baseline",
    "no-cache",
    "multi-stage",
    "cache-mount",
    "pruned-deps",
    "combined",
    "custom",
)


def variant_order(name: str) -> tuple[int, str]:
    """Where a variant comes in lists and charts: the order of :data:`VARIANT_NAMES`,
    then other names alphabetically."""
    known = VARIANT_NAMES.index(name) if name in VARIANT_NAMES else len(VARIANT_NAMES)
    return known, name


PLAN_TASKS: Mapping[str, str | None] = {
    "baseline": None,
    "no-cache": "priority 1",
    "multi-stage": "priority 3",
    "cache-mount": None,
    "pruned-deps": "priority 2",
    "combined": "priority 1+2+3",
    "custom": None,
}

APT_LISTS_RM = "rm -rf /var/lib/apt/lists/*"
APT_KEEP_CACHE = (
    "# Keep downloaded packages, so the apt cache mount has something to keep (workbench)\n"
    "RUN rm -f /etc/apt/apt.conf.d/docker-clean && echo "
    "'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' > /etc/apt/apt.conf.d/keep-cache\n"
)
SYSTEM_PREFIX = "/install"
# apt packages an install may need in the builder: build tools, headers, Python itself
BUILD_PACKAGES = re.compile(
    r"(build-essential|gcc(-\d+)?|g\+\+(-\d+)?|clang|make|cmake|pkg-config|git|cargo|rustc"
    r"|autoconf|automake|libtool|.+-dev|python3?(\.\d+)?(-[a-z0-9.-]+)?)(=.*)?$"
)
BUILDER_HEADER = (
    "# Builder stage (written by the workbench): installs the Python dependencies, no caches.\n"
)
RUNTIME_HEADER = (
    "# Runtime stage: the baseline's other steps, the dependencies copied from the builder.\n"
)
_BUILDKIT = re.compile(
    r"^\s*(?:RUN\s+--(?:mount|network|security)\b"
    r"|(?:COPY|ADD)\s+(?:--\S+\s+)*--(?:link|chmod|parents|exclude|checksum|keep-git-dir)\b)"
    r"|<<-?\s*[\"']?[A-Za-z_]\w*",
    re.IGNORECASE | re.MULTILINE,
)
_UV_VALUE_OPTIONS = frozenset(
    {"--directory", "--project", "--cache-dir", "--config-file", "--color", "--python", "-p"}
)
_PIP_VALUE_OPTIONS = frozenset(
    {"--log", "--proxy", "--retries", "--timeout", "--exists-action", "--cache-dir", "--python"}
)
_APT_VALUE_OPTIONS = frozenset({"-o", "-c", "-t", "--option", "--config-file", "--target-release"})
_VENV_VALUE_OPTIONS = frozenset({"--python", "-p", "--prompt", "--index-url", "--link-mode"})
_UV_IN_COMMAND = re.compile(r"(?:^|[\s\"'\[;&|(])(?:/[\w./-]*/)?uvx?(?=$|[\s\"',\];&|)])")
_TRUTHY = frozenset({"1", "true", "yes", "on"})


# ---------------------------------------------------------------------------------------------
# The variant


@dataclass(frozen=True)
class Variant:
    """A named Dockerfile variant of a project.

    Attributes:
        name: One of :data:`VARIANT_NAMES`.
        dockerfile: The Dockerfile text, None when the variant could not be derived.
        summary: One line saying what changed.
        plan_task: The plan task it implements (``"priority 1"``...), None if none.
        diff: Unified diff against the baseline (Dockerfile, then any changed manifest).
        requires_buildkit: The Dockerfile needs BuildKit (``RUN --mount``, heredocs...).
        extra_files: Files to overlay onto the build context: relative path -> content.
        error: Why the variant could not be derived, None when it could.
    """

    name: str
    dockerfile: str | None
    summary: str
    plan_task: str | None
    diff: str = ""
    requires_buildkit: bool = False
    extra_files: Mapping[str, bytes] = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the variant has a Dockerfile to build."""
        return self.error is None and self.dockerfile is not None


@dataclass(frozen=True)
class Transformed:
    """The result of a text transform: the new text and what changed, one note per change."""

    text: str
    changes: tuple[str, ...]


def needs_buildkit(text: str) -> bool:
    """Whether a Dockerfile uses syntax only BuildKit understands.

    ``RUN --mount/--network/--security``, ``COPY/ADD --link/--chmod/...`` and heredocs.
    """
    return bool(_BUILDKIT.search(text))


# ---------------------------------------------------------------------------------------------
# Finding dependency installs in RUN instructions


@dataclass(frozen=True)
class Install:
    """A package-manager command found in a ``RUN``.

    Attributes:
        tool: ``uv``, ``pip``, ``apt`` or ``venv`` (a virtualenv being created).
        action: What it does, for summaries: ``uv sync``, ``pip install``...
        program: The program word as written (``pip``, ``/opt/venv/bin/python``...).
        args: The arguments after the sub-command, global options included.
        env: ``VAR=value`` assignments written before the program.
        command: The shell command, None in an exec-form ``RUN``.
    """

    tool: str
    action: str
    program: str
    args: tuple[str, ...]
    env: Mapping[str, str]
    command: Command | None

    @property
    def python(self) -> bool:
        """Whether it installs Python packages (uv or pip)."""
        return self.tool in {"uv", "pip"}


def find_installs(run: RunInstruction) -> list[Install]:
    """Return the uv, pip, apt and virtualenv commands of a ``RUN``, in order."""
    if run.exec_form is not None:
        found = _classify(run.exec_form, None)
        return [found] if found else []
    return [i for c in run.commands() if (i := _classify(c.argv, c)) is not None]


def _classify(argv: Sequence[str], command: Command | None) -> Install | None:
    env = assignments(argv)
    words = command_argv(argv)
    if not words:
        return None
    found = _uv(words) or _pip(words) or _apt(words)
    if found is None:
        return None
    tool, action, args = found
    return Install(tool, action, words[0], tuple(args), env, command)


def _split_options(args: Sequence[str], with_values: frozenset[str]) -> tuple[list, list]:
    """Split ``args`` at the first positional word, skipping the values of options."""
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if args[i] in with_values else 1
    return list(args[:i]), list(args[i:])


def _uv(words: Sequence[str]) -> tuple[str, str, list[str]] | None:
    if posixpath.basename(words[0]) != "uv":
        return None
    options, rest = _split_options(words[1:], _UV_VALUE_OPTIONS)
    if rest[:1] == ["sync"]:
        return "uv", "uv sync", options + rest[1:]
    if rest[:1] == ["venv"]:
        return "venv", "uv venv", options + rest[1:]
    if rest[:1] == ["pip"]:
        more, sub = _split_options(rest[1:], _UV_VALUE_OPTIONS)
        if sub[:1] in (["install"], ["sync"]):
            return "uv", f"uv pip {sub[0]}", options + more + sub[1:]
    return None


def _pip(words: Sequence[str]) -> tuple[str, str, list[str]] | None:
    program = posixpath.basename(words[0])
    if re.fullmatch(r"pip(3(\.\d+)?)?", program):
        args = list(words[1:])
    elif re.fullmatch(r"python(3(\.\d+)?)?", program):
        module, args = _python_module(words[1:])
        if module in {"venv", "virtualenv"}:
            return "venv", f"python -m {module}", args
        if module != "pip":
            return None
    elif program == "virtualenv":
        return "venv", "virtualenv", list(words[1:])
    else:
        return None
    options, rest = _split_options(args, _PIP_VALUE_OPTIONS)
    if rest[:1] == ["install"]:
        return "pip", "pip install", options + rest[1:]
    return None


def _python_module(args: Sequence[str]) -> tuple[str | None, list[str]]:
    for i, arg in enumerate(args):
        if arg == "-m" and i + 1 < len(args):
            return args[i + 1], list(args[i + 2 :])
        if arg.startswith("-m") and len(arg) > 2:
            return arg[2:], list(args[i + 1 :])
        if not arg.startswith("-"):
            return None, []
    return None, []


def _apt(words: Sequence[str]) -> tuple[str, str, list[str]] | None:
    program = posixpath.basename(words[0])
    if program not in {"apt-get", "apt"}:
        return None
    options, rest = _split_options(words[1:], _APT_VALUE_OPTIONS)
    if rest[:1] == ["install"]:
        return "apt", f"{program} install", options + rest[1:]
    return None


def _has_option(args: Sequence[str], *names: str) -> bool:
    return any(a in names or a.split("=", 1)[0] in names for a in args)


def _option_value(args: Sequence[str], *names: str) -> str | None:
    for i, arg in enumerate(args):
        name, eq, value = arg.partition("=")
        if name in names and eq:
            return value
        if arg in names and i + 1 < len(args):
            return args[i + 1]
    return None


def _positionals(args: Sequence[str], with_values: frozenset[str]) -> list[str]:
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg.startswith("-"):
            skip = arg in with_values
        else:
            out.append(arg)
    return out


def _is_lists_rm(command: Command) -> bool:
    argv = command_argv(command.argv)
    return (
        bool(argv)
        and posixpath.basename(argv[0]) == "rm"
        and any(a.startswith("/var/lib/apt/lists") for a in argv[1:])
    )


def _env(install: Install, state: BuildState) -> dict[str, str]:
    return {**state.env, **install.env}


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in _TRUTHY


# ---------------------------------------------------------------------------------------------
# Editing commands inside an instruction's text


Edit = tuple[int, int, str]


def _append_args(run: RunInstruction, install: Install, extra: Sequence[str]) -> Edit:
    """An edit that adds arguments at the end of a command (before any redirection)."""
    if install.command is None:
        argv = list(run.exec_form or ()) + list(extra)
        return run.tokens[0].start, run.tokens[-1].end, json.dumps(argv)
    end = install.command.end
    return end, end, "".join(f" {a}" for a in extra)


def _remove_args(run: RunInstruction, install: Install, names: set[str]) -> list[Edit]:
    """Edits that remove the given flags (and the space before each) from a command."""
    if install.command is None:
        argv = list(run.exec_form or ())
        kept = [a for a in argv if a not in names]
        if kept == argv:
            return []
        return [(run.tokens[0].start, run.tokens[-1].end, json.dumps(kept))]
    words = install.command.words
    return [
        (words[i - 1].end, word.end, "")
        for i, word in enumerate(words)
        if i and word.value in names
    ]


def _remove_command(run: RunInstruction, command: Command) -> Edit | None:
    """An edit that removes a command and the operator joining it to the previous one."""
    tokens = run.tokens
    first = tokens.index(command.words[0])
    last = tokens.index(command.words[-1])
    previous = next((t for t in reversed(tokens[:first]) if not t.op), None)
    if previous is not None:
        return previous.end, tokens[last].end, ""
    following = next((t for t in tokens[last + 1 :] if not t.op), None)
    if following is None:
        return None
    return command.start, following.start, ""


def _append_command(run: RunInstruction, command: str) -> Edit | None:
    """An edit that runs one more command at the end, in the RUN's own line style."""
    last = run.tokens[-1]
    if last.op and last.text != ";":
        return None
    text = run.instruction.text
    if last.op:
        return last.end, last.end, f" {command}"
    if "\n" not in text[: last.end]:
        return last.end, last.end, f" && {command}"
    last_line = text[: last.end].rsplit("\n", 1)[-1]
    indent = re.match(r"[ \t]*", last_line).group()
    continued = text.splitlines()[1:]
    if any(line.lstrip().startswith(("&&", "||")) for line in continued):
        return last.end, last.end, f" \\\n{indent}&& {command}"
    return last.end, last.end, f" && \\\n{indent}{command}"


# ---------------------------------------------------------------------------------------------
# no-cache (plan priority 1)


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
    return _no_cache(parse(text)).text


def _no_cache(df: Dockerfile) -> Transformed:
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
            edits.append(_append_args(run, install, [flag]))
            notes.append(f"{flag} on {install.action}")
    cleanup = _apt_cleanup(run, cached)
    if cleanup is not None:
        edits.append(cleanup)
        notes.append("apt lists removed after apt-get install")
    return edits, notes


def _missing_no_cache_flag(install: Install, state: BuildState, cached: set[str]) -> str | None:
    env = _env(install, state)
    if install.tool == "uv":
        skip = _has_option(install.args, "--no-cache", "-n") or _truthy(env.get("UV_NO_CACHE"))
        skip = skip or _uv_cache_dir(install, state) in cached
        return None if skip else "--no-cache"
    if install.tool == "pip":
        skip = _has_option(install.args, "--no-cache-dir") or "PIP_NO_CACHE_DIR" in env
        skip = skip or _pip_cache_dir(install, state) in cached
        return None if skip else "--no-cache-dir"
    return None


def _apt_cleanup(run: RunInstruction, cached: set[str]) -> Edit | None:
    commands = run.commands()
    installs = [i for i in find_installs(run) if i.tool == "apt" and i.command is not None]
    if not installs or any(_is_lists_rm(c) for c in commands):
        return None
    if cached & {"/var/lib/apt", "/var/lib/apt/lists"}:
        return None
    return _append_command(run, APT_LISTS_RM)


# ---------------------------------------------------------------------------------------------
# cache-mount (beyond the plan)


def _tool_cache_dir(install: Install, state: BuildState, variable: str, folder: str) -> str:
    """Where a tool caches: ``--cache-dir``, its variable, else ``XDG_CACHE_HOME``/``~/.cache``."""
    env = _env(install, state)
    value = _option_value(install.args, "--cache-dir") or env.get(variable)
    if value:
        return _absolute(state.expand(value, install.env), state.workdir)
    if env.get("XDG_CACHE_HOME"):
        return posixpath.join(state.expand(env["XDG_CACHE_HOME"]), folder)
    return posixpath.join(state.cache_home(), folder)


def _uv_cache_dir(install: Install, state: BuildState) -> str:
    return _tool_cache_dir(install, state, "UV_CACHE_DIR", "uv")


def _pip_cache_dir(install: Install, state: BuildState) -> str:
    return _tool_cache_dir(install, state, "PIP_CACHE_DIR", "pip")


def _absolute(path: str, workdir: str) -> str:
    return posixpath.normpath(posixpath.join(workdir, path)).rstrip("/") or "/"


def to_cache_mount(text: str) -> str:
    """Run dependency installs with BuildKit cache mounts instead of caches in the image.

    uv installs mount their cache dir (``UV_CACHE_DIR``, else ``~/.cache/uv`` of the user at that
    point, with ``uid``/``gid`` for a non-root user) and get ``ENV UV_LINK_MODE=copy`` when the
    stage does not set it; pip installs mount ``~/.cache/pip``; apt installs mount
    ``/var/cache/apt`` and ``/var/lib/apt`` (``sharing=locked``) after a step that keeps the
    downloaded packages. No-cache flags and apt list removal are dropped from those commands,
    since the cache no longer lands in the image.

    Args:
        text: A Dockerfile.

    Returns:
        The Dockerfile with only the changed instructions rewritten (and a few added).

    Raises:
        CannotTransform: The Dockerfile cannot be parsed, or the uid of a non-root user
            running an install cannot be told.
    """
    return _cache_mount(parse(text)).text


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


def _cache_mount(df: Dockerfile) -> Transformed:
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
            target = _uv_cache_dir(install, state)
            plan.edits += _remove_args(run, install, {"--no-cache", "-n"})
        elif install.tool == "pip":
            target = _pip_cache_dir(install, state)
            plan.edits += _remove_args(run, install, {"--no-cache-dir"})
        else:
            continue
        spec = f"type=cache,target={target}{_owner(state, run)}"
        added = plan.add(existing, target, spec, f"{install.action} cache mounted at {target}")
        if added and not state.is_root():
            plan.user_dirs.append(target)
    return plan


def _apt_mount_edits(run: RunInstruction) -> list[Edit]:
    edits = []
    for command in run.commands():
        if _is_lists_rm(command):
            edit = _remove_command(run, command)
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
        "UV_LINK_MODE" not in _env(i, state) and not _has_option(i.args, "--link-mode") for i in uv
    )
    if needs_link_mode and state.stage not in added.link_mode:
        added.link_mode.add(state.stage)
        lines += "ENV UV_LINK_MODE=copy\n"
    return lines


# ---------------------------------------------------------------------------------------------
# multi-stage (plan priority 3)


@dataclass(frozen=True)
class _Target:
    """Where an install puts its packages: copied from the builder to the runtime."""

    source: str
    dest: str
    chown: str | None = None

    def copy_line(self, builder: str) -> str:
        chown = f"--chown={self.chown} " if self.chown else ""
        return f"COPY {chown}--from={builder} {self.source} {self.dest}\n"


@dataclass
class _Stage:
    """The instructions of a single-stage Dockerfile, sorted into builder and runtime."""

    df: Dockerfile
    steps: list[tuple[int, Instruction, BuildState]]
    installs: dict[int, list[Install]] = field(default_factory=dict)
    builder_text: dict[int, str] = field(default_factory=dict)
    targets: list[_Target] = field(default_factory=list)
    last_install: int = -1


def to_multi_stage(text: str) -> str:
    """Split a single-stage Dockerfile into a builder stage and a runtime stage.

    The builder starts from the same base image and runs, in order: ``ARG``, ``ENV``,
    ``WORKDIR`` and ``SHELL`` lines, ``COPY --from=<image>`` (the uv binary), the project COPYs
    and the dependency installs (without caches), plus apt steps that install build tools or
    Python (:data:`BUILD_PACKAGES`). The runtime stage keeps every other step of the baseline
    in order (apt of runtime packages, ``useradd``, application COPYs, ``USER``, ``ENV``,
    ``EXPOSE``, ``CMD``...); where the last install was, it copies what the installs made:
    the virtualenv; for a system ``pip install``, the tree it wrote with ``--root=/install``
    (copied onto ``/``); for ``uv pip install --system``, ``--prefix=/install`` copied onto
    ``/usr/local`` (the layout of the official ``python`` images); for ``--user``,
    ``~/.local``. uv and the dependency manifests stay in the builder unless the runtime uses
    uv. The builder runs as root (``USER`` and ``--chown`` stay in the runtime, which copies
    the dependencies with the owner the baseline's install had). The result then gets the
    no-cache transform.

    Args:
        text: A single-stage Dockerfile.

    Returns:
        The two-stage Dockerfile.

    Raises:
        CannotTransform: The Dockerfile already has stages, has no Python dependency install,
            or installs in a way the builder cannot reproduce (``pip install --root``).
    """
    return _multi_stage(parse(text)).text


def _multi_stage(df: Dockerfile) -> Transformed:
    stages = df.stages()
    if len(stages) != 1:
        raise CannotTransform(
            f"already has {len(stages)} stages; the multi-stage transform needs a single stage"
        )
    stage = _Stage(df, [step for step in walk(df) if step[2].stage == 0])
    _find_stage_installs(stage)
    _plan_targets(stage)
    uv_at_runtime = _runtime_uses_uv(stage)
    roles = {i: _role(stage, i, ins, uv_at_runtime) for i, ins, _ in stage.steps[1:]}
    text = _assemble(stage, roles)
    no_cache = _no_cache(parse(text))
    return Transformed(no_cache.text, (_multi_stage_note(stage, roles),))


def _find_stage_installs(stage: _Stage) -> None:
    for i, ins, _ in stage.steps:
        if ins.keyword == "RUN":
            found = [x for x in find_installs(parse_run(ins)) if x.tool in {"uv", "pip", "venv"}]
            if found:
                stage.installs[i] = found
    python = [i for i, found in stage.installs.items() if any(x.python for x in found)]
    if not python:
        raise CannotTransform(
            "has no Python dependency install (uv sync, uv pip install, pip install)"
            " to move into a builder stage"
        )
    stage.last_install = max(python)


def _plan_targets(stage: _Stage) -> None:
    venvs: set[str] = set()
    for i, ins, state in stage.steps:
        if i not in stage.installs:
            continue
        run = parse_run(ins)
        edits: list[Edit] = []
        for install in stage.installs[i]:
            if install.tool == "venv":
                venvs.add(_venv_created(install, state))
                continue
            target, extra = _install_target(install, state, venvs, ins)
            if target not in stage.targets:
                stage.targets.append(target)
            if extra:
                edits.append(_append_args(run, install, extra))
            if install.action == "uv sync":
                venvs.add(target.source)
        stage.builder_text[i] = apply_edits(ins.text, edits)


def _venv_created(install: Install, state: BuildState) -> str:
    paths = _positionals(install.args, _VENV_VALUE_OPTIONS)
    path = state.expand(paths[0], install.env) if paths else ".venv"
    return _absolute(path, state.workdir)


def _install_target(
    install: Install, state: BuildState, venvs: set[str], ins: Instruction
) -> tuple[_Target, list[str]]:
    chown = None if state.is_root() else state.user
    env = _env(install, state)
    for option in ("--target", "-t", "--prefix"):
        value = _option_value(install.args, option)
        if value and not (install.tool == "uv" and option == "-t"):
            path = _absolute(state.expand(value, install.env), state.workdir)
            return _Target(path, path, chown), []
    if install.action == "uv sync":
        venv = _uv_project_env(install, state, env)
        return _Target(venv, venv, chown), []
    if install.tool == "uv":
        if _has_option(install.args, "--system") or _truthy(env.get("UV_SYSTEM_PYTHON")):
            return _Target(SYSTEM_PREFIX, "/usr/local"), [f"--prefix={SYSTEM_PREFIX}"]
        venv = _uv_pip_venv(install, state, env)
        return _Target(venv, venv, chown), []
    return _pip_target(install, state, venvs, ins, chown)


def _uv_project_env(install: Install, state: BuildState, env: Mapping[str, str]) -> str:
    base = state.workdir
    directory = _option_value(install.args, "--directory")
    if directory:
        base = _absolute(state.expand(directory, install.env), base)
    project = _option_value(install.args, "--project")
    if project:
        base = _absolute(state.expand(project, install.env), base)
    venv = env.get("UV_PROJECT_ENVIRONMENT")
    return _absolute(state.expand(venv, install.env) if venv else ".venv", base)


def _uv_pip_venv(install: Install, state: BuildState, env: Mapping[str, str]) -> str:
    python = _option_value(install.args, "--python", "-p")
    if python and "/bin/python" in python:
        return _absolute(python.split("/bin/python")[0], state.workdir)
    if env.get("VIRTUAL_ENV"):
        return _absolute(state.expand(env["VIRTUAL_ENV"], install.env), state.workdir)
    return _absolute(".venv", state.workdir)


def _pip_target(
    install: Install, state: BuildState, venvs: set[str], ins: Instruction, chown: str | None
) -> tuple[_Target, list[str]]:
    if _has_option(install.args, "--root"):
        raise CannotTransform(f"line {ins.lineno}: pip install --root can't move to a builder")
    if _has_option(install.args, "--user"):
        local = posixpath.join(state.home(), ".local")
        return _Target("/root/.local", local, chown), []
    venv = _pip_venv(install, state, venvs)
    if venv:
        return _Target(venv, venv, chown), []
    return _Target(f"{SYSTEM_PREFIX}/", "/"), [f"--root={SYSTEM_PREFIX}"]


def _pip_venv(install: Install, state: BuildState, venvs: set[str]) -> str | None:
    env = _env(install, state)
    program = state.expand(install.program, install.env)
    if "/" in program:
        bindir = posixpath.dirname(_absolute(program, state.workdir))
        prefix = bindir[: -len("/bin")] if bindir.endswith("/bin") else ""
        return prefix if prefix and prefix not in {"/usr", "/usr/local"} else None
    for part in env.get("PATH", "").split(":"):
        prefix = part[: -len("/bin")] if part.endswith("/bin") else ""
        if prefix and (prefix in venvs or prefix == env.get("VIRTUAL_ENV")):
            return prefix
        if part in {"/usr/local/bin", "/usr/bin", "/bin", "$PATH", "${PATH}"}:
            break
    virtual_env = env.get("VIRTUAL_ENV")
    return _absolute(virtual_env, state.workdir) if virtual_env else None


def _runtime_uses_uv(stage: _Stage) -> bool:
    for i, ins, _ in stage.steps:
        if i in stage.installs or ins.keyword not in {"RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK"}:
            continue
        if _UV_IN_COMMAND.search(ins.value):
            return True
    return False


def _role(stage: _Stage, i: int, ins: Instruction, uv_at_runtime: bool) -> tuple[bool, bool]:
    """Return whether an instruction goes to the builder, and whether to the runtime."""
    before = i < stage.last_install
    keyword = ins.keyword
    if i in stage.installs:
        return True, False
    if keyword in {"ARG", "ENV", "WORKDIR", "SHELL"}:
        return before, True
    if keyword in {"COPY", "ADD"}:
        spec = parse_copy(ins)
        if spec.flags.get("from"):
            return before, uv_at_runtime or not _is_uv_copy(spec.flags["from"], spec.sources)
        return before, not (before and _only_manifests(spec.sources))
    if keyword == "RUN":
        return before and _installs_build_tools(ins), True
    return False, True


def _is_uv_copy(image: str, sources: Sequence[str]) -> bool:
    names = {posixpath.basename(s.rstrip("/")) for s in sources}
    return "astral-sh/uv" in image or bool(names) and names <= {"uv", "uvx"}


def _only_manifests(sources: Sequence[str]) -> bool:
    return bool(sources) and all(is_manifest(s) for s in sources)


def _installs_build_tools(ins: Instruction) -> bool:
    for install in find_installs(parse_run(ins)):
        if install.tool == "apt":
            packages = _positionals(install.args, frozenset({"-o", "-c", "-t"}))
            if any(BUILD_PACKAGES.match(p) for p in packages):
                return True
    return False


def _stage_names(from_ins: Instruction) -> tuple[str, str]:
    words = from_ins.value.split()
    original = words[-1] if len(words) >= 3 and words[-2].lower() == "as" else None
    builder = "deps" if original == "builder" else "builder"
    return builder, original or "runtime"


def _from_line(from_ins: Instruction, name: str) -> str:
    words = from_ins.value.split()
    if len(words) >= 3 and words[-2].lower() == "as":
        words = words[:-2]
    return f"FROM {' '.join(words)} AS {name}\n"


def _assemble(stage: _Stage, roles: Mapping[int, tuple[bool, bool]]) -> str:
    df = stage.df
    from_index, from_ins, _ = stage.steps[0]
    builder_name, runtime_name = _stage_names(from_ins)
    top = "".join(df.instructions[i].preamble + df.instructions[i].text for i in df.global_args())
    top += from_ins.preamble
    if top and not top.endswith("\n\n"):
        top += "\n"
    builder = BUILDER_HEADER + _from_line(from_ins, builder_name)
    runtime = RUNTIME_HEADER + _from_line(from_ins, runtime_name)
    for i, ins, _ in stage.steps[1:]:
        to_builder, to_runtime = roles[i]
        if to_builder:
            builder += ins.preamble + _for_builder(ins, stage.builder_text.get(i, ins.text))
        if to_runtime:
            runtime += ins.preamble + ins.text
        if i == stage.last_install:
            runtime += _dependency_copies(stage, runtime, builder_name)
    if not builder.endswith("\n\n"):
        builder += "\n"
    return df.head + top + builder + runtime + df.tail


def _for_builder(ins: Instruction, text: str) -> str:
    """The builder runs as root and has no users: drop ``--chown`` from its COPYs."""
    if ins.keyword in {"COPY", "ADD"}:
        return re.sub(r"--chown=\S+[ \t]+", "", text, count=1)
    return text


def _dependency_copies(stage: _Stage, runtime: str, builder_name: str) -> str:
    gap = "" if runtime.endswith("\n\n") else "\n"
    lines = "".join(t.copy_line(builder_name) for t in stage.targets)
    return f"{gap}# The dependencies, installed in the {builder_name} stage\n{lines}"


def _multi_stage_note(stage: _Stage, roles: Mapping[int, tuple[bool, bool]]) -> str:
    actions = sorted({x.action for found in stage.installs.values() for x in found if x.python})
    copied = ", ".join(t.source for t in stage.targets)
    left_out = [
        name
        for i, ins, _ in stage.steps[1:]
        if roles[i] == (True, False) and ins.keyword in {"COPY", "ADD"}
        for name in _copied_names(ins)
    ]
    note = f"builder stage runs {', '.join(actions)} without caches; runtime copies {copied}"
    if left_out:
        note += f" and leaves out {', '.join(left_out)}"
    return note


def _copied_names(ins: Instruction) -> list[str]:
    """Short names of what a COPY brings in: the image (``uv``) or the files."""
    spec = parse_copy(ins)
    if spec.flags.get("from"):
        return [spec.flags["from"].split("/")[-1].split(":")[0]]
    return [posixpath.basename(s.rstrip("/")) for s in spec.sources]


# ---------------------------------------------------------------------------------------------
# pruned-deps (plan priority 2)


@dataclass(frozen=True)
class Pruned:
    """A project's manifests with some dependencies dropped.

    Attributes:
        pyproject: The new ``pyproject.toml`` text (formatting kept).
        lock: The regenerated ``uv.lock``, None when the project has no lock.
        dropped: The dependency names removed, as written in pyproject.toml.
        missing: Names asked for that are not direct dependencies.
        removed_packages: Packages no longer in the lock (direct and transitive).
    """

    pyproject: str
    lock: bytes | None
    dropped: tuple[str, ...]
    missing: tuple[str, ...]
    removed_packages: tuple[str, ...]


def prune_dependencies(project_dir: Path, drop: Sequence[str], *, timeout: float = 600) -> Pruned:
    """Drop dependencies from a project's pyproject.toml and regenerate its lock.

    The edit uses tomlkit, so comments and layout survive; ``uv lock`` runs in a scratch copy
    (a temporary folder), so the project's own files never change.

    Args:
        project_dir: The project folder.
        drop: Names of direct dependencies to remove (any spelling: ``Foo_Bar`` = ``foo-bar``).
        timeout: Seconds ``uv lock`` may take.

    Returns:
        The new pyproject.toml text and uv.lock bytes.

    Raises:
        CannotTransform: Nothing to drop, no pyproject.toml or dependencies, or ``uv lock``
            failed.
    """
    project_dir = Path(project_dir)
    wanted = {normalize(n) for n in drop if n.strip()}
    if not wanted:
        raise CannotTransform("no dependencies chosen to drop")
    path = project_dir / "pyproject.toml"
    if not path.is_file():
        raise CannotTransform(f"no pyproject.toml in {project_dir}")
    lock_path = project_dir / "uv.lock"
    lock = lock_path.read_bytes() if lock_path.is_file() else None
    pyproject = path.read_text("utf-8")
    return _prune_memo(str(project_dir.resolve()), pyproject, lock, frozenset(wanted), timeout)


@functools.lru_cache(maxsize=16)
def _prune_memo(
    project: str, pyproject: str, lock: bytes | None, wanted: frozenset[str], timeout: float
) -> Pruned:
    new_text, dropped = _drop_from_pyproject(pyproject, wanted)
    missing = tuple(sorted(wanted - {normalize(d) for d in dropped}))
    new_lock = _relock(Path(project), new_text, timeout) if lock is not None else None
    removed = _lock_packages(lock) - _lock_packages(new_lock) if lock and new_lock else set()
    return Pruned(new_text, new_lock, tuple(dropped), missing, tuple(sorted(removed)))


def _drop_from_pyproject(text: str, wanted: frozenset[str]) -> tuple[str, list[str]]:
    try:
        doc = tomlkit.parse(text)
    except Exception as exc:  # tomlkit raises several unrelated classes
        raise CannotTransform(f"pyproject.toml is not valid TOML: {exc}") from exc
    dependencies = doc.get("project", {}).get("dependencies")
    if dependencies is None:
        raise CannotTransform("pyproject.toml has no [project] dependencies to drop from")
    dropped = []
    for index in reversed(range(len(dependencies))):
        requirement = str(dependencies[index])
        name = normalize(requirement_name(requirement))
        if name in wanted:
            dropped.append(name)
            del dependencies[index]
    if not dropped:
        raise CannotTransform(
            f"none of {', '.join(sorted(wanted))} is in the [project] dependencies"
        )
    return tomlkit.dumps(doc), sorted(dropped)


def _lock_packages(lock: bytes | None) -> set[str]:
    if not lock:
        return set()
    try:
        data = tomllib.loads(lock.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return set()
    return {normalize(p.get("name", "")) for p in data.get("package", [])}


def _uv_binary() -> str:
    try:
        from uv import find_uv_bin
    except ImportError:
        found = shutil.which("uv")
        if found is None:
            raise CannotTransform("uv is not installed, so the lock can't be regenerated") from None
        return found
    return find_uv_bin()


def _relock(project: Path, pyproject: str, timeout: float) -> bytes:
    """Run ``uv lock`` on a scratch copy of the project with the new pyproject.toml."""
    with tempfile.TemporaryDirectory(prefix="workbench-prune-") as tmp:
        scratch = Path(tmp) / "minimal"
        scratch.mkdir()
        for name in ("uv.lock", ".python-version"):
            if (project / name).is_file():
                shutil.copy2(project / name, scratch / name)
        (scratch / "pyproject.toml").write_text(pyproject, "utf-8")
        result = _uv_lock(scratch, timeout)
        if result.returncode != 0:
            scratch = Path(tmp) / "full"
            ignore = shutil.ignore_patterns(".venv", ".git", "node_modules", "__pycache__")
            shutil.copytree(project, scratch, ignore=ignore, symlinks=True)
            (scratch / "pyproject.toml").write_text(pyproject, "utf-8")
            result = _uv_lock(scratch, timeout)
        if result.returncode != 0:
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            reason = lines[-1].strip() if lines else f"exit code {result.returncode}"
            raise CannotTransform(f"uv lock failed after dropping the dependencies: {reason}")
        return (scratch / "uv.lock").read_bytes()


def _uv_lock(folder: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "UV_FROZEN", "UV_LOCKED"}
    }
    env["UV_NO_PROGRESS"] = "1"
    try:
        return subprocess.run(
            [_uv_binary(), "lock"],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CannotTransform(f"uv lock took longer than {timeout:.0f} s") from None
    except OSError as exc:
        raise CannotTransform(f"uv lock could not run: {exc}") from exc


# ---------------------------------------------------------------------------------------------
# custom: a Dockerfile the user edits, saved per project


def custom_dockerfile_path(project_dir: Path) -> Path:
    """Where a project's custom Dockerfile lives, under the workbench home."""
    return workbench_home() / "projects" / project_key(project_dir) / "custom.Dockerfile"


def load_custom_dockerfile(project_dir: Path) -> str | None:
    """Return the project's saved custom Dockerfile, None if none was saved."""
    path = custom_dockerfile_path(project_dir)
    return path.read_text("utf-8") if path.is_file() else None


def save_custom_dockerfile(project_dir: Path, text: str) -> Path:
    """Save a project's custom Dockerfile (atomically) and return where it went."""
    path = custom_dockerfile_path(project_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".tmp")
    scratch.write_text(text, "utf-8")
    scratch.replace(path)
    return path


def delete_custom_dockerfile(project_dir: Path) -> bool:
    """Delete the project's custom Dockerfile; return whether there was one."""
    path = custom_dockerfile_path(project_dir)
    if path.is_file():
        path.unlink()
        return True
    return False


# ---------------------------------------------------------------------------------------------
# Deriving variants from a project


def read_baseline(project_dir: Path, dockerfile: str = "Dockerfile") -> str:
    """Read a project's Dockerfile.

    Args:
        project_dir: The project folder.
        dockerfile: The Dockerfile's name, relative to the folder.

    Returns:
        Its text.

    Raises:
        ProjectError: The folder or the Dockerfile is missing or unreadable.
    """
    project_dir = Path(project_dir)
    if not project_dir.is_dir():
        raise ProjectError(f"{project_dir} is not a folder; choose a project folder")
    path = project_dir / dockerfile
    if not path.is_file():
        raise ProjectError(f"no {dockerfile} in {project_dir}; add one or name the right file")
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError(f"can't read {path}: {exc}") from exc


@dataclass
class _Project:
    """What the variant makers share: the baseline and the pruned manifests (computed once)."""

    project_dir: Path
    baseline: str
    dockerfile: str
    drop: tuple[str, ...]
    custom_text: str | None

    @functools.cached_property
    def pruned(self) -> Pruned | CannotTransform:
        try:
            return prune_dependencies(self.project_dir, self.drop)
        except CannotTransform as exc:
            return exc


def derive_variants(
    project_dir: Path,
    *,
    drop: Sequence[str] = (),
    custom_text: str | None = None,
    dockerfile: str = "Dockerfile",
) -> list[Variant]:
    """Derive every variant of a project, in the order of :data:`VARIANT_NAMES`.

    Args:
        project_dir: The project folder.
        drop: Dependencies the ``pruned-deps`` and ``combined`` variants remove.
        custom_text: The ``custom`` variant's text; by default the project's saved one.
        dockerfile: The Dockerfile's name in the folder.

    Returns:
        One :class:`Variant` per name; those that can't be derived carry an ``error``.

    Raises:
        ProjectError: The folder or its Dockerfile is missing.
    """
    project = _project(project_dir, drop, custom_text, dockerfile)
    return [_MAKERS[name](project) for name in VARIANT_NAMES]


def derive_variant(
    project_dir: Path,
    name: str,
    *,
    drop: Sequence[str] = (),
    custom_text: str | None = None,
    dockerfile: str = "Dockerfile",
) -> Variant:
    """Derive one variant of a project.

    Args:
        project_dir: The project folder.
        name: One of :data:`VARIANT_NAMES`.
        drop: Dependencies the ``pruned-deps`` and ``combined`` variants remove.
        custom_text: The ``custom`` variant's text; by default the project's saved one.
        dockerfile: The Dockerfile's name in the folder.

    Returns:
        The variant; it carries an ``error`` when it can't be derived.

    Raises:
        VariantError: No variant has that name.
        ProjectError: The folder or its Dockerfile is missing.
    """
    if name not in _MAKERS:
        raise VariantError(f"unknown variant {name!r}; known variants: {', '.join(VARIANT_NAMES)}")
    return _MAKERS[name](_project(project_dir, drop, custom_text, dockerfile))


def _project(
    project_dir: Path, drop: Sequence[str], custom_text: str | None, dockerfile: str
) -> _Project:
    baseline = read_baseline(Path(project_dir), dockerfile)
    if isinstance(drop, str):
        drop = [drop]
    return _Project(Path(project_dir), baseline, dockerfile, tuple(drop), custom_text)


def _diff(before: str, after: str, name: str, variant: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"{name} (baseline)",
        tofile=f"{name} ({variant})",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _variant(
    project: _Project,
    name: str,
    text: str,
    summary: str,
    *,
    plan_task: str | None = None,
    extra_files: Mapping[str, bytes] | None = None,
) -> Variant:
    diff = _diff(project.baseline, text, project.dockerfile, name)
    if extra_files and "pyproject.toml" in extra_files:
        original = (project.project_dir / "pyproject.toml").read_text("utf-8")
        new = extra_files["pyproject.toml"].decode("utf-8")
        diff += _diff(original, new, "pyproject.toml", name)
    return Variant(
        name=name,
        dockerfile=text,
        summary=summary,
        plan_task=plan_task,
        diff=diff,
        requires_buildkit=needs_buildkit(text),
        extra_files=dict(extra_files or {}),
    )


def _failed(name: str, reason: str, plan_task: str | None = None) -> Variant:
    return Variant(
        name=name,
        dockerfile=None,
        summary=f"not available: {reason}",
        plan_task=plan_task,
        error=reason,
    )


def _from_transform(
    project: _Project,
    name: str,
    transform: Callable[[Dockerfile], Transformed],
    unchanged: str,
) -> Variant:
    try:
        result = transform(parse(project.baseline))
    except CannotTransform as exc:
        return _failed(name, f"{project.dockerfile} {exc}", PLAN_TASKS[name])
    if result.text == project.baseline:
        return _failed(name, unchanged, PLAN_TASKS[name])
    return _variant(
        project, name, result.text, "; ".join(result.changes), plan_task=PLAN_TASKS[name]
    )


def _make_baseline(project: _Project) -> Variant:
    return _variant(project, "baseline", project.baseline, "the project's Dockerfile, unchanged")


def _make_no_cache(project: _Project) -> Variant:
    return _from_transform(
        project,
        "no-cache",
        _no_cache,
        "nothing to change: every dependency install already runs without a cache",
    )


def _make_multi_stage(project: _Project) -> Variant:
    return _from_transform(project, "multi-stage", _multi_stage, "nothing to change")


def _make_cache_mount(project: _Project) -> Variant:
    variant = _from_transform(
        project,
        "cache-mount",
        _cache_mount,
        "nothing to change: no dependency install to give a cache mount",
    )
    return replace(variant, requires_buildkit=variant.ok)


def _pruned_files(pruned: Pruned) -> dict[str, bytes]:
    files = {"pyproject.toml": pruned.pyproject.encode("utf-8")}
    if pruned.lock is not None:
        files["uv.lock"] = pruned.lock
    return files


def _pruned_note(pruned: Pruned) -> str:
    note = f"drops {', '.join(pruned.dropped)} from pyproject.toml"
    if pruned.lock is not None:
        note += f"; uv.lock regenerated ({len(pruned.removed_packages)} packages fewer)"
    if pruned.missing:
        note += f"; not dependencies: {', '.join(pruned.missing)}"
    return note


def _make_pruned(project: _Project) -> Variant:
    pruned = project.pruned
    if isinstance(pruned, CannotTransform):
        return _failed("pruned-deps", str(pruned), PLAN_TASKS["pruned-deps"])
    return _variant(
        project,
        "pruned-deps",
        project.baseline,
        _pruned_note(pruned),
        plan_task=PLAN_TASKS["pruned-deps"],
        extra_files=_pruned_files(pruned),
    )


def _make_combined(project: _Project) -> Variant:
    df_text = project.baseline
    try:
        text = _multi_stage(parse(df_text)).text
        parts, tasks = ["multi-stage with no-cache installs"], ["1", "3"]
    except CannotTransform as exc:
        try:
            text = _no_cache(parse(df_text)).text
        except CannotTransform as exc2:
            return _failed("combined", f"{project.dockerfile} {exc2}", PLAN_TASKS["combined"])
        parts, tasks = [f"no-cache (multi-stage skipped: {exc})"], ["1"]
    parts.append("cache-mount not used (it is the alternative to no-cache)")
    pruned = project.pruned
    files: dict[str, bytes] = {}
    if isinstance(pruned, CannotTransform):
        parts.append(f"no pruning ({pruned})")
    else:
        parts.append(_pruned_note(pruned))
        files = _pruned_files(pruned)
        tasks.append("2")
    if text == df_text and not files:
        return _failed("combined", "nothing to change", PLAN_TASKS["combined"])
    task = "priority " + "+".join(sorted(tasks))
    return _variant(project, "combined", text, "; ".join(parts), plan_task=task, extra_files=files)


def _make_custom(project: _Project) -> Variant:
    text = project.custom_text
    where = "edited, not saved"
    if text is None:
        text = load_custom_dockerfile(project.project_dir)
        where = f"saved in {custom_dockerfile_path(project.project_dir)}"
    if text is None:
        return _failed("custom", "no custom Dockerfile saved for this project yet")
    if not re.search(r"^\s*FROM\s", text, re.IGNORECASE | re.MULTILINE):
        return _failed("custom", "the custom Dockerfile has no FROM instruction")
    return _variant(project, "custom", text, f"your own Dockerfile ({where})")


_MAKERS: Mapping[str, Callable[[_Project], Variant]] = {
    "baseline": _make_baseline,
    "no-cache": _make_no_cache,
    "multi-stage": _make_multi_stage,
    "cache-mount": _make_cache_mount,
    "pruned-deps": _make_pruned,
    "combined": _make_combined,
    "custom": _make_custom,
}
