"""Dependency installs inside ``RUN`` instructions: finding them, reading them, editing them.

:func:`find_installs` recognises the uv, pip (``install`` and ``wheel``), Poetry, Pipenv, apt and
virtualenv commands of a ``RUN`` (also behind ``sudo``, ``env`` or ``VAR=value`` prefixes); the
helpers below read their options, settings and cache folders and turn a change into an
:data:`Edit` of the instruction's original text.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from workbench.variants.build_state import BuildState, poetry_config
from workbench.variants.shell import Command, RunInstruction, assignments, command_argv

_UV_VALUE_OPTIONS = frozenset(
    {"--directory", "--project", "--cache-dir", "--config-file", "--color", "--python", "-p"}
)
_PIP_VALUE_OPTIONS = frozenset(
    {"--log", "--proxy", "--retries", "--timeout", "--exists-action", "--cache-dir", "--python"}
)
APT_VALUE_OPTIONS = frozenset({"-o", "-c", "-t", "--option", "--config-file", "--target-release"})
"""The options of ``apt-get`` that take a value (the next word)."""
_POETRY_VALUE_OPTIONS = frozenset({"-C", "--directory", "-P", "--project"})
_PIPENV_VALUE_OPTIONS = frozenset({"--python"})
_TRUTHY = frozenset({"1", "true", "yes", "on"})
_FALSY = frozenset({"0", "false", "no", "off"})
MOUNTED = "mounts a cache"
OFF = "runs without a cache"
PIP_NO_CACHE = "--no-cache-dir"
"""pip's flag; pip also takes any unambiguous prefix of it, ``--no-cache`` included."""


@dataclass(frozen=True)
class Install:
    """A package-manager command found in a ``RUN``.

    Attributes:
        tool: ``uv``, ``pip``, ``poetry``, ``pipenv``, ``apt`` or ``venv`` (a virtualenv being
            created).
        action: What it does, for summaries: ``uv sync``, ``pip install``, ``pip wheel``,
            ``poetry install``...
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
        """Whether it installs (or, for ``pip wheel``, builds) Python packages."""
        return self.tool in {"uv", "pip", "poetry", "pipenv"}


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
    found = _uv(words) or _pip(words) or _apt(words) or _poetry(words) or _pipenv(words)
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
        if module in {"poetry", "pipenv"}:
            return _poetry([module, *args]) or _pipenv([module, *args])
        if module != "pip":
            return None
    elif program == "virtualenv":
        return "venv", "virtualenv", list(words[1:])
    else:
        return None
    options, rest = _split_options(args, _PIP_VALUE_OPTIONS)
    if rest[:1] in (["install"], ["wheel"]):
        return "pip", f"pip {rest[0]}", options + rest[1:]
    return None


def _poetry(words: Sequence[str]) -> tuple[str, str, list[str]] | None:
    if posixpath.basename(words[0]) != "poetry":
        return None
    options, rest = _split_options(words[1:], _POETRY_VALUE_OPTIONS)
    if rest[:1] in (["install"], ["sync"]):
        return "poetry", f"poetry {rest[0]}", options + rest[1:]
    return None


def _pipenv(words: Sequence[str]) -> tuple[str, str, list[str]] | None:
    if posixpath.basename(words[0]) != "pipenv":
        return None
    options, rest = _split_options(words[1:], _PIPENV_VALUE_OPTIONS)
    if rest[:1] in (["install"], ["sync"]):
        return "pipenv", f"pipenv {rest[0]}", options + rest[1:]
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
    options, rest = _split_options(words[1:], APT_VALUE_OPTIONS)
    if rest[:1] == ["install"]:
        return "apt", f"{program} install", options + rest[1:]
    return None


# ---------------------------------------------------------------------------------------------
# Reading options and settings of an install


def has_option(args: Sequence[str], *names: str) -> bool:
    """Whether ``args`` has one of the options, alone or as ``--name=value``."""
    return any(a in names or a.split("=", 1)[0] in names for a in args)


def option_value(args: Sequence[str], *names: str) -> str | None:
    """The value of the first of the options in ``args`` (``--name=value`` or ``--name value``)."""
    for i, arg in enumerate(args):
        name, eq, value = arg.partition("=")
        if name in names and eq:
            return value
        if arg in names and i + 1 < len(args):
            return args[i + 1]
    return None


def positionals(args: Sequence[str], with_values: frozenset[str]) -> list[str]:
    """The words of ``args`` that are not options, skipping the values of ``with_values``."""
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg.startswith("-"):
            skip = arg in with_values
        else:
            out.append(arg)
    return out


def is_lists_rm(command: Command) -> bool:
    """Whether a command removes apt's package lists (``rm -rf /var/lib/apt/lists/*``)."""
    argv = command_argv(command.argv)
    return (
        bool(argv)
        and posixpath.basename(argv[0]) == "rm"
        and any(a.startswith("/var/lib/apt/lists") for a in argv[1:])
    )


