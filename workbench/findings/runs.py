"""Optimize runs kept in the store: their progress while they run, their result after.

A run is written as it goes (the step it is on, what it is doing, the build it waits
for), so that a page reloaded or opened in a second tab shows the same progress, and a
cancel asked from either reaches the worker (it reads :attr:`OptimizeRun.cancel_requested`
between its waits).  A run left running by a process that died is marked interrupted
when the store is next read.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, fields
from typing import Any

from workbench.processes import host_name, pid_alive
from workbench.project import Project
from workbench.store import Store

QUEUED, RUNNING = "queued", "running"
SUCCEEDED, FAILED, CANCELLED, INTERRUPTED = "succeeded", "failed", "cancelled", "interrupted"
ACTIVE = (QUEUED, RUNNING)


@dataclass(frozen=True)
class OptimizeRun:
    """One optimize run, as kept in the store.

    Attributes:
        id: its number.
        project_key: the project's store key.
        project_path: the project folder.
        status: queued, running, succeeded, failed, cancelled or interrupted.
        step: the step it is on (1-based; 0 before the first).
        steps_total: how many steps it plans (the baseline, each fix, the optimized build).
        current: what it is doing now, in a few words.
        build_id: the build it waits for (its log tail is the progress to show).
        result: the :class:`~workbench.findings.optimize.Optimization` so far, as JSON data.
        error: why it failed, in one line.
        cancel_requested: a cancel was asked for.
        requested_at: when it was asked for (epoch seconds).
        started_at: when its work began.
        ended_at: when it ended.
        owner_pid: the process running it.
        owner_host: that process's machine.
    """

    id: int
    project_key: str
    project_path: str
    status: str
    step: int
    steps_total: int
    current: str
    build_id: int | None
    result: dict[str, Any] | None
    error: str | None
    cancel_requested: bool
    requested_at: float
    started_at: float | None
    ended_at: float | None
    owner_pid: int | None
    owner_host: str | None

    @property
    def finished(self) -> bool:
        return self.status not in ACTIVE


_COLUMNS = {f.name for f in fields(OptimizeRun)}


def _row(row: Any) -> OptimizeRun:
    values = dict(row)
    values["result"] = json.loads(values["result"]) if values.get("result") else None
    values["cancel_requested"] = bool(values["cancel_requested"])
    return OptimizeRun(**values)


def add_run(store: Store, project: Project) -> int:
    """Record a new, queued run of a project; its id."""
    with store.connect() as db:
        cursor = db.execute(
            "INSERT INTO optimize_runs (project_key, project_path, status, requested_at, "
            "owner_pid, owner_host) VALUES (?, ?, ?, ?, ?, ?)",
            (project.key, str(project.path), QUEUED, time.time(), os.getpid(), host_name()),
        )
        return int(cursor.lastrowid)


def update_run(store: Store, run_id: int, **values: Any) -> None:
    """Change some fields of a run (``result`` is stored as JSON).

    Raises:
        ValueError: a field the run does not have.
    """
    unknown = set(values) - _COLUMNS
    if unknown:
        raise ValueError(f"unknown optimize-run fields: {sorted(unknown)}")
    if "result" in values and values["result"] is not None:
        values["result"] = json.dumps(values["result"])
    if not values:
        return
    assignments = ", ".join(f"{name} = ?" for name in values)
    with store.connect() as db:
        db.execute(
            f"UPDATE optimize_runs SET {assignments} WHERE id = ?", [*values.values(), run_id]
        )


def get_run(store: Store, run_id: int) -> OptimizeRun | None:
    """A run by its id, ``None`` if there is none."""
    with store.connect() as db:
        row = db.execute("SELECT * FROM optimize_runs WHERE id = ?", (run_id,)).fetchone()
    return _row(row) if row else None


def latest_run(store: Store, project_key: str) -> OptimizeRun | None:
    """The newest run of a project (runs a dead process left running marked first)."""
    mark_interrupted(store)
    with store.connect() as db:
        row = db.execute(
            "SELECT * FROM optimize_runs WHERE project_key = ? ORDER BY id DESC LIMIT 1",
            (project_key,),
        ).fetchone()
    return _row(row) if row else None


def request_cancel(store: Store, run_id: int) -> bool:
    """Ask a queued or running run to stop; ``False`` when it has already ended."""
    with store.connect() as db:
        cursor = db.execute(
            "UPDATE optimize_runs SET cancel_requested = 1 WHERE id = ? "
            "AND status IN ('queued', 'running')",
            (run_id,),
        )
        return cursor.rowcount > 0


def mark_interrupted(store: Store) -> list[int]:
    """Mark the runs this machine's dead processes left queued or running as interrupted.

    Returns:
        The ids of the runs marked.
    """
    host = host_name()
    marked = []
    with store.connect() as db:
        rows = db.execute(
            "SELECT id, owner_pid, owner_host FROM optimize_runs "
            "WHERE status IN ('queued', 'running')"
        ).fetchall()
        for row in rows:
            if row["owner_host"] != host:
                continue  # another machine's process: we cannot tell
            if row["owner_pid"] and pid_alive(int(row["owner_pid"])):
                continue
            db.execute(
                "UPDATE optimize_runs SET status = ?, ended_at = ?, "
                "error = COALESCE(error, 'the process running it stopped') WHERE id = ?",
                (INTERRUPTED, time.time(), row["id"]),
            )
            marked.append(int(row["id"]))
    return marked
