"""Findings of real corpus images: the uv guide's uv binary, the wheels shape's /wheels and
its chown -R copy, each with its bytes and Dockerfile line; and what Other is left.

Each image is built through the build service (mostly cache hits after the corpus test),
analysed once, and its findings are read back from the store as ``workbench findings``
reads them: fast, and without the engine.
"""

from __future__ import annotations

import time
from pathlib import Path

import docker
import pytest

from tests.conftest import FIXTURES, SAMPLE_PROJECT
from workbench.analysis import stored
from workbench.build.service import BuildService, BuildSpec
from workbench.findings import image_findings
from workbench.project import load_project
from workbench.store import Store

pytestmark = pytest.mark.docker

CORPUS = FIXTURES / "projects"
PROJECTS = sorted(path for path in CORPUS.iterdir() if (path / "Dockerfile").is_file())
BUILD_TIMEOUT_S = 900


def _baseline(project_dir: Path, client: docker.DockerClient, store: Store):
    """Build a project's baseline and analyse it; the analysis."""
    project = load_project(project_dir)
    service = BuildService(store)
    build_id = service.submit(BuildSpec(project, "baseline", project.dockerfile_text()))
    [record] = service.wait([build_id], timeout=BUILD_TIMEOUT_S)
    assert record.status == "succeeded", record.log_tail(30)
    return stored.analyze(client, record.image_id, compress=False, store=store)


def test_the_uv_guide_names_the_uv_binary_with_its_bytes(docker_client, stand_ins) -> None:
    store = Store()
    analysis = _baseline(CORPUS / "uv-guide", docker_client, store)
    started = time.monotonic()
    result = image_findings(str(CORPUS / "uv-guide"), store=store, analyze=False)
    assert time.monotonic() - started < 0.5
    [uv] = [
        f for f in result.findings if f.rule == "build-tools" and "/usr/local/bin/uv)" in f.title
    ]
    group = next(g for g in analysis.groups if g.group == "tool-uv" and g.layer == uv.layer)
    assert uv.bytes == group.bytes > 40_000_000
    assert (uv.line, uv.fix, uv.certainty) == (2, "multi-stage", "certain")
    assert uv.instruction == "FROM ghcr.io/astral-sh/uv:python3.11-bookworm-slim"
    assert "`uv run`" in uv.detail


def test_the_wheels_shape_names_its_wheels_and_its_chown_copy(docker_client, stand_ins) -> None:
    store = Store()
    analysis = _baseline(CORPUS / "wheels-multistage", docker_client, store)
    findings = image_findings(analysis.image_id, store=store, analyze=False).findings
    [wheels] = [f for f in findings if f.rule == "installer-inputs"]
    group = next(g for g in analysis.groups if g.group == "wheels")
    assert (wheels.bytes, wheels.line, wheels.fix) == (group.bytes, 34, "multi-stage")
    assert wheels.instruction == "COPY --from=builder /wheels /wheels"
    [chown] = [f for f in findings if f.rule == "chown-duplicate"]
    shadow = next(s for s in analysis.shadows if s.layer == chown.layer)
    assert (chown.bytes, chown.line, chown.hidden_by_line) == (shadow.same_size_bytes, 38, 39)
    assert chown.bytes > 0 and chown.fix == "copy-chown"
    [lists] = [f for f in findings if f.rule == "apt-cache"]  # the final stage's curl install
    assert lists.line == 31 and lists.bytes > 1_000_000 and lists.fix in ("no-cache", "apt-clean")


@pytest.mark.parametrize(
    "project_dir", [*PROJECTS, SAMPLE_PROJECT], ids=[p.name for p in [*PROJECTS, SAMPLE_PROJECT]]
)
def test_other_is_at_most_one_percent_of_each_baseline(
    project_dir, docker_client, stand_ins
) -> None:
    analysis = _baseline(project_dir, docker_client, Store())
    assert sum(analysis.components.values()) == analysis.size_bytes
    assert analysis.components["other"] <= 0.01 * analysis.size_bytes, analysis.largest["other"]
