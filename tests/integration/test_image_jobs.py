"""Background image jobs: an analysis and a registry push, results in the store."""

from __future__ import annotations

import pytest

from tests.conftest import TINY_PROJECT
from tests.integration.test_registry import free_port
from workbench import registry, variants
from workbench.builds import BuildService, BuildSpec
from workbench.image_jobs import ANALYSIS, PUSH, REBUILD, ImageJobs, rebuild_subject
from workbench.project import load_project
from workbench.store import Store

pytestmark = pytest.mark.docker


def test_an_analysis_and_a_push_run_in_the_background(docker_client, stand_ins) -> None:
    project = load_project(TINY_PROJECT)
    store = Store()
    variant = variants.derive_variant(project.path, "baseline")
    service = BuildService(store)
    [build] = service.wait([service.submit(BuildSpec(project, "baseline", variant.dockerfile))])
    assert build.status == "succeeded"
    jobs = ImageJobs(store)
    first, second = jobs.submit(build.image_id), jobs.submit(build.image_id)
    # asked twice: one job (the snapshots may differ in state: it may have started between)
    assert (first.image_id, first.requested_at) == (second.image_id, second.requested_at)
    job = jobs.wait(build.image_id, ANALYSIS, timeout=300)
    assert job.state == "done", job.error
    analysis = store.latest_analysis(build.image_id)
    assert analysis["size_bytes"] == sum(analysis["components"].values())

    registry.up(port=free_port())
    try:
        job = jobs.wait(jobs.submit(build.image_id, PUSH).image_id, PUSH, timeout=300)
        assert job.state == "done", job.error
        push = store.latest_push(build.image_id)
        assert push["total_bytes"] == sum(layer["size"] for layer in push["layers"])
        estimate = analysis["compressed"]["gzip_bytes"]
        assert abs(estimate - push["total_bytes"]) / push["total_bytes"] < 0.1
    finally:
        registry.down()


def _tree_digest(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_rebuild_times_are_measured_in_the_background(docker_client, stand_ins) -> None:
    project = load_project(TINY_PROJECT)
    before = _tree_digest(project.path)
    store = Store()
    jobs = ImageJobs(store)
    subject = rebuild_subject(project.path, "no-cache")
    job = jobs.wait(jobs.submit(subject, REBUILD).image_id, REBUILD, timeout=600)
    assert job.state == "done", job.error
    [cost] = store.rebuild_costs(project.key)
    assert cost["variant"] == "no-cache"
    assert cost["builder"] == "buildkit"
    assert cost["source_change_s"] > 0 and cost["lock_change_s"] > 0
    assert _tree_digest(project.path) == before  # measured on a scratch copy
    assert not docker_client.images.list(name="workbench-probe/*")

    failed = jobs.wait(
        jobs.submit(rebuild_subject(project.path, "pruned-deps"), REBUILD).image_id,
        REBUILD,
        timeout=60,
    )
    assert failed.state == "failed"
    assert "no dependencies chosen to drop" in failed.error
