"""Builds under faults, with no engine: the real build service and store, a fake docker CLI.

Every test counts the faults it injects and hands the store to the tally, which
counts a build as lost when its record disappeared, a finished record changed, or a
build that should have ended is still queued or running.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.reliability import fakes
from workbench.store import LOG_CAP_BYTES, Store


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project in a folder whose name has a space and non-ASCII letters."""
    return fakes.make_project(tmp_path / "mon projet été")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store" / "workbench.db")


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, store: Store):
    fakes.install(monkeypatch, tmp_path)
    return fakes.service(store)


def _history(service, project: Path) -> list:
    """A few finished builds, the history a fault must not touch."""
    ids = [service.submit(fakes.spec(project, name)) for name in ("ok", "fail", "bytes")]
    return service.wait(ids, timeout=60)


CHILD = """
import sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from tests.reliability import fakes
from workbench.build import builders
from workbench.store import Store
builders.choose_builder = fakes.chooser(fakes.fake_builder(Path(sys.argv[4])))
service = fakes.service(Store(Path(sys.argv[2])))
print(service.submit(fakes.spec(Path(sys.argv[3]), "sleep")), flush=True)
time.sleep(600)
"""


def test_kill_9_during_a_build_marks_it_interrupted_and_keeps_the_history(
    faults, service, store: Store, project: Path, tmp_path: Path
) -> None:
    before = _history(service, project)
    assert [r.status for r in before] == ["succeeded", "failed", "succeeded"]
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(REPO_ROOT), str(store.path), str(project)]
        + [str(tmp_path / "fake-docker")],
        stdout=subprocess.PIPE,
        text=True,
    )
    with fakes.reaped(child):
        build_id = int(child.stdout.readline())
        fakes.wait_until(lambda: "working 3" in store.build(build_id).log)
        assert store.build(build_id).status == "running"
        faults.inject("kill -9 of the process running a build")
        fakes.kill_9(child)
    restarted = fakes.service(Store(store.path))  # the app starting again
    assert build_id in restarted.interrupted
    record = store.build(build_id)
    assert record.status == "interrupted"
    assert record.error == "the process running this build stopped"
    assert "working 3" in record.log  # what it printed before dying is kept
    assert faults.check_builds(store, before, must_finish=[build_id]) == []


def test_the_cli_dying_mid_build_fails_the_build_cleanly(faults, service, store, project) -> None:
    before = _history(service, project)
    faults.inject("the docker CLI killed mid-build (as when the engine connection breaks)")
    build_id = service.submit(fakes.spec(project, "die"))
    (record,) = service.wait([build_id], timeout=60)
    assert record.status == "failed"
    assert "exited with code -9" in record.error and "\n" not in record.error
    assert "half way" in record.log
    assert faults.check_builds(store, before, must_finish=[build_id]) == []
    # the worker survived: the next build runs
    (after,) = service.wait([service.submit(fakes.spec(project, "ok"))], timeout=60)
    assert after.status == "succeeded"


def test_a_cli_that_loses_the_engine_fails_the_build_saying_why(
    faults, service, store, project
) -> None:
    faults.inject("the docker CLI losing the engine connection (its own message, exit 1)")
    (record,) = service.wait([service.submit(fakes.spec(project, "cut"))], timeout=60)
    assert record.status == "failed"
    assert record.error.startswith("docker build exited with code 1: error during connect: ")
    assert record.error.endswith('"http://127.0.0.1:9/v1.41/build": EOF')
    assert faults.check_builds(store, must_finish=[record.id]) == []


def test_cancelling_a_running_build_ends_it_cancelled(faults, service, store, project) -> None:
    build_id = service.submit(fakes.spec(project, "sleep"))
    fakes.wait_until(lambda: "working 2" in store.build(build_id).log)
    faults.inject("a running build cancelled")
    assert service.cancel(build_id)
    (record,) = service.wait([build_id], timeout=60)
    assert record.status == "cancelled"
    assert faults.check_builds(store, must_finish=[build_id]) == []


