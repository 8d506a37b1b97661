"""Where each install puts what it installs: what a runtime stage copies from a builder stage.

:func:`install_target` follows each installer's own rules: ``uv sync`` its project environment,
``uv pip`` and ``pip`` the virtualenv they run in (else the system Python, redirected under
:data:`SYSTEM_PREFIX` in the builder), ``--target``/``--prefix``/``--root``/``--user`` their
folders, Poetry and Pipenv their in-project ``.venv``. :func:`wheel_dirs` names the folders of
wheels that only the installs read, so the runtime can leave them out.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from workbench.errors import CannotTransform
from workbench.variants.build_state import BuildState
from workbench.variants.installs import (
    Edit,
    Install,
    absolute,
    falsy,
    has_option,
    install_env,
    option_value,
    pipenv_venv,
    poetry_venv,
    positionals,
    truthy,
)
from workbench.variants.instructions import Instruction
from workbench.variants.shell import RunInstruction, parse_run, program_index

SYSTEM_PREFIX = "/install"
"""Where the builder puts what a system-wide install would write."""
SYSTEM_DIRS = frozenset({"/", "/usr", "/usr/local"})
VENV_VALUE_OPTIONS = frozenset({"--python", "-p", "--prompt", "--index-url", "--link-mode"})
_PIP_VALUE_OPTIONS = frozenset(
    {"-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url",
     "-f", "--find-links", "-t", "--target", "--prefix", "--root", "-w", "--wheel-dir",
     "--python", "--cache-dir", "--log", "--src", "--trusted-host"}
)  # fmt: skip


@dataclass(frozen=True)
class Target:
    """Where an install puts its packages: copied from the builder to the runtime.

    Attributes:
        source: The folder in the builder.
        dest: Where it goes in the runtime.
        chown: The owner the baseline gave it (its install ran as that user), None for root.
        venv: Whether it is a virtualenv (a command runs from its ``bin``).
    """

    source: str
    dest: str
    chown: str | None = None
    venv: bool = False

    def copy_line(self, builder: str, chown: str | None = None) -> str:
        """The ``COPY --from`` line; ``chown`` when the runtime user must own it."""
        owner = self.chown or chown
        flag = f"--chown={owner} " if owner else ""
        return f"COPY {flag}--from={builder} {self.source} {self.dest}\n"


def venv_created(install: Install, state: BuildState) -> str:
    """The folder a ``python -m venv``/``uv venv``/``virtualenv`` creates."""
    paths = positionals(install.args, VENV_VALUE_OPTIONS)
    path = state.expand(paths[0], install.env) if paths else ".venv"
    return absolute(path, state.workdir)


def install_target(
    install: Install, state: BuildState, venvs: set[str], ins: Instruction, run: RunInstruction
) -> tuple[Target, list[str]]:
    """Where an install puts its packages, and the arguments the builder adds to it.

    Args:
        install: A uv, pip, Poetry or Pipenv install (not ``pip wheel``).
        state: The build state before its ``RUN``.
        venvs: The virtualenvs the stage created so far.
        ins: Its ``RUN``.
        run: The ``RUN``, parsed.

    Raises:
        CannotTransform: The install writes somewhere a builder can't hand over: the system
            Python through Poetry or Pipenv, a hashed virtualenv, a folder named by a variable
            the workbench can't tell, ``--root /``.
    """
    chown = None if state.is_root() else state.user
    for option in ("--target", "-t", "--prefix", "--root"):
        value = option_value(install.args, option)
        if value and not (install.tool == "uv" and option in {"-t", "--root"}):
            path = _known_folder(install, state, ins, option, value)
            return Target(path, path, chown), []
    if install.tool in {"poetry", "pipenv"}:
        return _manager_target(install, state, ins, run, chown), []
    env = install_env(install, state)
    if install.action == "uv sync":
        venv = _uv_project_env(install, state, env)
        return Target(venv, venv, chown, venv=True), []
    if install.tool == "uv":
        if has_option(install.args, "--system") or truthy(env.get("UV_SYSTEM_PYTHON")):
            return Target(SYSTEM_PREFIX, "/usr/local"), [f"--prefix={SYSTEM_PREFIX}"]
        venv = _uv_pip_venv(install, state, env)
        return Target(venv, venv, chown, venv=True), []
    return _pip_target(install, state, venvs, chown)


def _known_folder(
    install: Install, state: BuildState, ins: Instruction, option: str, value: str
) -> str:
    path = absolute(state.expand(value, install.env), state.workdir)
    if "$" in path:
        raise CannotTransform(
            f"line {ins.lineno}: {install.action} {option} {value}: can't tell which folder"
            " that is; give it a literal path or an ENV"
        )
    if option == "--root" and path == "/":
        raise CannotTransform(
            f"line {ins.lineno}: {install.action} --root / writes into the system Python;"
            " drop --root so a builder can redirect it"
        )
    return path


def _manager_target(
    install: Install, state: BuildState, ins: Instruction, run: RunInstruction, chown: str | None
) -> Target:
    if install.tool == "poetry":
        kind, where = poetry_venv(install, state, run)
        fix = "POETRY_VIRTUALENVS_IN_PROJECT=1"
    else:
        kind, where = pipenv_venv(install, state)
        fix = "PIPENV_VENV_IN_PROJECT=1"
    if kind in {"project", "active"}:
        return Target(where, where, chown, venv=True)
    if kind == "system":
        raise CannotTransform(
            f"line {ins.lineno}: {install.action} into the system Python can't move to a"
            f" builder; let it make the virtualenv in the project ({fix})"
        )
    raise CannotTransform(
        f"line {ins.lineno}: {install.action} makes its virtualenv under {where} with a hashed"
        f" name; set {fix} so a builder can copy it"
    )


def poetry_in_project(
    install: Install,
    state: BuildState,
    run: RunInstruction,
    steps: Sequence[tuple[int, Instruction, BuildState]],
) -> tuple[Target, dict[int, list[Edit]]] | None:
    """The in-project virtualenv a builder makes instead of a poetry install into the system.

    The ``poetry config virtualenvs.create false`` that asked for the system Python (in the
    install's ``RUN`` or an earlier one) becomes ``poetry config virtualenvs.in-project
    true``; a ``POETRY_VIRTUALENVS_CREATE`` variable is overridden on the command itself.

    Args:
        install: A ``poetry install`` that :func:`~workbench.variants.installs.poetry_venv`
            says goes into the system Python.
        state: The build state before its ``RUN``.
        run: Its ``RUN``.
        steps: The stage's instructions with their states, up to and including that ``RUN``.

    Returns:
        The virtualenv and, per ``RUN`` index, the edits of its text; None when the command
        can't be edited (an exec form).
    """
    if install.command is None:
        return None
    directory = option_value(install.args, "-C", "--directory", "-P", "--project") or "."
    venv = posixpath.join(absolute(state.expand(directory, install.env), state.workdir), ".venv")
    target = Target(venv, venv, None if state.is_root() else state.user, venv=True)
    if "POETRY_VIRTUALENVS_CREATE" not in install_env(install, state):
        for index, ins, _ in reversed(steps):
            edit = _config_edit(parse_run(ins), install if ins is run.instruction else None)
            if edit is not None:
                return target, {index: [edit]}
    words = install.command.words
    start = words[program_index([w.value for w in words])].start
    prefix = "POETRY_VIRTUALENVS_CREATE=true POETRY_VIRTUALENVS_IN_PROJECT=true "
    index = next(i for i, ins, _ in steps if ins is run.instruction)
    return target, {index: [(start, start, prefix)]}


def _config_edit(run: RunInstruction, install: Install | None) -> Edit | None:
    """The edit of the last ``poetry config virtualenvs.create false`` of a RUN (before the
    install, in the install's own RUN)."""
    commands = run.commands()
    if install is not None and install.command in commands:
        commands = commands[: commands.index(install.command)]
    for command in reversed(commands):
        values = [w.value for w in command.words]
        if "virtualenvs.create" not in values or "config" not in values:
            continue
        at = values.index("virtualenvs.create")
        if at + 1 < len(values) and falsy(values[at + 1]):
            words = command.words
            return words[at].start, words[at + 1].end, "virtualenvs.in-project true"
    return None


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
    install: Install, state: BuildState, venvs: set[str], chown: str | None
) -> tuple[Target, list[str]]:
    if has_option(install.args, "--user"):
        local = posixpath.join(state.home(), ".local")
        return Target("/root/.local", local, chown), []
    venv = _pip_venv(install, state, venvs)
    if venv:
        return Target(venv, venv, chown, venv=True), []
    return Target(f"{SYSTEM_PREFIX}/", "/"), [f"--root={SYSTEM_PREFIX}"]


def _pip_venv(install: Install, state: BuildState, venvs: set[str]) -> str | None:
    env = install_env(install, state)
    program = state.expand(install.program, install.env)
    if "/" in program:
        bindir = posixpath.dirname(absolute(program, state.workdir))
        prefix = bindir[: -len("/bin")] if bindir.endswith("/bin") else ""
        return prefix if prefix and prefix not in SYSTEM_DIRS else None
    for part in env.get("PATH", "").split(":"):
        prefix = part[: -len("/bin")] if part.endswith("/bin") else ""
        if prefix and (prefix in venvs or prefix == env.get("VIRTUAL_ENV")):
            return prefix
        if part in {"/usr/local/bin", "/usr/bin", "/bin", "$PATH", "${PATH}"}:
            break
    virtual_env = env.get("VIRTUAL_ENV")
    return absolute(virtual_env, state.workdir) if virtual_env else None


def managed_python(state: BuildState) -> Target:
    """Where uv keeps the Pythons it downloads (``UV_PYTHON_INSTALL_DIR``, else
    ``$XDG_DATA_HOME/uv/python`` or ``~/.local/share/uv/python``): a virtualenv made with one
    needs it in the runtime."""
    folder = state.env.get("UV_PYTHON_INSTALL_DIR")
    if not folder:
        data = state.env.get("XDG_DATA_HOME") or posixpath.join(state.home(), ".local/share")
        folder = posixpath.join(data, "uv/python")
    path = absolute(state.expand(folder), state.workdir)
    return Target(path, path)


def wheel_dirs(install: Install, state: BuildState) -> set[str]:
    """The folders of wheels an install reads or writes, which the runtime does not need.

    ``pip wheel -w DIR``, ``--find-links DIR`` and wheel files given by path
    (``pip install /wheels/*``).
    """
    found = set()
    for option in ("-w", "--wheel-dir", "-f", "--find-links"):
        value = option_value(install.args, option)
        if value and "://" not in value:
            found.add(absolute(state.expand(value, install.env), state.workdir))
    for word in positionals(install.args, _PIP_VALUE_OPTIONS):
        if word.endswith(".whl") or "*" in word:
            folder = posixpath.dirname(state.expand(word, install.env))
            if folder and "*" not in folder:
                found.add(absolute(folder, state.workdir))
    return found - SYSTEM_DIRS
