"""The audit's notes: the sentences shown beside the findings."""

from __future__ import annotations

from tests.unit.audit.audit_fixtures import GRAPH_LOCK
from workbench.audit.graph import load_lock
from workbench.audit.model import Candidate
from workbench.audit.notes import (
    BYTES_NOTE,
    CACHE_NOTE,
    DEV_GROUP_NOTE,
    NO_IMAGE_NOTE,
    NO_LOCK_NOTE,
    STATIC_NOTE,
    UV_DEV_NOTE,
    audit_notes,
)
from workbench.audit.sizes import Sizes


def test_without_an_image_or_a_lock_the_notes_say_what_is_guessed() -> None:
    assert audit_notes({}, [], Sizes(None)) == [NO_IMAGE_NOTE, NO_LOCK_NOTE, STATIC_NOTE]


def test_development_tools_a_kept_cache_and_uvs_old_spelling_each_get_a_note() -> None:
    pyproject = {"tool": {"uv": {"dev-dependencies": ["mypy"]}}}
    sizes = Sizes(load_lock(GRAPH_LOCK), {"tester": 10}, {"tester": 4}, measured=True)
    assert audit_notes(pyproject, [], sizes) == [
        DEV_GROUP_NOTE, UV_DEV_NOTE, BYTES_NOTE, CACHE_NOTE, STATIC_NOTE,
    ]  # fmt: skip
    tool = Candidate("pytest", "pytest", "dev-tool", "move", "certain", "r")
    measured = Sizes(load_lock(GRAPH_LOCK), {"tester": 10}, {"tester": 0}, measured=True)
    assert audit_notes({}, [tool], measured) == [DEV_GROUP_NOTE, BYTES_NOTE, STATIC_NOTE]
