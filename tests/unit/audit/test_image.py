"""The image the audit reads, and what it holds."""

from __future__ import annotations

import dataclasses

import pytest

from tests.unit.audit.audit_fixtures import SHOP, facts_for
from workbench.audit.graph import load_lock
from workbench.audit.image import audit_image
from workbench.errors import WorkbenchError
from workbench.project import load_project
from workbench.store import Store


def test_facts_already_read_name_the_image_by_its_first_tag_else_its_id() -> None:
    project, store = load_project(SHOP), Store()
    facts = facts_for(load_lock(SHOP / "uv.lock"))
    assert audit_image(project, store, facts=facts) == ("shop:test", facts)
    assert audit_image(project, store, image="x:1", facts=facts) == ("x:1", facts)
    untagged = dataclasses.replace(facts, tags=())
    assert audit_image(project, store, facts=untagged) == ("sha256:shop", untagged)


def test_without_an_engine_the_audit_goes_on_unless_an_image_was_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    project, store = load_project(SHOP), Store()
    assert audit_image(project, store, use_image=False) == (None, None)
    assert audit_image(project, store) == (None, None)
    with pytest.raises(WorkbenchError):
        audit_image(project, store, image="x:1")
