"""Real builds through the build service: failures, cancel, interruption, dedupe."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import docker
import pytest

from workbench.build.service import BuildService, BuildSpec
from workbench.errors import BuildError
from workbench.project import load_project
from workbench.store import Store

pytestmark = pytest.mark.docker


@pytest.fixture
def project(tmp_path: Path):
    folder = tmp_path / "plain project"
    folder.mkdir()
    (folder / "Dockerfile").write_text("FROM debian:bookworm-slim\n")
    (folder / "hello.txt").write_text("hello\n" * 1000)
    return load_project(folder)


@pytest.fixture
def service(stand_ins) -> BuildService:
    return BuildService(Store())


def _spec(project, variant: str, text: str, builder: str | None = None) -> BuildSpec:
    return BuildSpec(project, variant, text, builder=builder)


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_a_failing_third_step_is_recorded_with_step_and_exit_code(
    service: BuildService, project, builder: str
) -> None:
    text = "FROM debian:bookworm-slim\nRUN echo one\nRUN exit 3\n"
    [record] = service.wait([service.submit(_spec(project, "bad", text, builder))], timeout=120)
    assert record.status == "failed"
    assert record.failed_step.startswith("[3/") and "RUN exit 3" in record.failed_step
    assert "exit code 3" in record.error
    assert record.builder == builder
    assert "exit 3" in record.log


def test_both_builders_give_the_same_size_for_a_plain_dockerfile(
    service: BuildService, project, docker_client: docker.DockerClient
) -> None:
    text = (
        "FROM debian:bookworm-slim\nCOPY hello.txt /srv/hello.txt\n"
        "RUN mkdir -p /srv/data && head -c 100000 /dev/zero > /srv/data/zeros\n"
        "RUN rm /srv/hello.txt\n"
    )
    ids = [service.submit(_spec(project, f"plain-{b}", text, b)) for b in ("buildkit", "classic")]
    records = service.wait(ids, timeout=120)
    assert [r.status for r in records] == ["succeeded", "succeeded"]
    sizes = [docker_client.images.get(r.image_id).attrs["Size"] for r in records]
    assert sizes[0] == sizes[1]
    labels = docker_client.images.get(records[0].image_id).labels
    assert labels["org.workbench.variant"] == "plain-buildkit"
    assert labels["org.workbench.project"] == "plain-project"
    assert len(labels["org.workbench.dockerfile-sha256"]) == 64


def test_a_cache_mount_builds_with_buildkit(service: BuildService, project) -> None:
    text = (
        "FROM debian:bookworm-slim\n"
        "RUN --mount=type=cache,target=/var/cache/probe echo cached > /var/cache/probe/x "
        "&& cat /var/cache/probe/x\n"
    )
    [record] = service.wait([service.submit(_spec(project, "mount", text))], timeout=120)
    assert record.builder == "buildkit"
    assert record.status == "succeeded", record.log
    with pytest.raises(BuildError, match="needs BuildKit"):
        service.submit(_spec(project, "mount", text, "classic"))


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_cancel_stops_a_running_build(service: BuildService, project, builder: str) -> None:
    # a fresh nonce keeps the step out of the cache; the output differs from the command
    nonce = time.time_ns()
    text = f"FROM debian:bookworm-slim\nRUN echo {nonce} && echo ST''ARTED && sleep 600\n"
    build_id = service.submit(_spec(project, "slow", text, builder))
    deadline = time.monotonic() + 60
    while "STARTED" not in (service.store.build(build_id).log or ""):
        assert time.monotonic() < deadline, "the build never started"
        time.sleep(0.2)
    assert _running(f"echo {nonce}")  # the step runs on the engine (local in CI)
    asked = time.monotonic()
    assert service.cancel(build_id)
    [record] = service.wait([build_id], timeout=90)
    assert record.status == "cancelled"
    assert time.monotonic() - asked < 60
    assert record.ended_at is not None
    # and the engine stopped the step itself, long before its sleep would have ended
    deadline = time.monotonic() + 30
    while _running(f"echo {nonce}"):
        assert time.monotonic() < deadline, "the cancelled step still runs on the engine"
        time.sleep(0.2)


def _running(command_part: str) -> bool:
    found = subprocess.run(["pgrep", "-f", command_part], capture_output=True, check=False)
    return any(int(pid) != os.getpid() for pid in found.stdout.split())


def test_two_requests_at_once_give_one_build(service: BuildService, project) -> None:
    text = "FROM debian:bookworm-slim\nRUN echo same && sleep 2\n"
    ids: list[int] = []
    barrier = threading.Barrier(2)

    def ask() -> None:
        barrier.wait()
        ids.append(service.submit(_spec(project, "twice", text)))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 1
    service.wait(ids, timeout=120)
    assert len(service.store.builds(variant="twice")) == 1


BUILD_THEN_HANG = """
import sys, time
from workbench.build.service import BuildService, BuildSpec
from workbench.project import load_project
from workbench.store import Store
project = load_project(sys.argv[1])
service = BuildService(Store())
text = "FROM debian:bookworm-slim\\nRUN sleep 120\\n"
build_id = service.submit(BuildSpec(project, "killed", text))
while service.store.build(build_id).status != "running":
    time.sleep(0.1)
print(build_id, flush=True)
time.sleep(600)
"""


def test_a_build_of_a_killed_process_shows_as_interrupted_after_restart(project) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", BUILD_THEN_HANG, str(project.path)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    build_id = int(child.stdout.readline())
    before = Store().builds()
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    service = BuildService(Store())
    assert build_id in service.interrupted
    record = service.store.build(build_id)
    assert record.status == "interrupted"
    assert [r.id for r in service.store.builds()] == [r.id for r in before]
