"""The runtime's apt lines in a multi-stage build: build-only packages stay in the builder.

In the stage being split, each ``apt-get install`` before the last dependency install goes to
the builder as written. The runtime's copy of it keeps only the packages that are not
build-only (:func:`~workbench.variants.build_only.is_build_only`), and those the runtime still
runs (``make`` in a later ``RUN``, a compiler in the ``CMD``); a ``RUN`` left with nothing but
apt's housekeeping (``apt-get update``, removing the lists) is dropped. What the runtime needs
instead, the libraries the builder's extensions load, is read from the built builder
(:mod:`~workbench.variants.libraries`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from workbench.variants.build_only import is_build_only, package_name, run_by
from workbench.variants.build_state import BuildState
from workbench.variants.installs import APT_VALUE_OPTIONS, Edit, Install, find_installs
from workbench.variants.instructions import Instruction
from workbench.variants.shell import (
    Command,
    RunInstruction,
    Word,
    apply_edits,
    command_argv,
    parse_run,
)

_RUNS = frozenset({"RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK"})
_HOUSEKEEPING = frozenset({"update", "clean", "autoclean", "autoremove"})


@dataclass
class AptSplit:
    """The runtime's apt lines with the build-only packages left in the builder.

    Attributes:
        texts: ``RUN`` index -> its text in the runtime; None when the runtime drops it.
        left: ``RUN`` index -> the build-only packages it leaves in the builder.
        kept: One note per build-only package the runtime keeps because it runs it.
        carried: The other packages of ``RUN`` lines only the builder runs (an apt line and
            the dependencies' install in one ``RUN``): the runtime installs them too.
        recommends: Whether such a ``RUN`` installed them with their recommended packages.
    """

    texts: dict[int, str | None] = field(default_factory=dict)
    left: dict[int, tuple[str, ...]] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)
    carried: list[str] = field(default_factory=list)
    recommends: bool = False

    @property
    def block_at(self) -> int | None:
        """The ``RUN`` the library block follows (or takes the place of): the last one that
        leaves packages in the builder."""
        return max(self.left) if self.left else None

    def packages(self) -> list[str]:
        """Every package left in the builder, in order, once."""
        return list(dict.fromkeys(p for found in self.left.values() for p in found))


def split_apt(
    steps: Sequence[tuple[int, Instruction, BuildState]],
    last_install: int,
    builder_only: Collection[int],
    texts: Mapping[int, str],
) -> AptSplit:
    """Leave the build-only packages of the apt lines before the installs in the builder.

    Args:
        steps: The stage's instructions after its ``FROM``, with their build states.
        last_install: Index of the last ``RUN`` with a dependency install.
        builder_only: Indexes of the instructions only the builder runs (the installs).
        texts: Index -> the runtime's text of an instruction, where it was rewritten.

    Returns:
        The runtime's apt lines and what they leave in the builder.
    """
    found = AptSplit()
    runtime = [(i, ins) for i, ins, _ in steps if i not in builder_only and ins.keyword in _RUNS]
    apt = {}
    for i, ins, _ in steps:
        if ins.keyword == "RUN" and i <= last_install:
            run = parse_run(ins)
            installs = [x for x in find_installs(run) if x.tool == "apt" and x.command is not None]
            if installs:
                apt[i] = (run, installs)
    named = {
        package_name(w.value)
        for _, installs in apt.values()
        for x in installs
        for w in _package_words(x.command)
    }
    for i, (run, installs) in apt.items():
        ins = run.instruction
        others = _commands([(j, texts.get(j, other.text), other) for j, other in runtime if j != i])
        others += [" ".join(c.argv) for c in run.commands() if not _is_apt(c)]
        left, edits = _leave(run, installs, (others, named), found.kept, ins.lineno)
        if not left:
            continue
        found.left[i] = left
        if i in builder_only:
            every = [package_name(w.value) for x in installs for w in _package_words(x.command)]
            carried = [p for p in every if p not in left and p not in found.carried]
            found.carried += carried
            found.recommends |= bool(carried) and any(
                "--no-install-recommends" not in x.args for x in installs
            )
            continue
        text = apply_edits(ins.text, edits)
        found.texts[i] = text if _still_runs(text, ins) else None
    return found


def _commands(steps: Sequence[tuple[int, str, Instruction]]) -> list[str]:
    """What the runtime's instructions run, apt and dpkg commands left out."""
    found = []
    for _, text, ins in steps:
        if ins.keyword != "RUN":
            found.append(text)
            continue
        run = parse_run(Instruction(ins.keyword, ins.start, ins.end, text, text, ins.preamble))
        if run.exec_form is not None:
            found.append(" ".join(run.exec_form))
        found += [" ".join(c.argv) for c in run.commands() if not _is_apt(c)]
    return found


def _is_apt(command: Command) -> bool:
    argv = command_argv(command.argv)
    return bool(argv) and posixpath.basename(argv[0]) in {"apt-get", "apt", "dpkg", "apt-mark"}


def _leave(
    run: RunInstruction,
    installs: Sequence[Install],
    uses: tuple[Sequence[str], Collection[str]],
    kept: list[str],
    lineno: int,
) -> tuple[tuple[str, ...], list[Edit]]:
    """The packages a RUN leaves in the builder, and the edits of its runtime text.

    Args:
        run: The RUN.
        installs: Its ``apt-get install`` commands.
        uses: What the runtime runs, and every package the stage's apt lines name.
        kept: Where to note the build-only packages the runtime keeps.
        lineno: The RUN's line.
    """
    others, named = uses
    left: list[str] = []
    gone: list[Command] = []
    edits: list[Edit] = []
    for install in installs:
        assert install.command is not None
        words = _package_words(install.command)
        removed = []
        for word in words:
            if not is_build_only(word.value):
                continue
            runs = run_by(word.value, others)
            name = package_name(word.value)
            own = runs in {name, re.sub(r"-\d+(\.\d+)*$", "", name)}
            if runs and (own or runs not in named):  # not when a package of its own has it
                kept.append(f"{name} stays in the runtime (the runtime runs {runs}, line {lineno})")
            else:
                removed.append(word)
        left += [package_name(w.value) for w in removed]
        if removed and len(removed) == len(words):
            gone.append(install.command)
        elif removed:
            edits += _remove_words(install.command, removed)
    if gone and len(gone) == len(installs):
        gone += [c for c in run.commands() if _housekeeping(c) and c not in gone]
    edits += _remove_commands(run, gone)
    return tuple(dict.fromkeys(left)), edits


def _package_words(command: Command) -> list[Word]:
    """The package arguments of an ``apt-get install`` (options and their values skipped)."""
    words = list(command.words)
    argv = [w.value for w in words]
    at = next(i for i, a in enumerate(argv) if a == "install") + 1
    out, skip = [], False
    for word in words[at:]:
        if skip:
            skip = False
        elif word.value.startswith("-"):
            skip = word.value in APT_VALUE_OPTIONS
        elif not re.match(r"\d*[<>]", word.text):
            out.append(word)
        else:
            break
    return out


def _remove_words(command: Command, removed: Sequence[Word]) -> list[Edit]:
    """Edits that remove some words of a command, each with the space before it."""
    words = list(command.words)
    return [(words[words.index(w) - 1].end, w.end, "") for w in removed]


def _remove_commands(run: RunInstruction, gone: Sequence[Command]) -> list[Edit]:
    """Edits that remove whole commands with the operators that join them to the others."""
    if not gone:
        return []
    commands = run.commands()
    keep = [c not in gone for c in commands]
    edits: list[Edit] = []
    i = 0
    while i < len(commands):
        if keep[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(commands) and not keep[j + 1]:
            j += 1
        if i > 0:
            edits.append((commands[i - 1].words[-1].end, commands[j].words[-1].end, ""))
        elif j + 1 < len(commands):
            edits.append((commands[i].start, commands[j + 1].start, ""))
        else:
            edits.append((commands[i].start, commands[j].words[-1].end, ""))
        i = j + 1
    return edits


def _housekeeping(command: Command) -> bool:
    """Whether a command only tends apt: ``apt-get update``/``clean``, removing its lists."""
    argv = command_argv(command.argv)
    if not argv:
        return False
    program = posixpath.basename(argv[0])
    if program in {"apt-get", "apt"}:
        return bool(set(argv[1:]) & _HOUSEKEEPING) and "install" not in argv
    if program == "rm":
        paths = [a for a in argv[1:] if not a.startswith("-")]
        return bool(paths) and all(p.startswith(("/var/lib/apt", "/var/cache/apt")) for p in paths)
    return False


def _still_runs(text: str, ins: Instruction) -> bool:
    """Whether an edited RUN still runs a command (not only apt's housekeeping)."""
    edited = Instruction(ins.keyword, ins.start, ins.end, text, text, ins.preamble)
    commands = parse_run(edited).commands()
    return any(not _housekeeping(c) for c in commands)
