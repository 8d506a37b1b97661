"""The real engine and the stand-in base images."""

from __future__ import annotations

import time

import docker
import pytest

from workbench import engine
from workbench.engine import bootstrap
from workbench.labels import STAND_IN, STAND_IN_REPLACES

pytestmark = pytest.mark.docker


def test_the_engine_answers_with_its_version(docker_client: docker.DockerClient) -> None:
    current = engine.status()
    assert current.reachable
    assert current.version == docker_client.version()["Version"]
    assert current.storage_driver


def test_ensure_is_a_no_op_when_the_engine_answers() -> None:
    steps: list[str] = []
    started = time.monotonic()
    current = engine.ensure(log=steps.append)
    assert current.reachable
    assert steps == []
    assert time.monotonic() - started < 10


def test_bootstrap_is_idempotent(docker_client: docker.DockerClient, stand_ins: list) -> None:
    before = {result.reference: result.image_id for result in stand_ins}
    again = bootstrap.ensure_base_images(docker_client, log=lambda line: None)
    assert [result.reference for result in again] == list(bootstrap.STAND_INS)
    assert [result.action for result in again] == ["present"] * 4
    assert {result.reference: result.image_id for result in again} == before
    assert sum(result.seconds for result in again) < 5


def test_stand_ins_say_what_they_replace(docker_client: docker.DockerClient, stand_ins) -> None:
    for result in stand_ins:
        image = docker_client.images.get(result.reference)
        if result.stand_in:
            assert image.labels[STAND_IN] == "true"
            assert image.labels[STAND_IN_REPLACES] == result.reference
    assert set(engine.status().stand_ins) >= {r.reference for r in stand_ins if r.stand_in}


def test_the_python_stand_in_runs_python_311_and_trusts_the_host_ca(
    docker_client: docker.DockerClient, stand_ins
) -> None:
    output = docker_client.containers.run(
        bootstrap.PYTHON_REF,
        ["sh", "-c", 'python --version && test -s "$SSL_CERT_FILE" && python -m venv /tmp/v'],
        remove=True,
    )
    assert output.decode().startswith("Python 3.11")


def test_the_uv_stand_in_is_the_uv_binary(docker_client: docker.DockerClient, stand_ins) -> None:
    output = docker_client.containers.run(bootstrap.UV_REF, ["--version"], remove=True)
    assert output.decode().startswith("uv ")


def test_the_uv_python_stand_in_has_uv_on_the_path_and_python_311(
    docker_client: docker.DockerClient, stand_ins
) -> None:
    image = docker_client.images.get(bootstrap.UV_PYTHON_REF)
    assert not image.attrs["Config"]["Entrypoint"]  # uv's images reset it: ENTRYPOINT []
    assert image.attrs["Config"]["Cmd"] == ["/usr/local/bin/uv"]
    output = docker_client.containers.run(
        bootstrap.UV_PYTHON_REF,
        ["sh", "-c", "command -v uv && command -v uvx && uv --version && python --version"],
        remove=True,
    )
    lines = output.decode().splitlines()
    assert lines[:2] == ["/usr/local/bin/uv", "/usr/local/bin/uvx"]
    assert lines[2].startswith("uv ") and lines[3].startswith("Python 3.11")


def test_asking_for_the_uv_python_stand_in_ensures_what_it_is_made_from(
    docker_client: docker.DockerClient, stand_ins
) -> None:
    results = bootstrap.ensure_base_images(
        docker_client, [bootstrap.UV_PYTHON_REF], log=lambda line: None
    )
    assert [result.reference for result in results] == [
        bootstrap.DEBIAN_REF,
        bootstrap.PYTHON_REF,
        bootstrap.UV_REF,
        bootstrap.UV_PYTHON_REF,
    ]


def test_a_uv_stand_in_can_be_made_again_under_another_name(
    docker_client: docker.DockerClient,
) -> None:
    reference = "workbench-test/uv-stand-in:probe"
    try:
        bootstrap._make_uv(docker_client, reference, log=lambda line: None)
        image = docker_client.images.get(reference)
        assert image.labels[STAND_IN_REPLACES] == reference
        assert image.attrs["Config"]["Entrypoint"] == ["/uv"]
    finally:
        docker_client.images.remove(reference, force=True)


def test_bootstrap_refuses_an_unknown_reference(docker_client: docker.DockerClient) -> None:
    with pytest.raises(bootstrap.BootstrapError, match="no stand-in recipe for alpine:3"):
        bootstrap.ensure_base_images(docker_client, ["alpine:3"], log=lambda line: None)
