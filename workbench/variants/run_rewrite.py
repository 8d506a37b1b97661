"""The loop the transforms that rewrite ``RUN`` instructions share.

A transform says what to change in one ``RUN`` (its edits and notes, given the build
state there); :func:`run_changes` applies that to every ``RUN`` and
:func:`rewrite_runs` renders the new Dockerfile, rewriting only the changed ones.
"""

from __future__ import annotations

from collections.abc import Callable

from workbench.variants.build_state import BuildState, walk
from workbench.variants.installs import Edit
from workbench.variants.instructions import Dockerfile, Instruction
from workbench.variants.model import Transformed
from workbench.variants.shell import RunInstruction, apply_edits, parse_run

RunEdits = Callable[[RunInstruction, Instruction, BuildState], tuple[list[Edit], list[str]]]
"""One ``RUN``'s edits (spans of its text) and its notes, one per change."""


def run_changes(df: Dockerfile, edit_run: RunEdits) -> dict[int, tuple[str, list[str]]]:
    """Per changed ``RUN`` (by index): its new text and its notes."""
    changed: dict[int, tuple[str, list[str]]] = {}
    for index, ins, state in walk(df):
        if ins.keyword != "RUN":
            continue
        edits, notes = edit_run(parse_run(ins), ins, state)
        if edits:
            changed[index] = (apply_edits(ins.text, edits), notes)
    return changed


def rewrite_runs(df: Dockerfile, edit_run: RunEdits) -> Transformed:
    """The Dockerfile with every ``RUN`` that ``edit_run`` changes rewritten, and the notes."""
    changed = run_changes(df, edit_run)
    replacements = {index: text for index, (text, _) in changed.items()}
    notes = tuple(note for _, run_notes in changed.values() for note in run_notes)
    return Transformed(df.render(replacements), notes)
