"""The shared RUN loop: only the RUNs a transform edits are rewritten, notes in order."""

from __future__ import annotations

from workbench.variants.instructions import parse
from workbench.variants.run_rewrite import rewrite_runs, run_changes

DOCKERFILE = "FROM python:3.11-slim\nRUN echo one\nCOPY . /app\nRUN echo two && echo three\n"


def shout_twos(run, ins, _state):
    at = ins.text.find("two")
    if at < 0:
        return [], []
    return [(at, at + 3, "TWO")], [f"two shouted (line {ins.lineno})"]


def test_only_the_edited_run_is_rewritten_and_noted() -> None:
    result = rewrite_runs(parse(DOCKERFILE), shout_twos)
    assert result.text == DOCKERFILE.replace("echo two", "echo TWO")
    assert result.changes == ("two shouted (line 4)",)


def test_the_changes_name_each_rewritten_instruction_by_index() -> None:
    changed = run_changes(parse(DOCKERFILE), shout_twos)
    assert changed == {3: ("RUN echo TWO && echo three\n", ["two shouted (line 4)"])}


def test_no_edit_leaves_the_text_byte_for_byte() -> None:
    result = rewrite_runs(parse(DOCKERFILE), lambda run, ins, state: ([], []))
    assert result.text == DOCKERFILE and result.changes == ()
