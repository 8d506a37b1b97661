"""The copy-chown fix: ``COPY --chown``/``--chmod`` instead of a later ``RUN chown -R``/``chmod``.

A ``RUN chown -R app:app /app`` after ``COPY . /app`` writes every copied file again in
a layer of its own; ``COPY --chown=app:app . /app`` copies them with their owner at
once.  A ``RUN`` made only of ``chown``/``chmod`` commands whose targets a ``COPY``/``ADD``
of the same stage wrote is rewritten: the owner and mode move onto that copy, a
command on a copied file goes, and one on a folder stays without ``-R`` (so the folder
itself keeps its owner and mode: a layer of no bytes).  A symbolic mode (``+x``) is
worked out from the project file's mode.  ``--chmod`` needs BuildKit.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import CannotTransform
from workbench.variants.build_state import BuildState, walk
from workbench.variants.dockerfile import CopySpec, parse_copy
from workbench.variants.instructions import Dockerfile, Instruction, parse
from workbench.variants.model import Transformed
from workbench.variants.shell import Command, command_argv, parse_run

_RECURSIVE = {"-R", "--recursive"}
_SYMBOLIC = re.compile(r"^([ugoa]*)([-+=])([rwxX]*)$")
_BITS = {"r": 0o444, "w": 0o222, "x": 0o111, "X": 0o111}
_WHO = {"u": 0o700, "g": 0o070, "o": 0o007, "a": 0o777, "": 0o777}


@dataclass(frozen=True)
class _Copy:
    """A COPY/ADD of the stage: where it writes, and whether that is one file."""

    index: int
    instruction: Instruction
    spec: CopySpec
    dest: str
    single_file: Path | None


@dataclass(frozen=True)
class _Change:
    """One chown/chmod command: the flag it becomes and what stays of it."""

    flag: str
    value: str
    targets: tuple[str, ...]
    recursive: bool
    command: Command


def symbolic_mode(mode: int, change: str) -> int | None:
    """A file's mode after ``chmod CHANGE`` (``+x``, ``u+x,g-w``), ``None`` if not simple."""
    for part in change.split(","):
        match = _SYMBOLIC.match(part)
        if match is None:
            return None
        who, op, perms = match.groups()
        bits = sum(_BITS[p] for p in set(perms)) & _WHO[who]
        if op == "+":
            mode |= bits
        elif op == "-":
            mode &= ~bits
        else:
            mode = (mode & ~_WHO[who]) | bits
    return mode


def _copies(df: Dockerfile, stage: list[int], project_dir: Path | None) -> list[_Copy]:
    found = []
    states = {i: state for i, _, state in walk(df)}
    for index in stage:
        ins = df.instructions[index]
        if ins.keyword not in ("COPY", "ADD"):
            continue
        spec = parse_copy(ins)
        state = states[index]
        dest = posixpath.normpath(posixpath.join(state.workdir, state.expand(spec.dest)))
        single = None
        if (
            project_dir is not None
            and "from" not in spec.flags
            and len(spec.sources) == 1
            and not spec.dest.endswith("/")
        ):
            candidate = project_dir / spec.sources[0]
            single = candidate if candidate.is_file() else None
        found.append(_Copy(index, ins, spec, dest, single))
    return found


def _changes(ins: Instruction, state: BuildState) -> list[_Change] | None:
    """The RUN's chown/chmod commands, or ``None`` when it does anything else."""
    run = parse_run(ins)
    if run.exec_form is not None:
        return None
    changes = []
    for command in run.commands():
        argv = command_argv(command.argv)
        program = posixpath.basename(argv[0]) if argv else ""
        if program not in ("chown", "chmod"):
            return None
        options = [a for a in argv[1:] if a.startswith("-")]
        if set(options) - _RECURSIVE:
            return None
        words = [a for a in argv[1:] if not a.startswith("-")]
        if len(words) < 2:
            return None
        targets = tuple(
            posixpath.normpath(posixpath.join(state.workdir, state.expand(t))) for t in words[1:]
        )
        changes.append(_Change(program, words[0], targets, bool(options), command))
    return changes or None


def _copy_for(target: str, copies: list[_Copy], before: int) -> _Copy | None:
    """The newest copy before an instruction that writes exactly at ``target``."""
    for copy in reversed(copies):
        if copy.index < before and copy.dest == target:
            return copy
    return None


