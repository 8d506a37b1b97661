"""Background image jobs: an analysis and a registry push, results in the store."""

from __future__ import annotations

import pytest

from tests.conftest import TINY_PROJECT
from tests.integration.test_registry import free_port
from workbench import registry, variants
from workbench.analysis.stored import start_analysis
from workbench.build.rebuild import RebuildSubject, start_rebuild_probe
from workbench.build.service import BuildService, BuildSpec
from workbench.jobs import ANALYSIS, PUSH, REBUILD, Jobs
from workbench.project import load_project
from workbench.registry import start_push
from workbench.store import Store

pytestmark = pytest.mark.docker


def test_an_analysis_and_a_push_run_in_the_background(docker_client, stand_ins) -> None:
    project = load_project(TINY_PROJECT)
    store = Store()
    variant = variants.derive_variant(project.path, "baseline")
    service = BuildService(store)
    [build] = service.wait([service.submit(BuildSpec(project, "baseline", variant.dockerfile))])
    assert build.status == "succeeded"
    jobs = Jobs()
    first = start_analysis(build.image_id, store=store, jobs=jobs)
    second = start_analysis(build.image_id, store=store, jobs=jobs)
    # asked twice: one job (the snapshots may differ in state: it may have started between)
    assert (first.subject, first.requested_at) == (second.subject, second.requested_at)
    job = jobs.wait(ANALYSIS, build.image_id, timeout=300)
    assert job.state == "done", job.error
    analysis = store.latest_analysis(build.image_id)
    assert analysis["size_bytes"] == sum(analysis["components"].values())

    registry.up(port=free_port())
    try:
        pushing = start_push(build.image_id, store=store, jobs=jobs)
        job = jobs.wait(PUSH, pushing.subject, timeout=300)
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
    jobs = Jobs()
    subject = RebuildSubject(str(project.path), "no-cache")
    job = jobs.wait(REBUILD, start_rebuild_probe(subject, store=store, jobs=jobs).subject, 600)
    assert job.state == "done", job.error
    [cost] = store.rebuild_costs(project.key)
    assert cost["variant"] == "no-cache"
    assert cost["builder"] == "buildkit"
    assert cost["source_change_s"] > 0 and cost["lock_change_s"] > 0
    assert _tree_digest(project.path) == before  # measured on a scratch copy
    assert not docker_client.images.list(name="workbench-probe/*")

    pruned = RebuildSubject(str(project.path), "pruned-deps")
    failed = jobs.wait(REBUILD, start_rebuild_probe(pruned, store=store, jobs=jobs).subject, 60)
    assert failed.state == "failed"
    assert "no dependencies chosen to drop" in failed.error
