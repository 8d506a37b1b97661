"""The multi-stage variant (plan priority 3): a builder stage installs the dependencies, the
runtime stage copies only the virtualenv (or the installed tree) and the application."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from workbench.errors import CannotTransform
from workbench.project.manifests import is_manifest
from workbench.variants.build_state import BuildState, walk
from workbench.variants.dockerfile import parse_copy
from workbench.variants.installs import (
    Edit,
    Install,
    absolute,
    append_args,
    find_installs,
    has_option,
    install_env,
    option_value,
    positionals,
    truthy,
)
from workbench.variants.instructions import Dockerfile, Instruction, parse
from workbench.variants.model import Transformed
from workbench.variants.no_cache import apply_no_cache
from workbench.variants.shell import apply_edits, parse_run

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
_VENV_VALUE_OPTIONS = frozenset({"--python", "-p", "--prompt", "--index-url", "--link-mode"})
_UV_IN_COMMAND = re.compile(r"(?:^|[\s\"'\[;&|(])(?:/[\w./-]*/)?uvx?(?=$|[\s\"',\];&|)])")


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
    return apply_multi_stage(parse(text)).text


def apply_multi_stage(df: Dockerfile) -> Transformed:
    """The multi-stage transform of a parsed Dockerfile, with one note saying what moved."""
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
    no_cache = apply_no_cache(parse(text))
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
                edits.append(append_args(run, install, extra))
            if install.action == "uv sync":
                venvs.add(target.source)
        stage.builder_text[i] = apply_edits(ins.text, edits)


def _venv_created(install: Install, state: BuildState) -> str:
    paths = positionals(install.args, _VENV_VALUE_OPTIONS)
    path = state.expand(paths[0], install.env) if paths else ".venv"
    return absolute(path, state.workdir)


def _install_target(
    install: Install, state: BuildState, venvs: set[str], ins: Instruction
) -> tuple[_Target, list[str]]:
    chown = None if state.is_root() else state.user
    env = install_env(install, state)
    for option in ("--target", "-t", "--prefix"):
        value = option_value(install.args, option)
        if value and not (install.tool == "uv" and option == "-t"):
            path = absolute(state.expand(value, install.env), state.workdir)
            return _Target(path, path, chown), []
    if install.action == "uv sync":
        venv = _uv_project_env(install, state, env)
        return _Target(venv, venv, chown), []
    if install.tool == "uv":
        if has_option(install.args, "--system") or truthy(env.get("UV_SYSTEM_PYTHON")):
            return _Target(SYSTEM_PREFIX, "/usr/local"), [f"--prefix={SYSTEM_PREFIX}"]
        venv = _uv_pip_venv(install, state, env)
        return _Target(venv, venv, chown), []
    return _pip_target(install, state, venvs, ins, chown)


def _uv_project_env(install: Install, state: BuildState, env: Mapping[str, str]) -> str:
    base = state.workdir
    directory = option_value(install.args, "--directory")
    if directory:
        base = absolute(state.expand(directory, install.env), base)
    project = option_value(install.args, "--project")
    if project:
        base = absolute(state.expand(project, install.env), base)
    venv = env.get("UV_PROJECT_ENVIRONMENT")
    return absolute(state.expand(venv, install.env) if venv else ".venv", base)


def _uv_pip_venv(install: Install, state: BuildState, env: Mapping[str, str]) -> str:
    python = option_value(install.args, "--python", "-p")
    if python and "/bin/python" in python:
        return absolute(python.split("/bin/python")[0], state.workdir)
    if env.get("VIRTUAL_ENV"):
        return absolute(state.expand(env["VIRTUAL_ENV"], install.env), state.workdir)
    return absolute(".venv", state.workdir)


def _pip_target(
    install: Install, state: BuildState, venvs: set[str], ins: Instruction, chown: str | None
) -> tuple[_Target, list[str]]:
    if has_option(install.args, "--root"):
        raise CannotTransform(f"line {ins.lineno}: pip install --root can't move to a builder")
    if has_option(install.args, "--user"):
        local = posixpath.join(state.home(), ".local")
        return _Target("/root/.local", local, chown), []
    venv = _pip_venv(install, state, venvs)
    if venv:
        return _Target(venv, venv, chown), []
    return _Target(f"{SYSTEM_PREFIX}/", "/"), [f"--root={SYSTEM_PREFIX}"]


def _pip_venv(install: Install, state: BuildState, venvs: set[str]) -> str | None:
    env = install_env(install, state)
    program = state.expand(install.program, install.env)
    if "/" in program:
        bindir = posixpath.dirname(absolute(program, state.workdir))
        prefix = bindir[: -len("/bin")] if bindir.endswith("/bin") else ""
        return prefix if prefix and prefix not in {"/usr", "/usr/local"} else None
    for part in env.get("PATH", "").split(":"):
        prefix = part[: -len("/bin")] if part.endswith("/bin") else ""
        if prefix and (prefix in venvs or prefix == env.get("VIRTUAL_ENV")):
            return prefix
        if part in {"/usr/local/bin", "/usr/bin", "/bin", "$PATH", "${PATH}"}:
            break
    virtual_env = env.get("VIRTUAL_ENV")
    return absolute(virtual_env, state.workdir) if virtual_env else None


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
            packages = positionals(install.args, frozenset({"-o", "-c", "-t"}))
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
