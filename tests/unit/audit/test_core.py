"""The audit's chain: the declared dependencies, and whole audits of the fixture projects."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SAMPLE_PROJECT
from tests.unit.audit.audit_fixtures import SHOP, facts_for
from workbench.audit.core import run_audit
from workbench.audit.graph import load_lock
from workbench.errors import AuditError
from workbench.project import load_project


def test_the_audit_without_an_image_names_guessed_findings(shop) -> None:
    audit = run_audit(shop, use_image=False)
    assert audit.names_from == "guesses" and audit.image is None
    assert audit.sources == ("shop", "bin/run.sh")
    assert [(c.name, c.kind, c.certainty, c.selected) for c in audit.candidates] == [
        ("black", "dev-tool", "guess", True),
        ("pytest", "dev-tool", "guess", True),
        ("six", "unused", "guess", False),
    ]
    assert all(c.bytes is None for c in audit.candidates) and audit.total_bytes is None
    [overlap] = audit.overlaps
    assert overlap.group == "HTTP clients"
    assert [(m.name, m.files) for m in overlap.members] == [
        ("httpx", ("shop/client.py",)),
        ("requests", ("shop/api.py",)),
    ]
    assert [(u.name, u.command, u.where) for u in audit.script_uses] == [
        ("gunicorn", "gunicorn", "/srv/run.sh:4")
    ]
    codes = {(w.code, w.name, w.files) for w in audit.warnings}
    assert codes == {
        ("DEP001", "missing_mod", ("shop/client.py:4",)),
        ("DEP003", "urllib3", ("shop/client.py:5",)),
    }
    assert '"pytest>=8",' in audit.dev_group and '"black>=24",' in audit.dev_group
    assert any("[tool.uv] dev-dependencies" in note for note in audit.notes)
    assert audit.exit_code == 1


def test_the_audit_with_the_images_names_is_certain_and_sized(shop) -> None:
    lock = load_lock(SHOP / "uv.lock")
    facts = facts_for(lock)
    audit = run_audit(shop, facts=facts)
    assert audit.names_from == "image" and audit.image == "shop:test"
    by_name = {c.name: c for c in audit.candidates}
    assert set(by_name) == {"black", "pytest", "six"}
    assert all(c.certainty == "certain" and c.selected for c in audit.candidates)
    for name, candidate in by_name.items():
        assert candidate.packages == lock.removal([name]).packages
        assert candidate.bytes == 1000 * len(candidate.packages)
    assert by_name["pytest"].packages == ("iniconfig", "pluggy", "pygments", "pytest")
    together = lock.removal(["black", "pytest", "six"]).packages
    assert "packaging" in together  # shared by black and pytest: freed with both
    assert audit.total_bytes == 1000 * len(together)
    assert audit.total_bytes > sum(c.bytes for c in audit.candidates)
    assert (audit.plan_min_bytes, audit.plan_max_bytes) == (1_000_000, 5_000_000)
    assert audit.plan_verdict() == "below"
    members = {m.name: m for m in audit.overlaps[0].members}
    assert members["httpx"].frees_bytes == 4000  # anyio, h11, httpcore, httpx
    assert members["requests"].frees_bytes == 0
    assert members["requests"].needed_by == ("google-api-core", "google-cloud-storage")
    assert members["httpx"].own_bytes == 1000
    assert [u.certainty for u in audit.script_uses] == ["certain"]
    assert {w.certainty for w in audit.warnings} == {"certain"}
    assert audit.removal_bytes(["pytest"]) == (4000, by_name["pytest"].packages)


def test_the_sample_without_an_image_has_none_of_deptrys_false_findings() -> None:
    audit = run_audit(load_project(SAMPLE_PROJECT), use_image=False, save=False)
    names = {c.name for c in audit.candidates}
    assert {"poetry", "pytest", "hypothesis", "ruff"} <= names
    # the false findings the issue measured with deptry alone
    assert "google-cloud-firestore" not in names
    assert "uvicorn" not in names
    assert not [w for w in audit.warnings if w.code == "DEP001"]
    assert {"uvicorn", "streamlit"} <= {u.name for u in audit.script_uses}
    [overlap] = audit.overlaps
    assert {m.name: m.files for m in overlap.members} == {
        "httpx": ("backend/main.py",),
        "requests": ("streamlit_app/app.py",),
    }
    poetry = next(c for c in audit.candidates if c.name == "poetry")
    assert poetry.action.startswith("remove")
    assert "deprecated" in audit.notes[0]


def test_a_project_without_pyproject_is_an_audit_error(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM x\n")
    with pytest.raises(AuditError, match="no pyproject.toml"):
        run_audit(load_project(tmp_path), use_image=False)
