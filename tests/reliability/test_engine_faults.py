"""Faults with a real engine: the connection cut mid-build, an unpullable base image,
an image deleted before its analysis, the BuildKit CLI killed mid-build.

The shared engine is never restarted: a tiny proxy on 127.0.0.1 stands between the
workbench and the engine, and cutting it ends the connections the way an engine
restart does.  Every image made here is built FROM scratch or FROM a stand-in, is
tagged ``workbench/reliability-*`` and removed again.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import docker
import pytest

from tests.reliability import fakes
from tests.reliability.proxy import EngineProxy
from workbench.analysis import stored as analyses
from workbench.build import builders
from workbench.build.service import BuildService, BuildSpec
from workbench.errors import AnalysisError
from workbench.project import load_project
from workbench.store import LOG_CAP_BYTES, Store

pytestmark = pytest.mark.docker


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "reliability projét"
    folder.mkdir()
    (folder / "Dockerfile").write_text("FROM scratch\nCOPY hello.txt /\n", encoding="utf-8")
    (folder / "hello.txt").write_text("hello\n" * 100, encoding="utf-8")
    return folder


@pytest.fixture
def cleanup(docker_client: docker.DockerClient):
    """Remove the images a test made (by id), whatever happens."""
    made: list[str] = []
    yield made
    for image in made:
        with contextlib.suppress(docker.errors.DockerException):
            docker_client.images.remove(image, force=True)


def _spec(
    project: Path, variant: str, text: str, builder: str | None = None, no_cache: bool = False
) -> BuildSpec:
    loaded = load_project(project)
    return BuildSpec(loaded, variant, text, builder=builder, no_cache=no_cache)


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_a_base_image_that_cannot_be_pulled_points_to_bootstrap(
    faults, docker_client, project: Path, builder: str
) -> None:
    faults.inject(f"a build FROM an unpullable base image ({builder})")
    store = Store()
    service = BuildService(store)
    text = "FROM nonexistent.invalid/nothing:1\nRUN true\n"
    (record,) = service.wait([service.submit(_spec(project, "unpullable", text, builder))], 180)
    assert record.status == "failed"
    assert "nonexistent.invalid/nothing:1 cannot be pulled" in record.error
    assert "run `workbench bootstrap`" in record.error and "\n" not in record.error
    assert faults.check_builds(store, must_finish=[record.id]) == []
    if builder == "buildkit":  # and the CLI says it in one line
        (project / "Dockerfile").write_text(text, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "workbench.cli", "build", str(project)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 1 and "Traceback" not in done.stderr
        (line,) = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
        assert line.startswith("error: build of baseline failed: the base image nonexistent")
        assert line.endswith("or pull it yourself")


def test_an_image_deleted_before_its_analysis_is_one_line(
    faults, docker_client, project: Path, cleanup: list[str]
) -> None:
    store = Store()
    service = BuildService(store)
    text = "FROM scratch\nCOPY hello.txt /\n"
    (record,) = service.wait([service.submit(_spec(project, "reliability-gone", text))], 180)
    assert record.status == "succeeded", record.error
    cleanup.append(record.image_id)
    faults.inject("an image deleted between its build and its analysis")
    docker_client.images.remove(record.image_id, force=True)
    with pytest.raises(AnalysisError, match="the engine has no image"):
        analyses.analyze(docker_client, record.image_id)
    done = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "analyze", record.image_id],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: the engine has no image") and done.stderr.count("\n") == 1
    history = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "history"], capture_output=True, text=True
    )
    assert history.returncode == 0 and "reliability-gone" in history.stdout
    assert faults.check_builds(store, [record]) == []


@pytest.mark.parametrize("builder", ["classic", "buildkit"])
def test_the_engine_connection_cut_mid_build_fails_the_build_cleanly(
    faults,
    docker_client,
    project: Path,
    builder: str,
    monkeypatch: pytest.MonkeyPatch,
    cleanup: list[str],
) -> None:
    """The context upload is cut after 2 MB of 24: the build fails, never stays running."""
    (project / "big.bin").write_bytes(os.urandom(24_000_000))
    proxy = EngineProxy()
    monkeypatch.setenv("DOCKER_HOST", proxy.url)
    store = Store()
    service = BuildService(store)
    try:
        proxy.break_after = proxy.sent + 2_000_000
        faults.inject(f"the engine connection cut mid-build ({builder})")
        text = "FROM scratch\nCOPY big.bin /\n"
        (record,) = service.wait([service.submit(_spec(project, "cut", text, builder))], 300)
    finally:
        proxy.kill()
    assert proxy.killed.is_set()
    assert record.status == "failed", record
    assert record.error and "\n" not in record.error
    if record.image_id:
        cleanup.append(record.image_id)
    print(f"{builder}: {record.error}")
    assert faults.check_builds(store, must_finish=[record.id]) == []


def _children_running(marker: str) -> list[int]:
    """Pids of this process's children whose command line holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rpartition(")")[2].split()[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            if ppid == os.getpid() and marker.encode() in command:
                found.append(int(entry.name))
    return found


