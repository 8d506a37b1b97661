"""The tiny fixture builds FROM the stand-ins and its service answers."""

from __future__ import annotations

import json
import time
import urllib.request

import docker
import pytest

from tests.conftest import TINY_PROJECT

pytestmark = pytest.mark.docker
TAG = "workbench-test/tiny:foundation"


def test_the_tiny_fixture_builds_from_the_stand_ins_and_answers(
    docker_client: docker.DockerClient, stand_ins
) -> None:
    image, _ = docker_client.images.build(path=str(TINY_PROJECT), tag=TAG, rm=True, forcerm=True)
    assert image.labels.get("org.workbench.stand-in.replaces") in (
        None,
        "python:3.11-slim-bookworm",
    )
    container = docker_client.containers.run(
        TAG, detach=True, ports={"8000/tcp": ("127.0.0.1", None)}
    )
    try:
        container.reload()
        port = container.attrs["NetworkSettings"]["Ports"]["8000/tcp"][0]["HostPort"]
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    body = json.loads(r.read())
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        assert body["status"] == "ok"
        assert body["six"]
    finally:
        container.remove(force=True)
