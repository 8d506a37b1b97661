"""Optimize on two corpus projects, for real: every fix built and smoke-tested, the kept ones
built together as the optimized variant, the ladder adding up to the byte.

The uv guide's optimized image must be at most 1.02 times the guide's own multi-stage
build (its Dockerfile.guide-multistage, built here too); the wheels shape's must have lost
its /wheels and its chown -R copy.  Both must pass their smoke tests.  The builds are
mostly cache hits after the corpus test: a few minutes in all.
"""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES
from workbench.analysis import stored
from workbench.build.service import BuildService, BuildSpec
from workbench.findings import image_findings
from workbench.findings.optimization import Optimization
from workbench.findings.optimize import start_optimize
from workbench.findings.runs import get_run
from workbench.jobs import OPTIMIZE, Jobs
from workbench.project import load_project
from workbench.store import Store
from workbench.variants import derive_variant

pytestmark = pytest.mark.docker

CORPUS = FIXTURES / "projects"
TIMEOUT_S = 1500
OVERHEAD_S = 5.0


def _optimize(name: str) -> tuple[Optimization, Store]:
    """Optimize a corpus project on a lane of its own, as the page and the CLI do."""
    store = Store()
    project = load_project(CORPUS / name)
    jobs = Jobs()
    run_id = start_optimize(project, store=store, jobs=jobs, service=BuildService(store, jobs=jobs))
    job = jobs.wait(OPTIMIZE, project.key, timeout=TIMEOUT_S)
    run = get_run(store, run_id)
    assert job.state == "done" and run.status == "succeeded", (run.status, run.error)
    result = Optimization.from_dict(run.result)
    assert result.optimized is not None and result.optimized.smoke == "passed", result.notes
    assert result.adds_up, [(s.fix, s.saved_bytes) for s in result.steps]
    assert result.overhead_s <= OVERHEAD_S, result.overhead_s
    variant = derive_variant(project.path, "optimized")
    assert variant.ok and variant.dockerfile == result.dockerfile
    return result, store


def test_the_uv_guide_optimized_is_as_small_as_the_guides_multi_stage(
    docker_client, stand_ins
) -> None:
    result, store = _optimize("uv-guide")
    project = load_project(CORPUS / "uv-guide")
    guide = (project.path / "Dockerfile.guide-multistage").read_text("utf-8")
    service = BuildService(store)
    [record] = service.wait(
        [service.submit(BuildSpec(project, "custom", guide))], timeout=TIMEOUT_S
    )
    assert record.status == "succeeded", record.log_tail(30)
    guide_bytes = docker_client.images.get(record.image_id).attrs["Size"]
    assert result.optimized.size_bytes <= 1.02 * guide_bytes, (
        result.optimized.size_bytes,
        guide_bytes,
    )
    assert "multi-stage" in [s.fix for s in result.kept]
    assert result.baseline.size_bytes - result.optimized.size_bytes == sum(
        s.saved_bytes for s in result.kept
    )


def test_the_wheels_shape_loses_its_wheels_and_its_chown_copy(docker_client, stand_ins) -> None:
    result, store = _optimize("wheels-multistage")
    rules = {f.rule for f in result.findings}
    assert {"installer-inputs", "chown-duplicate", "apt-cache"} <= rules
    assert {"multi-stage", "copy-chown"} <= {s.fix for s in result.kept}
    analysis = stored.analyze(docker_client, result.optimized.image_id, compress=False, store=store)
    left = image_findings(analysis.image_id, store=store, analyze=False).findings
    assert not [f for f in left if f.rule in ("installer-inputs", "chown-duplicate", "apt-cache")]
    assert not analysis.group_bytes("wheels")
    assert analysis.components["other"] <= 0.01 * analysis.size_bytes
