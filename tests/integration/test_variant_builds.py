"""The tiny fixture's baseline, no-cache and multi-stage variants build and still answer."""

from __future__ import annotations

import json
import time
import urllib.request

import docker
import pytest

from tests.conftest import TINY_PROJECT
from workbench import variants
from workbench.build.service import BuildService, BuildSpec
from workbench.project import load_project
from workbench.store import Store

pytestmark = pytest.mark.docker


def health(docker_client: docker.DockerClient, image_id: str) -> dict:
    container = docker_client.containers.run(
        image_id, detach=True, ports={"8000/tcp": ("127.0.0.1", None)}
    )
    try:
        container.reload()
        port = container.attrs["NetworkSettings"]["Ports"]["8000/tcp"][0]["HostPort"]
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    return json.loads(r.read())
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(container.logs().decode()[-2000:]) from None
                time.sleep(0.3)
    finally:
        container.remove(force=True)


def test_tiny_variants_build_run_and_shrink(docker_client: docker.DockerClient, stand_ins) -> None:
    project = load_project(TINY_PROJECT)
    service = BuildService(Store())
    names = ["baseline", "no-cache", "multi-stage", "cache-mount"]
    ids = []
    for name in names:
        variant = variants.derive_variant(project.path, name)
        assert variant.error is None, variant.error
        ids.append(
            service.submit(BuildSpec(project, name, variant.dockerfile, variant.extra_files))
        )
    records = {record.variant: record for record in service.wait(ids, timeout=600)}
    for name in names:
        assert records[name].status == "succeeded", records[name].log[-3000:]
    sizes = {name: docker_client.images.get(records[name].image_id).attrs["Size"] for name in names}
    assert sizes["no-cache"] < sizes["baseline"]
    assert sizes["multi-stage"] < sizes["no-cache"]  # no uv binary in the runtime stage
    assert sizes["cache-mount"] < sizes["baseline"]
    for name in names:
        assert health(docker_client, records[name].image_id)["status"] == "ok"
