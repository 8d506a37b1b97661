"""The audit's sources: what the image copies from the project, or the folders given."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLE_PROJECT
from tests.unit.audit.audit_fixtures import SHOP
from workbench.audit.core import run_audit
from workbench.audit.sources import (
    CopiedSource,
    audit_sources,
    copied_sources,
    given_sources,
    project_file,
)
from workbench.errors import AuditError
from workbench.project import load_project


def test_copied_sources_map_project_paths_to_image_paths() -> None:
    text = (SHOP / "Dockerfile").read_text()
    assert copied_sources(text, SHOP) == [
        CopiedSource("shop", "/srv/shop", True),
        CopiedSource("bin/run.sh", "/srv/run.sh", False),
    ]
    sample = copied_sources((SAMPLE_PROJECT / "Dockerfile").read_text(), SAMPLE_PROJECT)
    assert [c.source for c in sample] == ["backend", "streamlit_app", "scripts/start.sh"]
    assert sample[-1].dest == "/app/start.sh"


def test_configured_sources_replace_the_dockerfiles(shop) -> None:
    audit = run_audit(shop, use_image=False, sources=["shop"], save=False)
    assert audit.sources == ("shop",)
    # the start script is not among the sources any more: gunicorn looks unused
    assert "gunicorn" in {c.name for c in audit.candidates}
    with pytest.raises(AuditError, match="not in"):
        run_audit(shop, use_image=False, sources=["nowhere"], save=False)


def test_given_sources_land_under_their_own_name_and_map_back_to_the_project() -> None:
    copies = given_sources(SHOP, ["shop", "bin/run.sh"])
    assert copies == [
        CopiedSource("shop", "/shop", True),
        CopiedSource("bin/run.sh", "/run.sh", False),
    ]
    assert project_file("/shop/api.py", copies, SHOP) == SHOP / "shop" / "api.py"
    assert project_file("/run.sh", copies, SHOP) == SHOP / "bin" / "run.sh"
    assert project_file("/elsewhere.sh", copies, SHOP) is None


def test_a_dockerfile_that_copies_nothing_leaves_nothing_to_scan(tmp_path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM x\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\ndependencies = ["six"]\n')
    project = load_project(tmp_path)
    with pytest.raises(AuditError, match="copies no project files"):
        audit_sources(project, "FROM x\n")
    assert audit_sources(project, "FROM x\n", ["pyproject.toml"]) == [
        CopiedSource("pyproject.toml", "/pyproject.toml", False)
    ]
