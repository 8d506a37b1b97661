"""``uv run``, ``poetry run`` and ``pipenv run`` in a runtime stage, rewritten to the venv's own
commands, so that the runtime can do without the installer.

``uv run hello`` becomes ``hello``, ``uv run python -m app`` becomes ``python -m app``,
``uv run -m app`` becomes ``python -m app`` (options that only concern syncing, such as
``--no-dev`` or ``--frozen``, go), in ``CMD``, ``ENTRYPOINT``, ``HEALTHCHECK`` and ``RUN``, exec
and shell forms; the virtualenv's ``bin`` must then be on ``PATH``. Where a command can't be
rewritten safely (an option with no equivalent in the venv, ``uv run --with``, a script run by
``uv run`` that may carry its own dependencies, a shell script that calls uv), the installer
stays in the runtime and :attr:`RunnerPlan.stays` says why.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from workbench.variants.build_state import BuildState
from workbench.variants.installers import INSTALLERS, mentions
from workbench.variants.instructions import Instruction
from workbench.variants.shell import Word, apply_edits, exec_argv, parse_run, program_index

RUNTIME_KEYWORDS = frozenset({"RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK"})
# fmt: off
_FLAGS: Mapping[str, frozenset[str]] = {
    "uv": frozenset({
        "--no-dev", "--frozen", "--locked", "--no-sync", "--offline", "-q", "--quiet", "-v",
        "--verbose", "--no-progress", "--native-tls", "--system-certs", "--no-cache", "-n",
        "--compile-bytecode", "--no-editable", "--inexact", "--exact", "--no-python-downloads",
        "--no-env-file",
    }),
    "poetry": frozenset({
        "-q", "--quiet", "-n", "--no-interaction", "--no-ansi", "--ansi", "-v", "-vv", "-vvv",
        "--verbose", "--no-plugins", "--no-cache",
    }),
    "pipenv": frozenset({"-q", "--quiet", "-v", "--verbose"}),
}
"""Per installer, the flags of ``run`` that change nothing once the venv is in place."""
_VALUES: Mapping[str, frozenset[str]] = {
    "uv": frozenset({"--color", "--cache-dir", "--link-mode"}),
    "poetry": frozenset(),
    "pipenv": frozenset(),
}
_UV_MORE = frozenset({"--with", "-w", "--with-editable", "--with-requirements"})
_UV_SELECT = frozenset({
    "--extra", "--all-extras", "--no-extra", "--group", "--no-group", "--only-group",
    "--all-groups", "--dev", "--only-dev", "--no-default-groups", "--package", "--all-packages",
})
# fmt: on


@dataclass
class RunnerPlan:
    """What the runtime's uses of installers become.

    Attributes:
        texts: Instruction index -> its rewritten text.
        notes: One note per rewritten command, for the summary.
        stays: Installer -> why it stays in the runtime (the first reason found).
        path_dirs: Virtualenv ``bin`` folders to put on ``PATH`` (the baseline's ``PATH`` lacks
            them where a rewritten command runs).
    """

    texts: dict[int, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    stays: dict[str, str] = field(default_factory=dict)
    path_dirs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Use:
    """One command that runs an installer: its rewrite, or why there is none."""

    tool: str
    edit: tuple[int, int, str] | None = None
    reason: str | None = None
    was: str = ""
    now: str = ""


def plan_runners(
    steps: Sequence[tuple[int, Instruction, BuildState]],
    venvs: Mapping[str, str],
    ready: int,
) -> RunnerPlan:
    """Rewrite the runtime's ``uv run``/``poetry run``/``pipenv run`` to the venv's commands.

    Args:
        steps: The runtime's instructions that may run commands, with their build states
            (installs and installer set-up steps left out).
        venvs: Installer -> the virtualenv its ``run`` uses (what the builder made).
        ready: The index after which the dependencies are in the runtime.

    Returns:
        The plan; an installer that stays has none of its commands rewritten.
    """
    stays: dict[str, str] = {}
    while True:
        plan = _attempt(steps, venvs, ready, stays)
        if set(plan.stays) == set(stays):
            return plan
        stays = plan.stays


def _attempt(
    steps: Sequence[tuple[int, Instruction, BuildState]],
    venvs: Mapping[str, str],
    ready: int,
    stays: Mapping[str, str],
) -> RunnerPlan:
    plan = RunnerPlan(stays=dict(stays))
    for i, ins, state in steps:
        if ins.keyword not in RUNTIME_KEYWORDS:
            continue
        edits = []
        for use in _uses(ins):
            if use.tool in plan.stays:
                continue
            reason = use.reason or _unready(use.tool, venvs, i, ready)
            if reason:
                plan.stays[use.tool] = f"line {ins.lineno}: {reason}"
                continue
            edits.append(use)
        kept = [u for u in edits if u.tool not in plan.stays]
        text = apply_edits(ins.text, [u.edit for u in kept])
        for tool in INSTALLERS:
            if tool not in plan.stays and mentions(tool, text.split(None, 1)[-1]):
                plan.stays[tool] = (
                    f"line {ins.lineno}: calls {tool} in a way that can't be rewritten"
                )
        kept = [u for u in kept if u.tool not in plan.stays]
        if not kept:
            continue
        plan.texts[i] = apply_edits(ins.text, [u.edit for u in kept])
        for use in kept:
            plan.notes.append(
                f"{ins.keyword} runs {use.now} from the venv (was {use.was}, line {ins.lineno})"
            )
            bindir = posixpath.join(venvs[use.tool], "bin")
            on_path = bindir in state.env.get("PATH", "").split(":")
            if not on_path and bindir not in plan.path_dirs:
                plan.path_dirs.append(bindir)
    return plan


def _unready(tool: str, venvs: Mapping[str, str], index: int, ready: int) -> str | None:
    if tool not in venvs:
        return f"{tool} run has no virtualenv from the builder to run in"
    if index <= ready:
        return f"{tool} run comes before the dependencies are in the runtime"
    return None


def _uses(ins: Instruction) -> list[_Use]:
    """The commands of an instruction that run an installer."""
    run = parse_run(ins)
    tokens = list(run.tokens)
    exec_form = run.exec_form
    if ins.keyword == "HEALTHCHECK":
        if not tokens or tokens[0].value.upper() != "CMD":
            return []
        tokens = tokens[1:]
        first = tokens[0] if tokens else None
        is_exec = first is not None and first.text.startswith("[")
        exec_form = exec_argv(ins.text, first.start, tokens[-1].end) if is_exec else None
    if not tokens:
        return []
    if exec_form is not None:
        use = _exec_use(list(exec_form), tokens[0].start, tokens[-1].end)
        return [use] if use else []
    return [use for words in _commands(tokens) if (use := _shell_use(words))]


def _commands(tokens: Sequence[Word]) -> list[list[Word]]:
    commands: list[list[Word]] = [[]]
    for token in tokens:
        if token.op:
            commands.append([])
        else:
            commands[-1].append(token)
    return [c for c in commands if c]


def _exec_use(argv: list[str], start: int, end: int) -> _Use | None:
    p = program_index(argv)
    tool = _tool(argv[p:])
    if tool is None:
        return None
    if tool == "uvx":
        return _Use("uv", reason="uvx installs the tool it runs when it starts")
    parsed = _parse(tool, argv[p + 1 :])
    if isinstance(parsed, str):
        return _Use(tool, reason=parsed)
    skip, prefix = parsed
    command = argv[p + 1 + skip :]
    new = argv[:p] + prefix + command
    was = " ".join(argv[p : p + 2 + skip])
    return _Use(
        tool, (start, end, json.dumps(new, ensure_ascii=False)), None, was, _now(prefix, command)
    )


def _shell_use(words: Sequence[Word]) -> _Use | None:
    argv = [w.value for w in words]
    p = program_index(argv)
    tool = _tool(argv[p:])
    if tool is None:
        return None
    if tool == "uvx":
        return _Use("uv", reason="uvx installs the tool it runs when it starts")
    parsed = _parse(tool, argv[p + 1 :])
    if isinstance(parsed, str):
        return _Use(tool, reason=parsed)
    skip, prefix = parsed
    first = words[p + 1 + skip]
    insert = " ".join(prefix) + " " if prefix else ""
    was = " ".join(argv[p : p + 2 + skip])
    command = argv[p + 1 + skip :]
    return _Use(tool, (words[p].start, first.start, insert), None, was, _now(prefix, command))


def _now(prefix: Sequence[str], command: Sequence[str]) -> str:
    return " ".join([*prefix, command[0]])


def _tool(argv: Sequence[str]) -> str | None:
    name = posixpath.basename(argv[0]) if argv else ""
    return name if name in INSTALLERS or name == "uvx" else None


def _parse(tool: str, args: Sequence[str]) -> tuple[int, list[str]] | str:
    """How many words of ``args`` (after the installer's name) go, and what replaces them.

    Returns:
        ``(count, prefix)``: the command starts at ``args[count]``, after ``prefix``
        (``["python", "-m"]`` for ``uv run -m``); or, as a string, why it can't be rewritten.
    """
    i, module, seen = 0, False, False
    while i < len(args):
        word = args[i]
        name, eq, _ = word.partition("=")
        if not seen and word == "run":
            seen = True
        elif not word.startswith("-") or word == "-":
            if seen:
                break
            return f"{tool} {word} needs {tool} itself"
        elif seen and word == "--":
            i += 1
            break
        elif seen and tool == "uv" and name in {"-m", "--module"} and not eq:
            module = True
        elif name in _VALUES[tool]:
            i += 0 if eq else 1
        elif name not in _FLAGS[tool] or eq:
            return _option_reason(tool, name) if seen else f"{tool} {name} needs {tool} itself"
        i += 1
    if not seen:
        return f"{tool} without run needs {tool} itself"
    if i >= len(args):
        return f"{tool} run without a command"
    if tool == "uv" and not module and args[i].endswith((".py", ".pyw")):
        return f"uv run {args[i]} may read the script's own dependencies (PEP 723)"
    return i, ["python", "-m"] if module else []


def _option_reason(tool: str, name: str) -> str:
    if tool == "uv" and name in _UV_MORE:
        return f"uv run {name} installs more packages when it starts"
    if tool == "uv" and name in _UV_SELECT:
        return f"uv run {name} picks dependencies the builder's sync may not have installed"
    return f"{tool} run {name} has no equivalent without {tool}"
