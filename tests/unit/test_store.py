from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from workbench.errors import StoreError
from workbench.store import LOG_CAP_BYTES, MIGRATIONS, Store


def _build(store: Store, **extra) -> int:
    values = dict(
        project_key="p-1",
        project_path="/p",
        variant="baseline",
        tag="workbench/p:baseline",
        builder="classic",
        request_key="k",
        dockerfile_sha256="0" * 64,
    )
    return store.add_build(**{**values, **extra})


def test_a_new_store_is_at_the_latest_schema_and_in_wal_mode() -> None:
    store = Store()
    assert store.schema_version == len(MIGRATIONS)
    with store.connect() as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_old_store_is_migrated_and_keeps_its_builds(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0] + "; PRAGMA user_version=1;")
    db.execute(
        "INSERT INTO builds (project_key, project_path, variant, tag, builder, status, "
        "request_key, dockerfile_sha256, requested_at) VALUES "
        "('p', '/p', 'baseline', 't', 'classic', 'succeeded', 'k', 'x', 1.0)"
    )
    db.commit()
    db.close()
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    [record] = store.builds()
    assert record.status == "succeeded" and record.dockerfile == ""


def test_a_store_newer_than_the_workbench_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(StoreError, match="upgrade the workbench"):
        Store(path)


def test_a_huge_log_keeps_its_tail() -> None:
    store = Store()
    build_id = _build(store)
    line = "x" * 99 + "\n"
    for _ in range(3):
        store.append_build_log(build_id, line * (LOG_CAP_BYTES // 200))
    store.append_build_log(build_id, "the last line\n")
    record = store.build(build_id)
    assert record.log_truncated
    assert len(record.log) <= LOG_CAP_BYTES
    assert record.log.endswith("the last line\n")
    assert record.log.startswith("x")


def test_builds_of_dead_processes_become_interrupted_and_live_ones_stay() -> None:
    store = Store()
    dead = _build(store, status="running", owner_pid=2**22 + 12345)
    alive = _build(store, status="running")  # this process
    assert store.mark_interrupted() == [dead]
    assert store.build(dead).status == "interrupted"
    assert store.build(alive).status == "running"


def test_pushes_smoke_results_and_audits_round_trip() -> None:
    store = Store()
    store.save_push(
        image_id="sha256:a",
        registry="127.0.0.1:5000",
        reference="r:t",
        manifest_digest="sha256:m",
        total_bytes=10,
        layers=[{"size": 10}],
        seconds=1,
    )
    assert store.latest_push("sha256:a")["layers"] == [{"size": 10}]
    store.save_smoke_result("sha256:a", False, {"exit_code": 1})
    assert store.latest_smoke_result("sha256:a") | {"checked_at": 0} == {
        "exit_code": 1,
        "passed": False,
        "checked_at": 0,
    }
    store.save_audit("p-1", "sha256:a", {"candidates": []})
    assert store.latest_audit("p-1")["candidates"] == []
    assert store.latest_audit("other") is None


def test_analyses_of_an_older_result_schema_are_left_out_when_asked(tmp_path: Path) -> None:
    store = Store(tmp_path / "store.db")
    store.save_analysis("sha256:a", "v1-plain-x", {"schema": 1, "image_id": "sha256:a"})
    store.save_analysis("sha256:b", "v2-plain-x", {"schema": 2, "image_id": "sha256:b"})
    assert store.latest_analysis("sha256:a")["schema"] == 1
    assert store.latest_analysis("sha256:a", schema=2) is None
    assert store.latest_analysis("sha256:b", schema=2)["image_id"] == "sha256:b"
    assert [a["image_id"] for a in store.all_analyses(schema=2)] == ["sha256:b"]
    assert len(store.all_analyses()) == 2