def test_the_buildkit_cli_killed_mid_build_fails_the_build(
    faults, docker_client, stand_ins, project: Path
) -> None:
    store = Store()
    service = BuildService(store)
    text = "FROM debian:bookworm-slim\nRUN echo started && sleep 120\n"
    killed = _spec(project, "reliability-killed", text, "buildkit", no_cache=True)
    build_id = service.submit(killed)
    # the step's own output (``#5 0.21 started``), not its header line, which quotes it
    fakes.wait_until(
        lambda: re.search(r"^#\d+ [\d.]+ started$", store.build(build_id).log, re.M), 120
    )
    (pid,) = _children_running(f"{load_project(project).name}:reliability-killed")
    faults.inject("the BuildKit CLI killed with SIGKILL mid-build")
    os.kill(pid, signal.SIGKILL)
    (record,) = service.wait([build_id], timeout=120)
    assert record.status == "failed"
    assert "exited with code -9" in record.error
    assert faults.check_builds(store, must_finish=[build_id]) == []
    assert builders.available_builders()  # the machine's builders still answer


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_noisy_non_utf8_build_output_is_stored_capped(
    faults, docker_client, stand_ins, project: Path, builder: str, cleanup: list[str]
) -> None:
    faults.inject(f"a real build printing non-UTF-8 bytes and ~3 MB of output ({builder})")
    store = Store()
    service = BuildService(store)
    text = (
        "FROM debian:bookworm-slim\n"
        "RUN printf 'caf\\351 \\377\\376 ok\\n' && head -c 3000000 /dev/zero | tr '\\0' x "
        "| fold -w 99 && echo the-end\n"
    )
    noisy = _spec(project, "noisy", text, builder, no_cache=True)  # really run the step
    (record,) = service.wait([service.submit(noisy)], 300)
    if record.image_id:
        cleanup.append(record.image_id)
    assert record.status == "succeeded", record.error
    assert "caf\ufffd \ufffd\ufffd ok" in record.log or record.log_truncated
    assert len(record.log) <= LOG_CAP_BYTES
    assert "the-end" in record.log or "log limit" in record.log  # BuildKit clips a step's log
    assert faults.check_builds(store, must_finish=[record.id]) == []


def _processes_with(marker: str) -> list[int]:
    """Pids of any process whose command line holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


def test_kill_9_of_workbench_build_mid_build_shows_interrupted_and_keeps_history(
    faults, docker_client, stand_ins, project: Path
) -> None:
    store = Store()
    for n in range(3):  # the history the fault must not touch
        build_id = store.add_build(
            project_key="history",
            project_path="/p",
            variant=f"v{n}",
            tag="t",
            builder="buildkit",
            request_key=f"history-{n}",
            dockerfile_sha256="d",
        )
        store.update_build(build_id, status="succeeded", ended_at=float(n), log=f"log {n}\n")
    before = store.builds()
    (project / "Dockerfile").write_text(
        "FROM debian:bookworm-slim\nRUN echo started && sleep 120\n", encoding="utf-8"
    )
    tag = f"workbench/{load_project(project).name}:baseline"
    child = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", "build", str(project), "--no-build-cache"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with fakes.reaped(child):
        fakes.wait_until(
            lambda: any("started" in r.log for r in store.builds(statuses=("running",))), 180
        )
        faults.inject("kill -9 of `workbench build` during a real build")
        fakes.kill_9(child)
    # the BuildKit CLI it started is told to stop (parent-death signal), not left building
    fakes.wait_until(lambda: not _processes_with(tag), timeout=60)
    history = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "history"], capture_output=True, text=True
    )
    assert history.returncode == 0
    (killed,) = [r for r in store.builds() if r.variant == "baseline"]
    assert killed.status == "interrupted" and "started" in killed.log
    assert f"#{killed.id:<4}" in history.stdout and " interrupted " in history.stdout
    assert faults.check_builds(store, before, must_finish=[killed.id]) == []
