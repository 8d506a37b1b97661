"""The audit's notes: the sentences shown beside the findings."""

from __future__ import annotations

from tests.unit.audit.audit_fixtures import GRAPH_LOCK
from workbench.audit.graph import LockGraph, LockPackage, load_lock
from workbench.audit.model import Candidate
from workbench.audit.notes import (
    BYTES_NOTE,
    CACHE_NOTE,
    DEV_GROUP_NOTE,
    IMAGE_GRAPH_NOTE,
    NO_IMAGE_NOTE,
    NO_LOCK_NOTE,
    POETRY_DEV_NOTE,
    REQUIREMENTS_DEV_NOTE,
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


def test_the_graph_of_the_images_metadata_and_the_formats_dev_homes_get_their_notes() -> None:
    graph = LockGraph("", (("six", ()),), {"six": LockPackage("six")}, source="image")
    measured = Sizes(graph, {"six": 10}, {"six": 0}, measured=True)
    tool = Candidate("pytest", "pytest", "dev-tool", "move", "certain", "r")
    assert audit_notes({}, [tool], measured, "requirements") == [
        REQUIREMENTS_DEV_NOTE, BYTES_NOTE, IMAGE_GRAPH_NOTE, STATIC_NOTE,
    ]  # fmt: skip
    assert audit_notes({}, [tool], measured, "poetry")[0] == POETRY_DEV_NOTE
    poetry_2 = {"project": {"dependencies": ["six"]}}
    assert audit_notes(poetry_2, [tool], measured, "poetry")[0] == DEV_GROUP_NOTE
    # a pyproject.toml beside requirements files is not where they are declared
    uv_dev = {"tool": {"uv": {"dev-dependencies": ["mypy"]}}}
    assert UV_DEV_NOTE not in audit_notes(uv_dev, [], measured, "requirements")
