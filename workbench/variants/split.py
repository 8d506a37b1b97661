"""The stage a multi-stage build splits: its installs, what they make, where each step goes.

:func:`prepare` reads the stage (the only one of a single-stage Dockerfile, or the final one):
the installs and the installers' set-up steps, where each install puts its packages
(:mod:`~workbench.variants.targets`), which installers the runtime still needs
(:mod:`~workbench.variants.runners`). :func:`bodies` then writes the builder's instructions and
the runtime's, with the ``COPY --from`` of what the installs made; :mod:`multi_stage` puts them
together.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from workbench.errors import CannotTransform
from workbench.project.manifests import is_manifest
from workbench.variants.build_only import is_build_only
from workbench.variants.build_state import WELL_KNOWN_USERS, BuildState, from_image, parse_env, walk
from workbench.variants.dockerfile import parse_copy
from workbench.variants.installers import (
    INSTALLERS,
    copied_installer,
    env_only_for,
    installer_packages,
    is_uv_image,
    plain_python_base,
    setup_tools,
)
from workbench.variants.installs import (
    Edit,
    Install,
    absolute,
    append_args,
    find_installs,
    has_option,
    install_env,
    poetry_venv,
    positionals,
    truthy,
)
from workbench.variants.instructions import Dockerfile, Instruction
from workbench.variants.libraries import Block, pending_block
from workbench.variants.runners import RUNTIME_KEYWORDS, RunnerPlan, plan_runners
from workbench.variants.runtime_apt import AptSplit, split_apt
from workbench.variants.shell import RunInstruction, apply_edits, parse_run
from workbench.variants.targets import (
    Target,
    install_target,
    managed_python,
    poetry_in_project,
    venv_created,
    wheel_dirs,
)

# apt packages an install may need in the builder: build tools, headers, Python itself (and
# whatever is build-only, see workbench.variants.build_only)
BUILD_PACKAGES = re.compile(
    r"(build-essential|gcc(-\d+)?|g\+\+(-\d+)?|clang|make|cmake|pkg-config|git|cargo|rustc"
    r"|autoconf|automake|libtool|.+-dev|python3?(\.\d+)?(-[a-z0-9.-]+)?)(=.*)?$"
)
NO_DOWNLOADS = (
    "# The venv must use the Python the runtime image has, not one uv downloads (workbench)\n"
    "ENV UV_PYTHON_DOWNLOADS=0\n"
)
_BUILDER_NAMES = ("builder", "deps", "python-deps")
NO_INSTALL = (
    "has no Python dependency install (uv sync, uv pip install, pip install) to move into a"
    " builder stage"
)


@dataclass
class SplitStage:
    """The instructions of the stage being split, sorted into builder and runtime.

    Attributes:
        df: The whole Dockerfile.
        steps: The stage's instructions with their build states, its ``FROM`` first.
        taken: The stage names the Dockerfile already uses (lower case).
        installs: ``RUN`` index -> its uv, pip, Poetry, Pipenv and virtualenv commands.
        setup: ``RUN`` index -> the installers it sets up, and whether that is all it does.
        builder_text: ``RUN`` index -> its text in the builder.
        targets: What the installs made, copied to the runtime.
        wheels: Folders of wheels only the installs read.
        venvs: Installer -> the virtualenv its ``run`` uses.
        tools: The installers the stage uses or sets up.
        last_install: Index of the last ``RUN`` with a dependency install.
        runners: What the runtime's ``uv run``... become.
        stays: Installer -> why it stays in the runtime.
        notes: Summary notes beyond the main one.
        base_note: What the runtime starts FROM, when that changed or could not.
        path_dirs: Virtualenv ``bin`` folders the runtime needs on ``PATH`` (beyond the
            rewritten commands').
        edits: ``RUN`` index -> the edits the builder makes to it.
        no_editable: ``(RUN index, edit)`` adding ``--no-editable`` to a ``uv sync``.
        apt: The runtime's apt lines, with the build-only packages left in the builder.
    """

    df: Dockerfile
    steps: list[tuple[int, Instruction, BuildState]]
    taken: set[str]
    installs: dict[int, list[Install]] = field(default_factory=dict)
    setup: dict[int, tuple[frozenset[str], bool]] = field(default_factory=dict)
    builder_text: dict[int, str] = field(default_factory=dict)
    targets: list[tuple[Target, str]] = field(default_factory=list)
    wheels: set[str] = field(default_factory=set)
    venvs: dict[str, str] = field(default_factory=dict)
    tools: set[str] = field(default_factory=set)
    last_install: int = -1
    runners: RunnerPlan = field(default_factory=RunnerPlan)
    stays: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    base_note: str = ""
    path_dirs: list[str] = field(default_factory=list)
    edits: dict[int, list[Edit]] = field(default_factory=dict)
    no_editable: list[tuple[int, Edit]] = field(default_factory=list)
    apt: AptSplit = field(default_factory=AptSplit)

    @property
    def from_ins(self) -> Instruction:
        """The stage's ``FROM``."""
        return self.steps[0][1]


def prepare(df: Dockerfile, number: int) -> SplitStage:
    """Read stage ``number`` of a Dockerfile: its installs, their targets, the runtime's needs.

    Raises:
        CannotTransform: The stage has no Python dependency install, or one whose packages
            a builder can't hand over.
    """
    steps = [step for step in walk(df) if step[2].stage == number]
    taken = {name for ins in df.instructions if (name := stage_name(ins))}
    stage = SplitStage(df, steps, taken)
    _find_stage_installs(stage)
    _plan_targets(stage)
    _plan_runtime(stage)
    _builder_texts(stage)
    stage.apt = split_apt(stage.steps[1:], stage.last_install, stage.installs, stage.runners.texts)
    return stage


def _find_stage_installs(stage: SplitStage) -> None:
    tools = {"uv"} if is_uv_image(from_image(stage.from_ins)) else set()
    for i, ins, _ in stage.steps:
        if ins.keyword in {"COPY", "ADD"} and copied_installer(parse_copy(ins)):
            tools.add("uv")
        if ins.keyword != "RUN":
            continue
        run = parse_run(ins)
        found = [x for x in find_installs(run) if x.python or x.tool == "venv"]
        if found:
            stage.installs[i] = found
            tools |= {x.tool for x in found if x.tool in INSTALLERS}
        setup = setup_tools(run)
        if setup[0]:
            stage.setup[i] = setup
            tools |= setup[0]
    stage.tools = tools
    python = [i for i, found in stage.installs.items() if any(map(is_dependency_install, found))]
    if not python:
        raise CannotTransform(NO_INSTALL)
    stage.last_install = max(python)


def is_dependency_install(install: Install) -> bool:
    """A uv, pip, Poetry or Pipenv install of dependencies (not of an installer, not a wheel)."""
    return install.python and install.action != "pip wheel" and not installer_packages(install)


def _plan_targets(stage: SplitStage) -> None:
    venvs: set[str] = set()
    edits: dict[int, list[Edit]] = {}
    for i, ins, state in stage.steps:
        if i not in stage.installs:
            continue
        run = parse_run(ins)
        for install in stage.installs[i]:
            if install.tool == "venv":
                venvs.add(venv_created(install, state))
                continue
            stage.wheels |= wheel_dirs(install, state)
            if not is_dependency_install(install):
                continue
            target, more = _target(stage, i, install, state, run, venvs)
            for index, found in more.items():
                edits.setdefault(index, []).extend(found)
            if all(t != target for t, _ in stage.targets):
                stage.targets.append((target, install.tool))
            if install.action == "uv sync":
                venvs.add(target.source)
            if target.venv and (install.action == "uv sync" or install.tool != "uv"):
                stage.venvs[install.tool] = target.source
            elif target.venv and install.tool == "uv":
                stage.venvs.setdefault("uv", target.source)
    stage.edits = edits
    _plan_managed_python(stage)


def _builder_texts(stage: SplitStage) -> None:
    """The builder's text of each edited RUN; ``--no-editable`` only when uv leaves the runtime
    (a ``uv run`` that stays would reinstall the project as editable)."""
    edits = {i: list(found) for i, found in stage.edits.items()}
    if "uv" not in stage.stays:
        for i, edit in stage.no_editable:
            edits.setdefault(i, []).append(edit)
            stage.notes.append(
                f"uv sync --no-editable (line {stage.df.instructions[i].lineno}), so the venv"
                " does not point back at the builder's source"
            )
    for i, found in edits.items():
        stage.builder_text[i] = apply_edits(stage.df.instructions[i].text, found)


def _target(
    stage: SplitStage,
    i: int,
    install: Install,
    state: BuildState,
    run: RunInstruction,
    venvs: set[str],
) -> tuple[Target, dict[int, list[Edit]]]:
    """Where an install puts its packages in the builder, and the edits of RUNs that takes."""
    ins = run.instruction
    if install.tool == "poetry" and poetry_venv(install, state, run)[0] == "system":
        steps = [step for step in stage.steps if step[0] <= i]
        moved = poetry_in_project(install, state, run, steps)
        if moved is not None:
            target, edits = moved
            stage.path_dirs.append(posixpath.join(target.source, "bin"))
            stage.notes.append(
                f"{install.action} (line {ins.lineno}) fills {target.source} in the builder"
                " instead of the system Python; the runtime has its bin first on PATH"
            )
            return target, edits
    target, extra = install_target(install, state, venvs, ins, run)
    if _installs_project(install, state):
        stage.no_editable.append((i, append_args(run, install, ["--no-editable"])))
    return target, {i: [append_args(run, install, extra)]} if extra else {}


def _plan_managed_python(stage: SplitStage) -> None:
    """Copy the Python uv downloads, when the image has none (``uv:bookworm-slim``)."""
    image = from_image(stage.from_ins)
    if not is_uv_image(image) or plain_python_base(image) or "uv" not in stage.venvs:
        return
    state = next(state for i, _, state in stage.steps if i == stage.last_install)
    if state.env.get("UV_PYTHON_DOWNLOADS", "").lower() in {"never", "0", "false", "no"}:
        return
    stage.targets.insert(0, (managed_python(state), "uv"))


def _installs_project(install: Install, state: BuildState) -> bool:
    """Whether a ``uv sync`` installs the project itself, as an editable install."""
    skip = ("--no-install-project", "--no-editable", "--only-dev", "--only-group")
    env = install_env(install, state)
    return (
        install.action == "uv sync"
        and not has_option(install.args, *skip, "--no-install-workspace")
        and not truthy(env.get("UV_NO_EDITABLE"))
    )


def _plan_runtime(stage: SplitStage) -> None:
    """Which installers the runtime still needs, and its commands rewritten without them."""
    scan = [
        step
        for step in stage.steps[1:]
        if step[0] not in stage.installs
        and not stage.setup.get(step[0], (None, False))[1]
        and step[1].keyword in RUNTIME_KEYWORDS
    ]
    stage.runners = plan_runners(scan, stage.venvs, stage.last_install)
    stage.stays = {t: why for t, why in stage.runners.stays.items() if t in stage.tools}
    for tool, why in stage.stays.items():
        setups = [i for i, (tools, _) in stage.setup.items() if tool in tools]
        if setups and all(i in stage.installs and not stage.setup[i][1] for i in setups):
            line = stage.df.instructions[setups[0]].lineno
            raise CannotTransform(
                f"line {line}: {tool} is set up in the same RUN as the dependencies, and the"
                f" runtime still needs it ({why})"
            )
    image = from_image(stage.from_ins)
    if is_uv_image(image) and "uv" not in stage.stays:
        base = plain_python_base(image)
        if base:
            stage.base_note = (
                f"runtime FROM {base} (the Python image {image} is built on) without uv"
            )
        else:
            stage.base_note = f"runtime stays FROM {image}: no plain Python image matches its tag"


def runtime_image(stage: SplitStage) -> str:
    """The image the runtime starts FROM: the plain Python base of a uv image uv can leave."""
    image = from_image(stage.from_ins)
    base = plain_python_base(image) if "uv" not in stage.stays else None
    return base or image


def downloads(stage: SplitStage) -> str:
    """``UV_PYTHON_DOWNLOADS=0`` in a builder whose runtime starts from another image."""
    if runtime_image(stage) == from_image(stage.from_ins):
        return ""
    if not any(x.tool == "uv" for found in stage.installs.values() for x in found):
        return ""
    if any("UV_PYTHON_DOWNLOADS" in state.env for _, _, state in stage.steps):
        return ""
    return NO_DOWNLOADS


def _role(stage: SplitStage, i: int, ins: Instruction, state: BuildState) -> tuple[bool, bool]:
    """Return whether an instruction goes to the builder, and whether to the runtime."""
    before = i < stage.last_install
    keyword = ins.keyword
    tools, only_setup = stage.setup.get(i, (frozenset(), False))
    if only_setup:
        return before, bool(tools & stage.stays.keys())
    if i in stage.installs:
        return True, False
    if keyword == "ENV":
        tool = env_only_for(list(parse_env(ins)))
        return before, tool is None or tool in stage.stays
    if keyword in {"ARG", "WORKDIR", "SHELL"}:
        return before, True
    if keyword in {"COPY", "ADD"}:
        spec = parse_copy(ins)
        installer = copied_installer(spec)
        if installer:
            return before, installer in stage.stays
        dest = absolute(state.expand(spec.dest), state.workdir) if spec.dest else ""
        if any(dest == w or dest.startswith(w + "/") for w in stage.wheels):
            return before, False
        return before, not (before and _only_manifests(spec.sources))
    if keyword == "RUN":
        return before and (_installs_build_tools(ins) or bool(tools)), True
    return False, True


def _only_manifests(sources: Sequence[str]) -> bool:
    return bool(sources) and all(is_manifest(s) for s in sources)


def _installs_build_tools(ins: Instruction) -> bool:
    for install in find_installs(parse_run(ins)):
        if install.tool == "apt":
            packages = positionals(install.args, frozenset({"-o", "-c", "-t"}))
            if any(BUILD_PACKAGES.match(p) or is_build_only(p) for p in packages):
                return True
    return False


def stage_name(from_ins: Instruction) -> str | None:
    """The name a ``FROM ... AS name`` gives its stage, None for other instructions."""
    if from_ins.keyword != "FROM":
        return None
    words = from_ins.value.split()
    return words[-1] if len(words) >= 3 and words[-2].lower() == "as" else None


def fresh_name(taken: set[str]) -> str:
    """A name for the new builder stage that no stage of the Dockerfile has."""
    lower = {name.lower() for name in taken}
    names = [*_BUILDER_NAMES, *(f"deps-{n}" for n in range(2, len(lower) + 3))]
    return next(name for name in names if name not in lower)


def from_line(from_ins: Instruction, name: str, image: str | None = None) -> str:
    """A ``FROM`` like ``from_ins`` (its flags kept), naming the stage ``name``.

    Args:
        from_ins: The baseline's ``FROM``.
        name: The stage's name.
        image: Another image to start from, None for the same one.
    """
    words = from_ins.value.split()
    if len(words) >= 3 and words[-2].lower() == "as":
        words = words[:-2]
    if image is not None:
        words = [image if w == from_image(from_ins) else w for w in words]
    return f"FROM {' '.join(words)} AS {name}\n"


def bodies(stage: SplitStage, builder_name: str) -> tuple[str, str]:
    """The builder's instructions and the runtime's, after their ``FROM`` lines."""
    builder = runtime = ""
    copy_at = _copy_position(stage)
    after_block = False
    for i, ins, state in stage.steps[1:]:
        to_builder, to_runtime = _role(stage, i, ins, state)
        if to_builder:
            builder += ins.preamble + _for_builder(ins, stage.builder_text.get(i, ins.text))
        text = stage.apt.texts.get(i, stage.runners.texts.get(i, ins.text))
        if to_runtime and text is not None:
            preamble = ins.preamble.lstrip("\n") if after_block else ins.preamble
            runtime += preamble + text
            after_block = False
        if i == stage.apt.block_at:
            blank = ins.preamble.startswith("\n") if not runtime else not runtime.endswith("\n\n")
            gap = "\n" if blank else ""
            apt = stage.apt
            block = Block(builder_name, tuple(apt.packages()), tuple(apt.carried), apt.recommends)
            runtime += gap + pending_block(block, not state.is_root()) + "\n"
            after_block = True
        if i == copy_at:
            runtime += _dependency_copies(stage, runtime, builder_name)
            after_block = False
    if not builder.endswith("\n\n"):
        builder += "\n"
    return builder, runtime


def _for_builder(ins: Instruction, text: str) -> str:
    """The builder runs as root and has no users: drop ``--chown`` from its COPYs."""
    if ins.keyword in {"COPY", "ADD"}:
        return re.sub(r"--chown=\S+[ \t]+", "", text, count=1)
    return text


def _runtime_owner(stage: SplitStage) -> str | None:
    """The user the runtime ends as, when an installer stays and may write to its venv."""
    if not any(target.venv and tool in stage.stays for target, tool in stage.targets):
        return None
    users = [(ins, state) for _, ins, state in stage.steps if ins.keyword == "USER"]
    if not users:
        return None
    ins, state = users[-1]
    user = state.expand(ins.value.strip())
    return None if user.partition(":")[0] in {"root", "0"} else user


def _copy_position(stage: SplitStage) -> int:
    """Where the dependencies are copied in: after the last install, or after the ``RUN`` that
    creates the user who must own them."""
    owner = _runtime_owner(stage)
    name = (owner or "").partition(":")[0]
    if not owner or name.isdigit() or name in WELL_KNOWN_USERS:
        return stage.last_install
    states = {i: state for i, _, state in stage.steps}
    if name in states[stage.last_install].users:
        return stage.last_install
    later = [i for i, _, state in stage.steps if i > stage.last_install and name in state.users]
    indexes = [i for i, _, _ in stage.steps]
    if not later:
        return stage.last_install
    return indexes[indexes.index(later[0]) - 1]


def _dependency_copies(stage: SplitStage, runtime: str, builder_name: str) -> str:
    gap = "" if runtime.endswith("\n\n") else "\n"
    owner = _runtime_owner(stage)
    lines = "".join(
        target.copy_line(builder_name, owner if target.venv and tool in stage.stays else None)
        for target, tool in stage.targets
    )
    path = path_dirs(stage)
    if path:
        lines += f'ENV PATH="{":".join(path)}:$PATH"\n'
    return f"{gap}# The dependencies, installed in the {builder_name} stage\n{lines}"


def path_dirs(stage: SplitStage) -> list[str]:
    """The ``bin`` folders the runtime's ``ENV PATH`` must add (the baseline's lacks them)."""
    path = stage.steps[-1][2].env.get("PATH", "").split(":")
    extra = [d for d in stage.path_dirs if d not in path]
    return list(dict.fromkeys([*stage.runners.path_dirs, *extra]))


def actions(stage: SplitStage) -> str:
    """The dependency installs the builder runs (``pip install, uv sync``), for summaries."""
    found = {x.action for xs in stage.installs.values() for x in xs if is_dependency_install(x)}
    return ", ".join(sorted(found))


def copied(stage: SplitStage) -> str:
    """The folders the runtime copies from the builder, for summaries."""
    return ", ".join(target.source for target, _ in stage.targets)


def left_out(stage: SplitStage) -> list[str]:
    """Short names of what the runtime leaves out: the installers, manifests, wheels."""
    names: list[str] = []
    for i, ins, state in stage.steps[1:]:
        if _role(stage, i, ins, state)[1]:
            continue
        if ins.keyword in {"COPY", "ADD"}:
            names += _copied_names(ins)
        elif i in stage.setup:
            names += sorted(stage.setup[i][0])
    return list(dict.fromkeys(names))


def _copied_names(ins: Instruction) -> list[str]:
    """Short names of what a COPY brings in: the installer (``uv``) or the files."""
    spec = parse_copy(ins)
    installer = copied_installer(spec)
    if installer:
        return [installer]
    return [posixpath.basename(s.rstrip("/")) for s in spec.sources]
