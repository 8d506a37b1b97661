"""The workbench's own registry on a real engine: start, push, measure, gate, stop."""

from __future__ import annotations

import contextlib
import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
import requests
from typer.testing import CliRunner

from workbench import registry
from workbench.cli import app
from workbench.errors import RegistryError
from workbench.registry import RegistryStatus

pytestmark = pytest.mark.docker
TINY_TAG = "workbench-test/registry-tiny:latest"
TINY_DOCKERFILE = b"""\
FROM debian:bookworm-slim
RUN head -c 200000 /dev/urandom > /payload.bin && echo hello > /hello.txt
LABEL org.workbench.test=registry
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def tiny_image(
    docker_client: docker.DockerClient, stand_ins
) -> Iterator[docker.models.images.Image]:
    """A two-layer image FROM debian:bookworm-slim with a small random file."""
    image, _ = docker_client.images.build(
        fileobj=io.BytesIO(TINY_DOCKERFILE), tag=TINY_TAG, rm=True, forcerm=True
    )
    yield image
    with contextlib.suppress(docker.errors.DockerException):
        docker_client.images.remove(TINY_TAG, force=True)


@pytest.fixture
def local_registry(workbench_home: Path) -> Iterator[RegistryStatus]:
    """The workbench's registry on a free port under this test's home; stopped at the end."""
    current = registry.up(port=free_port())
    yield current
    registry.down()
    assert not registry.status().answers


def test_the_registry_starts_on_loopback_with_its_files_under_the_home(
    local_registry: RegistryStatus, workbench_home: Path
) -> None:
    assert local_registry.answers and local_registry.managed
    port = int(local_registry.address.rsplit(":", 1)[1])
    assert local_registry.address == f"127.0.0.1:{port}"
    paths = registry.registry_paths()
    assert paths.root == workbench_home / "registry"
    assert local_registry.data_dir == str(paths.data)
    assert f"addr: 127.0.0.1:{port}" in paths.config.read_text()
    assert paths.pid.read_text().strip() == str(local_registry.pid)
    assert requests.get(f"http://127.0.0.1:{port}/v2/", timeout=5).status_code == 200  # no auth
    again = registry.up(port=port)  # idempotent
    assert again.pid == local_registry.pid
    with pytest.raises(RegistryError, match=f"already runs on port {port}"):
        registry.up(port=free_port())


def test_down_stops_it_and_status_says_so(local_registry: RegistryStatus) -> None:
    assert registry.down() is True
    current = registry.status()
    assert not current.answers and not current.managed
    assert not registry.registry_paths().pid.exists()
    assert registry.down() is False


def test_a_port_taken_by_something_else_is_one_clear_error(workbench_home: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(RegistryError) as caught:
            registry.up(port=port, timeout_s=5)
    message = str(caught.value)
    assert "\n" not in message
    assert "docker-registry" in message and str(registry.registry_paths().log) in message
    assert not registry.registry_paths().pid.exists()


def test_a_push_measures_each_layer_and_the_total_exactly(
    docker_client: docker.DockerClient, tiny_image, local_registry: RegistryStatus
) -> None:
    messages: list[dict] = []
    result = registry.push_image(
        docker_client, TINY_TAG, local_registry.address, progress=messages.append
    )
    assert result.image_id == tiny_image.id
    repository = "workbench/workbench-test/registry-tiny"
    assert result.reference == f"{local_registry.address}/{repository}:latest"
    assert result.manifest_media_type in registry.MANIFEST_TYPES
    diff_ids = tiny_image.attrs["RootFS"]["Layers"]
    assert [layer.diff_id for layer in result.layers] == diff_ids
    assert len(result.layers) == 2 and result.layers_reused == 0
    assert sum(layer.size for layer in result.layers) == result.total_bytes
    # the random payload does not compress: its layer stores at least its 200 kB
    assert result.layers[1].size > 200_000
    assert result.config_bytes and result.seconds > 0
    assert any(message.get("status") == "Pushed" for message in messages)

    # every size is what the registry serves for the blob
    for layer in result.layers:
        head = requests.head(
            f"{local_registry.url}/v2/{repository}/blobs/{layer.digest}", timeout=10
        )
        assert int(head.headers["Content-Length"]) == layer.size

    # kept in the store; the extra tag is gone
    stored = registry.measured_push(tiny_image.id)
    assert stored is not None and stored.push_id == result.push_id
    assert stored.total_bytes == result.total_bytes and stored.layers == result.layers
    assert docker_client.images.get(TINY_TAG).tags == [TINY_TAG]


def test_a_second_push_reuses_the_layers_and_says_so(
    docker_client: docker.DockerClient, tiny_image, local_registry: RegistryStatus
) -> None:
    first = registry.push_image(docker_client, TINY_TAG, local_registry.address)
    second = registry.push_image(docker_client, TINY_TAG, local_registry.address)
    assert second.total_bytes == first.total_bytes
    assert second.layers_reused == 2 and all(layer.reused for layer in second.layers)
    assert registry.measured_push(tiny_image.id).layers_reused == 2


def test_push_starts_the_local_registry_when_it_is_the_target(
    docker_client: docker.DockerClient,
    tiny_image,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = free_port()
    monkeypatch.setattr("workbench.registry.address.DEFAULT_PORT", port)
    monkeypatch.delenv(registry.REGISTRY_ENV, raising=False)
    try:
        result = registry.push_image(docker_client, TINY_TAG)
        assert result.registry == f"127.0.0.1:{port}"
        assert registry.status().managed
    finally:
        registry.down()


def test_push_and_check_on_the_command_line(
    tiny_image, local_registry: RegistryStatus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(registry.REGISTRY_ENV, local_registry.address)
    runner = CliRunner()
    pushed = runner.invoke(app, ["push", TINY_TAG, "--json"])
    assert pushed.exit_code == 0, pushed.output
    data = json.loads(pushed.stdout)
    total = data["total_bytes"]
    assert total == sum(layer["size"] for layer in data["layers"])
    assert data["registry"] == local_registry.address

    within = runner.invoke(app, ["check", TINY_TAG, "--max-compressed", str(total), "--json"])
    assert within.exit_code == 0, within.output
    figures = json.loads(within.stdout)["figures"]
    assert figures["compressed_bytes"] == total and figures["compressed_source"] == "measured"

    over = runner.invoke(app, ["check", TINY_TAG, "--max-compressed", str(total - 1)])
    assert over.exit_code == 1
    assert "Compressed size (measured)" in over.stdout and "+1 B" in over.stdout

    size = runner.invoke(app, ["check", TINY_TAG, "--max-size", "1MB"])
    assert size.exit_code == 1 and "Image size" in size.stdout
    assert runner.invoke(app, ["check", TINY_TAG, "--max-size", "1GiB"]).exit_code == 0
