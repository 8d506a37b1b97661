"""The audit of the sample against a real image, with the names read from its dist-info.

The sample's full image is 1.5 GB; this builds the sample's own Dockerfile with its lock
pruned to the packages the plan asks about (the development tools and both HTTP
clients), which takes a minute on a fresh machine, and audits the sample against it.
"""

from __future__ import annotations

import json

import docker
import pytest
from typer.testing import CliRunner

from tests.conftest import SAMPLE_PROJECT
from workbench.audit import latest_audit, run_audit
from workbench.build.service import BuildService, BuildSpec
from workbench.project import load_project
from workbench.store import Store
from workbench.variants import derive_variant

pytestmark = pytest.mark.docker

HEAVY = ["streamlit", "langchain", "langchain-community", "google-cloud-firestore", "fastapi"]


@pytest.fixture(scope="module")
def tools_image(docker_client: docker.DockerClient, stand_ins, tmp_path_factory) -> str:
    """The sample's Dockerfile, its lock without the heavy packages (uvicorn stays)."""
    project = load_project(SAMPLE_PROJECT)
    variant = derive_variant(project.path, "pruned-deps", drop=HEAVY)
    assert variant.ok, variant.error
    service = BuildService(Store(tmp_path_factory.mktemp("audit-home") / "workbench.db"))
    spec = BuildSpec(project, "audit-tools", variant.dockerfile, dict(variant.extra_files))
    [record] = service.wait([service.submit(spec)], timeout=900)
    assert record.status == "succeeded", f"{record.error}\n{record.log_tail(30)}"
    return spec.tag


def test_the_audit_names_the_plans_packages_with_the_bytes_they_free(
    tools_image, docker_client
) -> None:
    project = load_project(SAMPLE_PROJECT)
    audit = run_audit(project, image=tools_image, client=docker_client)
    assert audit.names_from == "image" and audit.image == tools_image
    by_name = {c.name: c for c in audit.candidates}
    for name in ("poetry", "pytest", "hypothesis", "ruff"):
        candidate = by_name[name]
        assert candidate.kind == "dev-tool"
        assert candidate.certainty == "certain", candidate.reason
        assert candidate.bytes and candidate.bytes > 0
        assert candidate.bytes == sum(audit.sizes.get(p, 0) for p in candidate.packages)
    assert by_name["poetry"].action.startswith("remove")
    assert len(by_name["poetry"].packages) > 10  # poetry takes its own dependencies along
    [overlap] = audit.overlaps
    members = {m.name: m for m in overlap.members}
    assert set(members) == {"httpx", "requests"}
    assert members["httpx"].files == ("backend/main.py",)
    assert members["requests"].files == ("streamlit_app/app.py",)
    assert members["httpx"].own_bytes > 0 and members["requests"].own_bytes > 0
    # the false findings of deptry alone: none
    assert "uvicorn" not in by_name and "google-cloud-firestore" not in by_name
    assert not [w for w in audit.warnings if w.code == "DEP001"]
    uvicorn = next(u for u in audit.script_uses if u.name == "uvicorn")
    assert uvicorn.certainty == "certain" and uvicorn.where == "/app/start.sh:5"
    assert audit.total_bytes == audit.removal_bytes(audit.selected_names())[0]
    assert audit.total_bytes >= sum(by_name[n].bytes for n in ("poetry", "pytest", "ruff"))
    assert latest_audit(project).image_id == audit.image_id


def test_the_cli_audit_of_the_sample_exits_1_with_json(tools_image) -> None:
    from workbench.cli import app

    result = CliRunner().invoke(
        app, ["audit", str(SAMPLE_PROJECT), "--image", tools_image, "--json"]
    )
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    names = {c["name"]: c for c in data["candidates"]}
    assert {"poetry", "pytest", "hypothesis", "ruff"} <= set(names)
    assert all(names[n]["bytes"] > 0 for n in ("poetry", "pytest", "hypothesis", "ruff"))
    assert data["overlaps"][0]["group"] == "HTTP clients"
    assert data["plan_min_bytes"] == 50_000_000 and data["plan_max_bytes"] == 150_000_000