def install_env(install: Install, state: BuildState) -> dict[str, str]:
    """The variables an install sees: the stage's, then its own ``VAR=value`` prefixes."""
    return {**state.env, **install.env}


def truthy(value: str | None) -> bool:
    """Whether a variable's value means yes (``1``, ``true``, ``yes``, ``on``)."""
    return (value or "").strip().lower() in _TRUTHY


def falsy(value: str | None) -> bool:
    """Whether a variable's value means no (``0``, ``false``, ``no``, ``off``)."""
    return (value or "").strip().lower() in _FALSY


def pip_no_cache_flags(args: Sequence[str]) -> list[str]:
    """The words of a pip command that turn its cache off: ``--no-cache-dir`` or a prefix pip
    accepts for it (``--no-cache``)."""
    return [a for a in args if len(a) >= len("--no-ca") and PIP_NO_CACHE.startswith(a)]


def poetry_setting(name: str, install: Install, state: BuildState, run: RunInstruction) -> str:
    """A Poetry setting (``virtualenvs.in-project``...) as a poetry install sees it.

    Its variable (``POETRY_VIRTUALENVS_IN_PROJECT``) wins, then a ``poetry config`` earlier in
    the same ``RUN``, then one in an earlier ``RUN`` of the stage.

    Returns:
        The value as written, ``""`` when nothing sets it.
    """
    variable = "POETRY_" + re.sub(r"[.-]", "_", name).upper()
    env = install_env(install, state)
    if variable in env:
        return state.expand(env[variable], install.env)
    commands = run.commands()
    if install.command is not None and install.command in commands:
        commands = commands[: commands.index(install.command)]
    return poetry_config(commands, state.poetry_config).get(name, "")


def poetry_venv(install: Install, state: BuildState, run: RunInstruction) -> tuple[str, str]:
    """Where ``poetry install`` puts the packages.

    Returns:
        ``("project", path)`` for the in-project ``.venv``; ``("active", path)`` for the
        virtualenv it was started in (``virtualenvs.create false`` with ``VIRTUAL_ENV``);
        ``("system", "")`` for the system Python; ``("hashed", folder)`` for a virtualenv
        with a hashed name under ``virtualenvs.path``.
    """
    env = install_env(install, state)
    if falsy(poetry_setting("virtualenvs.create", install, state, run)):
        if env.get("VIRTUAL_ENV"):
            return "active", absolute(state.expand(env["VIRTUAL_ENV"], install.env), state.workdir)
        return "system", ""
    if truthy(poetry_setting("virtualenvs.in-project", install, state, run)):
        directory = option_value(install.args, "-C", "--directory", "-P", "--project") or "."
        project = absolute(state.expand(directory, install.env), state.workdir)
        return "project", posixpath.join(project, ".venv")
    path = poetry_setting("virtualenvs.path", install, state, run)
    cache = poetry_cache_dir(install, state)
    path = path.replace("{cache-dir}", cache) if path else posixpath.join(cache, "virtualenvs")
    return "hashed", absolute(path, state.workdir)


def pipenv_venv(install: Install, state: BuildState) -> tuple[str, str]:
    """Where ``pipenv install`` puts the packages: ``("project", path)``, ``("system", "")`` or
    ``("hashed", folder)`` (a virtualenv with a hashed name under ``WORKON_HOME``)."""
    env = install_env(install, state)
    if has_option(install.args, "--system") or truthy(env.get("PIPENV_SYSTEM")):
        return "system", ""
    if truthy(env.get("PIPENV_VENV_IN_PROJECT")):
        return "project", posixpath.join(state.workdir, ".venv")
    home = env.get("WORKON_HOME") or posixpath.join(state.home(), ".local/share/virtualenvs")
    return "hashed", absolute(state.expand(home, install.env), state.workdir)


# ---------------------------------------------------------------------------------------------
# Where an install keeps its cache


def _tool_cache_dir(install: Install, state: BuildState, variable: str, folder: str) -> str:
    """Where a tool caches: ``--cache-dir``, its variable, else ``XDG_CACHE_HOME``/``~/.cache``."""
    env = install_env(install, state)
    value = option_value(install.args, "--cache-dir") or env.get(variable)
    if value:
        return absolute(state.expand(value, install.env), state.workdir)
    if env.get("XDG_CACHE_HOME"):
        return posixpath.join(state.expand(env["XDG_CACHE_HOME"]), folder)
    return posixpath.join(state.cache_home(), folder)