def test_a_huge_build_log_is_capped_with_its_tail_kept(faults, service, store, project) -> None:
    faults.inject(f"a build printing {fakes.HUGE_LOG_LINES} lines (~6 MB)")
    (record,) = service.wait([service.submit(fakes.spec(project, "huge"))], timeout=120)
    assert record.status == "succeeded"
    assert record.log_truncated == 1
    assert len(record.log) <= LOG_CAP_BYTES
    assert f"line {fakes.HUGE_LOG_LINES - 1:08d}" in record.log
    assert "line 00000000" not in record.log
    assert record.log.endswith("#3 DONE 0.1s\n")
    assert record.log.splitlines()[0].startswith("#3 line ")  # cut at a line boundary
    assert faults.check_builds(store, must_finish=[record.id]) == []


def test_non_utf8_build_output_is_stored_with_replacement_chars(
    faults, service, store, project
) -> None:
    faults.inject("build output that is not UTF-8")
    (record,) = service.wait([service.submit(fakes.spec(project, "bytes"))], timeout=60)
    assert record.status == "succeeded"
    assert "caf\ufffd \ufffd\ufffd\ufffd ok" in record.log
    assert faults.check_builds(store, must_finish=[record.id]) == []


def test_secret_build_args_are_masked_and_never_stored(faults, service, store, project) -> None:
    secret = "hunter2-s3cr3t-token-value"
    faults.inject("a build printing its secret build argument")
    build = fakes.spec(project, "secret", build_args={"API_TOKEN": secret})
    (record,) = service.wait([service.submit(build)], timeout=60)
    assert record.status == "succeeded"
    assert "API_TOKEN=****" in record.log
    del service  # the worker's connections are closed after each write
    for path in store.path.parent.iterdir():  # the database, its WAL and shared memory
        assert secret.encode() not in path.read_bytes(), path.name
    assert faults.check_builds(store, must_finish=[record.id]) == []


def test_two_tabs_asking_for_the_same_build_at_once_get_one_build(
    faults, service, store, project
) -> None:
    faults.inject("two threads submitting the same build at the same moment")
    barrier = threading.Barrier(2)
    ids: list[int] = []

    def tab() -> None:
        barrier.wait()
        ids.append(service.submit(fakes.spec(project, "sleep")))

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 2 and ids[0] == ids[1]
    assert len(store.builds(variant="sleep")) == 1
    service.cancel(ids[0])
    service.wait(ids, timeout=60)
    assert faults.check_builds(store, must_finish=ids[:1]) == []


def _orphan(store: Store) -> int:
    """A build left running by a process that is gone (a pid no process has)."""
    build_id = store.add_build(
        project_key="p",
        project_path="/p",
        variant="orphan",
        tag="t",
        builder="buildkit",
        request_key="orphan",
        dockerfile_sha256="d",
        owner_pid=2**22 + 4321,
    )
    store.update_build(build_id, status="running", started_at=1.0)
    return build_id


def test_after_a_restart_the_history_and_the_app_show_interrupted(
    faults, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`workbench history` and the app's start both mark a dead process's builds."""
    from streamlit.testing.v1 import AppTest

    home = tmp_path / "home"
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    store = Store()
    faults.inject("a build left running by a process that died (seen by `workbench history`)")
    first = _orphan(store)
    done = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "history"], capture_output=True, text=True
    )
    assert done.returncode == 0 and " orphan       interrupted " in done.stdout
    assert store.build(first).status == "interrupted"

    faults.inject("a build left running by a process that died (seen by the app's start)")
    second = _orphan(store)
    app = AppTest.from_file(str(REPO_ROOT / "streamlit_app.py"), default_timeout=60)
    app.run()
    assert not app.exception
    assert store.build(second).status == "interrupted"
    assert faults.check_builds(store, must_finish=[first, second]) == []