def _flag_value(change: _Change, copy: _Copy) -> str | None:
    if change.flag == "chown" or re.fullmatch(r"0?[0-7]{3,4}", change.value):
        return change.value
    if copy.single_file is None or change.recursive:
        return None
    mode = symbolic_mode(stat.S_IMODE(os.stat(copy.single_file).st_mode), change.value)
    return None if mode is None else f"{mode:o}"


def _with_flag(text: str, flag: str, value: str) -> str:
    """A COPY/ADD's text with ``--flag=value`` set (replacing a value it had)."""
    existing = re.compile(rf"(\s)--{flag}=\S+")
    if existing.search(text):
        return existing.sub(rf"\g<1>--{flag}={value}", text, count=1)
    keyword = re.match(r"\s*[A-Za-z]+", text)
    end = keyword.end() if keyword else 0
    return f"{text[:end]} --{flag}={value}{text[end:]}"


def _rewrite_run(ins: Instruction, changes: list[_Change], dropped: set[int]) -> str:
    """The RUN without the dropped commands, and without ``-R`` on those that stay."""
    kept = []
    for i, change in enumerate(changes):
        if i in dropped:
            continue
        argv = [a for a in command_argv(change.command.argv) if a not in _RECURSIVE]
        kept.append(" ".join(argv))
    if not kept:
        return ""
    return f"RUN {' && '.join(kept)}\n"


def apply_copy_chown(df: Dockerfile, project_dir: Path | None = None) -> Transformed:
    """The copy-chown transform of a parsed Dockerfile, one note per change.

    Args:
        df: the Dockerfile.
        project_dir: the project, for the modes of copied files (``chmod +x``).
    """
    replacements: dict[int, str] = {}
    notes: list[str] = []
    states = {i: state for i, _, state in walk(df)}
    for stage in df.stages():
        copies = _copies(df, stage, project_dir)
        for index in stage:
            ins = df.instructions[index]
            changes = _changes(ins, states[index]) if ins.keyword == "RUN" else None
            if not changes:
                continue
            planned: list[tuple[_Copy, str, str]] = []
            dropped: set[int] = set()
            for i, change in enumerate(changes):
                found = [_copy_for(t, copies, index) for t in change.targets]
                if len(change.targets) != 1 or found[0] is None:
                    break
                value = _flag_value(change, found[0])
                if value is None:
                    break
                planned.append((found[0], change.flag, value))
                if found[0].single_file is not None or not change.recursive:
                    dropped.add(i)
            else:
                for copy, flag, value in planned:
                    text = replacements.get(copy.index, copy.instruction.text)
                    replacements[copy.index] = _with_flag(text, flag, value)
                    notes.append(f"--{flag}={value} on line {copy.instruction.lineno}")
                replacements[index] = _rewrite_run(ins, changes, dropped)
                gone = len(dropped) == len(changes)
                notes.append(f"line {ins.lineno} {'dropped' if gone else 'kept without -R'}")
    return Transformed(df.render(replacements), tuple(notes))


def to_copy_chown(text: str, project_dir: Path | None = None) -> str:
    """Move a later ``RUN chown -R``/``chmod`` onto the ``COPY`` that brought the files.

    Args:
        text: A Dockerfile.
        project_dir: the project, for the modes of copied files.

    Returns:
        The Dockerfile with only the changed instructions rewritten.

    Raises:
        CannotTransform: The Dockerfile cannot be parsed.
    """
    return apply_copy_chown(parse(text), project_dir).text


def unchanged_reason(df: Dockerfile) -> str | None:
    """Why the transform leaves a Dockerfile as it is, ``None`` when it has no chown/chmod."""
    lines = []
    for ins in df.instructions:
        if ins.keyword != "RUN":
            continue
        try:
            commands = parse_run(ins).commands()
        except CannotTransform:
            continue
        names = {posixpath.basename((command_argv(c.argv) or [""])[0]) for c in commands}
        if names & {"chown", "chmod"}:
            lines.append(f"line {ins.lineno}")
    if not lines:
        return None
    return (
        "its chown/chmod (" + ", ".join(lines) + ") does more than change the files one COPY wrote"
    )