def uv_cache_dir(install: Install, state: BuildState) -> str:
    """Where a uv install caches."""
    return _tool_cache_dir(install, state, "UV_CACHE_DIR", "uv")


def pip_cache_dir(install: Install, state: BuildState) -> str:
    """Where a pip install caches."""
    return _tool_cache_dir(install, state, "PIP_CACHE_DIR", "pip")


def poetry_cache_dir(install: Install, state: BuildState) -> str:
    """Where Poetry caches (``POETRY_CACHE_DIR``, else ``XDG_CACHE_HOME``/``~/.cache``)."""
    return _tool_cache_dir(install, state, "POETRY_CACHE_DIR", "pypoetry")


def poetry_cache_targets(install: Install, state: BuildState, run: RunInstruction) -> list[str]:
    """What of Poetry's cache folder can go: all of it, or only ``cache`` and ``artifacts``
    when the virtualenvs live in it too."""
    cache = poetry_cache_dir(install, state)
    kind, where = poetry_venv(install, state, run)
    if kind == "hashed" and (where == cache or where.startswith(cache + "/")):
        return [posixpath.join(cache, "cache"), posixpath.join(cache, "artifacts")]
    return [cache]


def removes_path(command: Command, path: str, state: BuildState) -> bool:
    """Whether a command is an ``rm`` of ``path`` (or of a folder above it)."""
    argv = command_argv(command.argv)
    if not argv or posixpath.basename(argv[0]) != "rm":
        return False
    for arg in argv[1:]:
        if arg.startswith("-"):
            continue
        arg = state.home() + arg[1:] if arg == "~" or arg.startswith("~/") else arg
        removed = absolute(state.expand(arg.rstrip("*")), state.workdir)
        if removed != "/" and (path == removed or path.startswith(removed + "/")):
            return True
    return False


def absolute(path: str, workdir: str) -> str:
    """``path`` made absolute against ``workdir``, normalised, without a trailing slash."""
    return posixpath.normpath(posixpath.join(workdir, path)).rstrip("/") or "/"


def cache_kept_out(run: RunInstruction, install: Install, state: BuildState) -> str | None:
    """How an install keeps its cache out of the image.

    Returns:
        :data:`MOUNTED` (a cache mount on its cache folder), :data:`OFF` (a flag, a variable,
        a removal in the same ``RUN``), or None: it leaves a cache behind, or has none.
    """
    cached = run.cache_targets()
    if install.tool == "apt":
        if cached & {"/var/lib/apt", "/var/lib/apt/lists"}:
            return MOUNTED
        return OFF if any(is_lists_rm(c) for c in run.commands()) else None
    if install.tool == "uv":
        mounted = uv_cache_dir(install, state) in cached
        env = install_env(install, state)
        off = has_option(install.args, "--no-cache", "-n") or truthy(env.get("UV_NO_CACHE"))
    elif install.tool == "pip":
        mounted = pip_cache_dir(install, state) in cached
        env = install_env(install, state)
        off = bool(pip_no_cache_flags(install.args)) or "PIP_NO_CACHE_DIR" in env
    elif install.tool == "poetry":
        targets = poetry_cache_targets(install, state, run)
        mounted = poetry_cache_dir(install, state) in cached or set(targets) <= cached
        off = all(any(removes_path(c, t, state) for c in run.commands()) for t in targets)
    else:
        return None
    return MOUNTED if mounted else OFF if off else None


# ---------------------------------------------------------------------------------------------
# Editing commands inside an instruction's text


Edit = tuple[int, int, str]
"""A span of an instruction's text and its replacement, for :func:`apply_edits`."""


def append_args(run: RunInstruction, install: Install, extra: Sequence[str]) -> Edit:
    """An edit that adds arguments at the end of a command (before any redirection)."""
    if install.command is None:
        argv = list(run.exec_form or ()) + list(extra)
        return run.tokens[0].start, run.tokens[-1].end, json.dumps(argv)
    end = install.command.end
    return end, end, "".join(f" {a}" for a in extra)


def remove_args(run: RunInstruction, install: Install, names: set[str]) -> list[Edit]:
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


def remove_command(run: RunInstruction, command: Command) -> Edit | None:
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


def append_command(run: RunInstruction, command: str) -> Edit | None:
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
