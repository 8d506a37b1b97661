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


class _Engine:
    """An engine holding one image, counting the exports asked of it."""

    def __init__(self, archive: bytes) -> None:
        self.api, self.archive, self.exports = self, archive, 0

    def inspect_image(self, ref: str) -> dict:
        return {"Id": "sha256:shop", "RepoTags": ["shop:test"], "Config": {"Cmd": ["python"]}}

    def get_image(self, ref: str):
        self.exports += 1
        yield self.archive


def test_stored_facts_are_reused_only_when_this_version_of_the_pass_read_them() -> None:
    from tests.unit.analysis.analysis_archives import File, docker_archive, layer_tar
    from workbench.audit.image import image_facts

    project, store = load_project(SHOP), Store()
    engine = _Engine(docker_archive([layer_tar([File("srv/x", b"x")])]))
    facts = facts_for(load_lock(SHOP / "uv.lock"))
    older = {**facts.to_dict()}
    del older["format"]  # stored before the pass read Requires-Dist
    store.save_audit(project.key, "sha256:shop", {"image_id": "sha256:shop", "image_facts": older})
    read = image_facts(engine, "shop:test", store, project.key)
    assert engine.exports == 1 and read.distributions == ()  # read again from the image
    store.save_audit(
        project.key, "sha256:shop", {"image_id": "sha256:shop", "image_facts": facts.to_dict()}
    )
    assert image_facts(engine, "shop:test", store, project.key) == facts
    assert engine.exports == 1  # answered from the store
