"""Findings from the store: an image by tag or id, a project by its baseline build."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TINY_PROJECT
from tests.unit.analysis.analysis_archives import File
from tests.unit.findings.images import analysed, dockerfile
from workbench.errors import FindingsError
from workbench.findings import image_findings
from workbench.project import load_project
from workbench.store import Store

INSTRUCTIONS = ["RUN uv sync --frozen"]


def _store_image(store: Store, project_path: Path, variant: str = "baseline") -> str:
    analysis = analysed(
        [[File("root/.cache/uv/x", b"c" * 900), File("app/.venv/pyvenv.cfg", b"h")]],
        INSTRUCTIONS,
    )
    project = load_project(project_path)
    build_id = store.add_build(
        project_key=project.key,
        project_path=str(project.path),
        variant=variant,
        tag=f"workbench/{project.name}:{variant}",
        builder="buildkit",
        request_key="k",
        dockerfile_sha256="0" * 64,
        dockerfile=dockerfile(INSTRUCTIONS),
    )
    store.update_build(build_id, status="succeeded", image_id=analysis.image_id)
    store.save_analysis(analysis.image_id, "x", analysis.to_dict())
    return analysis.image_id


def test_an_analysed_image_by_tag_id_or_project_without_the_engine(monkeypatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")  # no engine answers
    store = Store()
    image_id = _store_image(store, TINY_PROJECT)
    for ref in ("workbench/tiny:baseline", image_id, image_id[7:19], str(TINY_PROJECT)):
        result = image_findings(ref, store=store, analyze=False)
        assert result.image_id == image_id
        assert [(f.rule, f.bytes, f.line) for f in result.findings] == [("installer-cache", 900, 3)]
        assert result.variant == "baseline"
        assert result.to_list()[0]["rule"] == "installer-cache"


def test_a_project_without_a_build_or_an_unanalysed_image_says_so() -> None:
    store = Store()
    with pytest.raises(FindingsError, match="has no baseline build yet"):
        image_findings(str(TINY_PROJECT), store=store)
    project = load_project(TINY_PROJECT)
    build_id = store.add_build(
        project_key=project.key, project_path=str(project.path), variant="baseline",
        tag="t", builder="buildkit", request_key="k", dockerfile_sha256="0",
    )  # fmt: skip
    store.update_build(build_id, status="succeeded", image_id="sha256:" + "e" * 64)
    with pytest.raises(FindingsError, match="has no analysis yet"):
        image_findings(str(TINY_PROJECT), store=store, analyze=False)
