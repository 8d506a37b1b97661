"""The store under faults: a full disk, many writers at once.

The full disk is real as far as SQLite is concerned: ``PRAGMA max_page_count`` caps
the file at its current size, so the next write that needs a page fails with
``SQLITE_FULL`` ("database or disk is full"), exactly as on a full disk.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.reliability import fakes
from workbench import store as store_module
from workbench.errors import StoreError
from workbench.store import Store


class _Disk:
    """Switches a simulated full disk on and off for every store connection."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.full = False
        self.refused: list[str] = []
        real_connect = sqlite3.connect
        disk = self

        class Connection(sqlite3.Connection):
            def execute(self, sql, *args):  # type: ignore[override]
                if disk.full and sql.lstrip().split()[0].upper() in ("INSERT", "UPDATE"):
                    disk.refused.append(sql)
                    raise sqlite3.OperationalError("database or disk is full")
                return super().execute(sql, *args)

        def connect(*args, **kwargs):
            db = real_connect(*args, factory=Connection, **kwargs)
            if disk.full:  # a real SQLITE_FULL for anything that needs a new page
                pages = db.execute("PRAGMA page_count").fetchone()[0]
                db.execute(f"PRAGMA max_page_count = {pages}")
            return db

        monkeypatch.setattr(store_module.sqlite3, "connect", connect)


def _real_full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    real_connect = sqlite3.connect

    def connect(*args, **kwargs):
        db = real_connect(*args, **kwargs)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")
        return db

    monkeypatch.setattr(store_module.sqlite3, "connect", connect)


def test_a_full_disk_while_storing_is_one_line_and_the_store_still_opens(
    faults, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "workbench.db")
    build_id = store.add_build(
        project_key="p",
        project_path="/p",
        variant="baseline",
        tag="t",
        builder="classic",
        request_key="k",
        dockerfile_sha256="d",
        status="succeeded",
    )
    store.append_build_log(build_id, "kept\n")
    store.save_analysis("sha256:1", "{}", {"size": 1})
    before = store.build(build_id)
    with monkeypatch.context() as patch:
        _real_full_disk(patch)
        faults.inject("the disk full while storing a build log")
        with pytest.raises(StoreError) as caught:
            store.append_build_log(build_id, "x" * 500_000)
        faults.inject("the disk full while storing an analysis")
        with pytest.raises(StoreError):
            store.save_analysis("sha256:2", "{}", {"blob": "y" * 500_000})
    message = str(caught.value)
    assert "database or disk is full" in message and "free some disk space" in message
    assert "\n" not in message
    reopened = Store(store.path)
    assert reopened.build(build_id) == before  # the failed write left nothing half done
    assert reopened.analysis("sha256:1", "{}") == {"size": 1}
    assert reopened.analysis("sha256:2", "{}") is None
    assert faults.check_builds(reopened, [before]) == []


def test_a_full_disk_when_a_build_ends_never_leaves_it_running(
    faults, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker survives, records the end once the disk has room, and builds on."""
    disk = _Disk(monkeypatch)
    store = Store(tmp_path / "workbench.db")
    fakes.install(monkeypatch, tmp_path)
    service = fakes.service(store)
    project = fakes.make_project(tmp_path / "project")
    build_id = service.submit(fakes.spec(project, "sleep"))
    fakes.wait_until(lambda: "working 2" in store.build(build_id).log)
    faults.inject("the disk full when a build ends")
    disk.full = True
    service.cancel(build_id)
    # the build's end was refused, then retried (not only the log writer's progress)
    fakes.wait_until(lambda: sum("status" in sql for sql in disk.refused) >= 2)
    disk.full = False
    (record,) = service.wait([build_id], timeout=60)
    assert record.status == "cancelled"
    (after,) = service.wait([service.submit(fakes.spec(project, "ok"))], timeout=60)
    assert after.status == "succeeded"
    assert faults.check_builds(store, must_finish=[build_id, after.id]) == []


WRITER = """
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from workbench.store import Store
store = Store(Path(sys.argv[2]))
for i in range(int(sys.argv[3])):
    build_id = store.add_build(project_key="proc", project_path="/p", variant=f"v{i}",
        tag="t", builder="classic", request_key=f"proc-{sys.argv[4]}-{i}",
        dockerfile_sha256="d")
    store.append_build_log(build_id, f"line {i}\\n")
    store.update_build(build_id, status="succeeded")
    store.save_analysis(f"sha256:{sys.argv[4]}-{i}", "{}", {"i": i})
"""


def test_many_concurrent_writers_never_see_database_is_locked(faults, tmp_path: Path) -> None:
    store = Store(tmp_path / "workbench.db")
    per_writer, threads_n, processes_n = 40, 6, 3
    errors: list[BaseException] = []

    def thread_writer(n: int) -> None:
        try:
            for i in range(per_writer):
                build_id = store.add_build(
                    project_key="thread",
                    project_path="/p",
                    variant=f"v{i}",
                    tag="t",
                    builder="classic",
                    request_key=f"thread-{n}-{i}",
                    dockerfile_sha256="d",
                )
                store.append_build_log(build_id, f"line {i}\n")
                store.update_build(build_id, status="succeeded")
                store.builds(limit=5)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    faults.inject(f"{threads_n} threads and {processes_n} processes writing the store at once")
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(REPO_ROOT), str(store.path), str(per_writer)]
            + [str(n)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(processes_n)
    ]
    threads = [threading.Thread(target=thread_writer, args=(n,)) for n in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outputs = [(p.wait(timeout=300), p.stderr.read()) for p in processes]
    assert errors == []
    assert outputs == [(0, "")] * processes_n
    records = store.builds(limit=10_000)
    assert len(records) == per_writer * (threads_n + processes_n)
    assert all(r.status == "succeeded" and r.log.startswith("line ") for r in records)
    assert len({r.request_key for r in records}) == len(records)
    assert faults.check_builds(store, must_finish=[r.id for r in records]) == []


def test_a_damaged_store_file_is_one_line_naming_the_fix(faults, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "workbench.db").write_bytes(b"this is not SQLite\n" * 1000)
    faults.inject("a store file that is not a database")
    with pytest.raises(StoreError, match="file is not a database; the file is damaged: move it"):
        Store(home / "workbench.db")
    done = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "history"],
        capture_output=True,
        text=True,
        env={**os.environ, "WORKBENCH_HOME": str(home)},
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: the store ") and done.stderr.count("\n") == 1
