"""Installs from an earlier stage's wheels: bind-mounted, so that no wheel lands in a layer.

A final stage that copies a builder's wheels (``COPY --from=builder /wheels /wheels``) and
installs them (``pip install /wheels/*``) keeps the wheels in a layer of the image. With
BuildKit the install reads them from a bind mount instead
(``RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels pip install ...``): the
``COPY`` goes, and nothing else changes. The classic builder cannot bind-mount; for it the
multi-stage transform installs the wheels in an install stage of their own, whose installed tree
the final stage copies (``buildkit=False``), and :func:`copy_then_delete` turns the bind mounts
of a Dockerfile it cannot derive again into a copy removed by the install's own ``RUN``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workbench.variants.build_state import BuildState
from workbench.variants.dockerfile import parse_copy
from workbench.variants.installs import absolute, append_command, removes_path
from workbench.variants.instructions import Dockerfile, Instruction, parse, split_lines
from workbench.variants.shell import Command, RunInstruction, apply_edits, parse_run

MARK = "# The {stage} stage's wheels, from a bind mount: no wheel lands in a layer (workbench)\n"
_MARK = re.compile(r"^# The (?P<stage>\S+) stage's wheels, from a bind mount: .*\(workbench\)$")
_BIND = re.compile(r"--mount=type=bind,from=(?P<stage>[^,\s]+),source=(?P<source>[^,\s]+),"
                   r"target=(?P<target>[^,\s]+)[ \t]+")  # fmt: skip


@dataclass(frozen=True)
class WheelCopy:
    """A ``COPY --from`` of an earlier stage's wheels into a wheel folder an install reads.

    Attributes:
        index: The ``COPY``'s index in the Dockerfile.
        stage: The stage it copies from.
        source: The folder in that stage.
        target: Where the install reads it.
    """

    index: int
    stage: str
    source: str
    target: str


def wheel_copies(
    df: Dockerfile,
    steps: list[tuple[int, Instruction, BuildState]],
    wheels: set[str],
) -> list[WheelCopy]:
    """The ``COPY --from=<stage>`` lines of a stage that bring in the wheels its installs read.

    Args:
        df: The Dockerfile.
        steps: The stage's instructions with their build states.
        wheels: The wheel folders its installs read
            (:func:`~workbench.variants.targets.wheel_dirs`).

    Returns:
        One per such ``COPY`` of a single folder from a stage of the same Dockerfile.
    """
    stages = {
        words[-1].lower()
        for ins in df.instructions
        if ins.keyword == "FROM" and len(words := ins.value.split()) >= 3
    }
    found = []
    for i, ins, state in steps:
        if ins.keyword != "COPY":
            continue
        spec = parse_copy(ins)
        stage = spec.flags.get("from", "")
        if stage.lower() not in stages or len(spec.sources) != 1 or set(spec.flags) - {"from"}:
            continue
        target = absolute(state.expand(spec.dest), state.workdir)
        if target in wheels and "$" not in target + spec.sources[0]:
            source = absolute(spec.sources[0], "/")
            found.append(WheelCopy(i, stage, source, target))
    return found


def bind_wheels(
    df: Dockerfile,
    steps: list[tuple[int, Instruction, BuildState]],
    copies: list[WheelCopy],
    install_runs: list[int],
) -> tuple[str, list[str]]:
    """The stage's installs reading the wheels from bind mounts instead of copies.

    Args:
        df: The Dockerfile.
        steps: The stage's instructions with their build states.
        copies: The wheel copies to replace (:func:`wheel_copies`).
        install_runs: Indexes of the ``RUN`` lines whose installs read the wheels.

    Returns:
        The Dockerfile's text, and one note per install.
    """
    states = {i: state for i, _, state in steps}
    replacements = {c.index: "" for c in copies}
    before: dict[int, str] = {}
    notes = []
    for i in install_runs:
        ins = df.instructions[i]
        run = parse_run(ins)
        mounts = "".join(
            f"--mount=type=bind,from={c.stage},source={c.source},target={c.target} " for c in copies
        )
        edits = [(run.body_start, run.body_start, mounts)]
        gone = [
            c for c in run.commands() if any(removes_path(c, w.target, states[i]) for w in copies)
        ]
        edits += _without(run, gone)
        replacements[i] = apply_edits(ins.text, edits)
        before[i] = "".join(MARK.format(stage=s) for s in dict.fromkeys(c.stage for c in copies))
        stages = ", ".join(dict.fromkeys(c.stage for c in copies))
        notes.append(
            f"line {ins.lineno} installs the {stages} stage's wheels from a bind mount, so no"
            " wheel lands in a layer (no install stage needed)"
        )
    return df.render(replacements, before), notes


def _without(run: RunInstruction, gone: list[Command]) -> list[tuple[int, int, str]]:
    """Edits that drop commands (``rm -rf /wheels``: the mount is read-only) from a RUN."""
    commands = run.commands()
    edits = []
    for command in gone:
        at = commands.index(command)
        if at > 0:
            edits.append((commands[at - 1].words[-1].end, command.words[-1].end, ""))
        elif at + 1 < len(commands):
            edits.append((command.start, commands[at + 1].start, ""))
    return edits


def copy_then_delete(text: str) -> str:
    """The classic builder's form of the workbench's wheel bind mounts.

    Each ``RUN`` under :data:`MARK` gets its wheels by a ``COPY --from`` just above it and
    removes them when its installs are done (the classic builder cannot bind-mount; the wheels
    then stay in the copy's layer, hidden).

    Args:
        text: A Dockerfile.

    Returns:
        The text with every marked bind mount replaced; any other text as it was.
    """
    lines = split_lines(text)
    if not any(_MARK.match(line.rstrip("\n")) for line in lines):
        return text
    df = parse(text)
    replacements = {}
    for i, ins in enumerate(df.instructions):
        marked = [_MARK.match(line) for line in ins.preamble.splitlines()]
        if ins.keyword != "RUN" or not any(marked):
            continue
        binds = list(_BIND.finditer(ins.text))
        if not binds:
            continue
        copies = "".join(f"COPY --from={b['stage']} {b['source']} {b['target']}\n" for b in binds)
        body = _BIND.sub("", ins.text)
        targets = " ".join(b["target"] for b in binds)
        replacements[i] = copies + _rm_after(ins, body, targets)
    return df.render(replacements).replace(
        "from a bind mount: no wheel lands in a layer (workbench)",
        "copied, and removed after the install (workbench; the classic builder can't bind-mount)",
    )


def _rm_after(ins: Instruction, text: str, targets: str) -> str:
    """A RUN's text with ``rm -rf TARGETS`` run after its last command."""
    edited = Instruction(ins.keyword, ins.start, ins.end, text, text, ins.preamble)
    edit = append_command(parse_run(edited), f"rm -rf {targets}")
    return apply_edits(text, [edit]) if edit else text
