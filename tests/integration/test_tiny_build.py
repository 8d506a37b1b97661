"""The tiny fixture builds FROM the stand-ins and its service answers."""

from __future__ import annotations

import docker
import pytest

from tests.conftest import TINY_PROJECT
from tests.integration.test_variant_builds import health
from workbench.engine.bootstrap import PYTHON_REF

pytestmark = pytest.mark.docker
TAG = "workbench-test/tiny:foundation"


def test_the_tiny_fixture_builds_from_the_stand_ins_and_answers(
    docker_client: docker.DockerClient, stand_ins
) -> None:
    image, _ = docker_client.images.build(path=str(TINY_PROJECT), tag=TAG, rm=True, forcerm=True)
    python = next(result for result in stand_ins if result.reference == PYTHON_REF)
    if python.stand_in:  # built FROM the Python stand-in, it inherits the stand-in's labels
        assert image.labels.get("org.workbench.stand-in.replaces") == PYTHON_REF
    body = health(docker_client, image.id)
    assert body["status"] == "ok"
    assert body["six"]
