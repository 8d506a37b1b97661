"""The store: SQLite in WAL mode under the workbench home, with schema migrations.

Every result the workbench produces (builds with their logs, analyses) is kept here,
so pages only read, a second tab sees the same progress, and history survives the
engine being down.  Each call opens its own short-lived connection, so threads and
processes can share the file; WAL plus a busy timeout keeps writers from failing.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from workbench.errors import StoreError
from workbench.home import workbench_home
from workbench.processes import host_name, pid_alive

DB_NAME = "workbench.db"
BUSY_TIMEOUT_MS = 10_000
LOG_CAP_BYTES = 2_000_000  # a build log keeps its last 2 MB
ACTIVE = ("queued", "running")
FINISHED = ("succeeded", "failed", "cancelled", "interrupted")

MIGRATIONS: list[str] = [
    # 1: builds
    """
    CREATE TABLE builds (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project_key TEXT NOT NULL,
        project_path TEXT NOT NULL,
        variant TEXT NOT NULL,
        tag TEXT NOT NULL,
        builder TEXT NOT NULL,
        status TEXT NOT NULL,
        request_key TEXT NOT NULL,
        dockerfile_sha256 TEXT NOT NULL,
        requested_at REAL NOT NULL,
        started_at REAL,
        ended_at REAL,
        duration_s REAL,
        image_id TEXT,
        steps_done INTEGER NOT NULL DEFAULT 0,
        steps_total INTEGER NOT NULL DEFAULT 0,
        cache_hits INTEGER NOT NULL DEFAULT 0,
        log TEXT NOT NULL DEFAULT '',
        log_truncated INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        failed_step TEXT,
        owner_pid INTEGER,
        owner_host TEXT
    );
    CREATE INDEX builds_by_project ON builds (project_key, variant, id);
    CREATE INDEX builds_by_status ON builds (status);
    """,
    # 2: analyses by image id, per-layer results by diff id
    """
    CREATE TABLE analyses (
        image_id TEXT NOT NULL,
        options TEXT NOT NULL,
        created_at REAL NOT NULL,
        result TEXT NOT NULL,
        PRIMARY KEY (image_id, options)
    );
    CREATE TABLE layer_results (
        diff_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        created_at REAL NOT NULL,
        result TEXT NOT NULL,
        PRIMARY KEY (diff_id, kind)
    );
    """,
    # 3: rebuild costs per project, variant and builder
    """
    CREATE TABLE rebuild_costs (
        project_key TEXT NOT NULL,
        variant TEXT NOT NULL,
        builder TEXT NOT NULL,
        warm_s REAL NOT NULL,
        source_change_s REAL NOT NULL,
        lock_change_s REAL,
        measured_at REAL NOT NULL,
        PRIMARY KEY (project_key, variant, builder)
    );
    """,
    # 4: the Dockerfile text of each build (analyses read the application paths from it)
    """
    ALTER TABLE builds ADD COLUMN dockerfile TEXT NOT NULL DEFAULT '';
    """,
    # 5: registry pushes (measured compressed sizes), smoke tests, dependency audits
    """
    CREATE TABLE pushes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        image_id TEXT NOT NULL,
        registry TEXT NOT NULL,
        reference TEXT NOT NULL,
        manifest_digest TEXT,
        total_bytes INTEGER NOT NULL,
        layers TEXT NOT NULL,
        seconds REAL NOT NULL,
        pushed_at REAL NOT NULL
    );
    CREATE INDEX pushes_by_image ON pushes (image_id, id);
    CREATE TABLE smoke_results (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        image_id TEXT NOT NULL,
        passed INTEGER NOT NULL,
        result TEXT NOT NULL,
        checked_at REAL NOT NULL
    );
    CREATE INDEX smoke_by_image ON smoke_results (image_id, id);
    CREATE TABLE audits (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project_key TEXT NOT NULL,
        image_id TEXT,
        result TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE INDEX audits_by_project ON audits (project_key, id);
    """,
    # 6: per image, every file with its component and bytes (what a diff's file changes read)
    """
    CREATE TABLE file_tables (
        image_id TEXT NOT NULL,
        options TEXT NOT NULL,
        created_at REAL NOT NULL,
        result BLOB NOT NULL,
        PRIMARY KEY (image_id, options)
    );
    """,
    # 7: optimize runs: their progress (step N of M, the current build) and their result
    """
    CREATE TABLE optimize_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project_key TEXT NOT NULL,
        project_path TEXT NOT NULL,
        status TEXT NOT NULL,
        step INTEGER NOT NULL DEFAULT 0,
        steps_total INTEGER NOT NULL DEFAULT 0,
        current TEXT NOT NULL DEFAULT '',
        build_id INTEGER,
        result TEXT,
        error TEXT,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        requested_at REAL NOT NULL,
        started_at REAL,
        ended_at REAL,
        owner_pid INTEGER,
        owner_host TEXT
    );
    CREATE INDEX optimize_runs_by_project ON optimize_runs (project_key, id);
    """,
]


def _hint(exc: sqlite3.Error) -> str:
    """What to do about an SQLite error, when we can tell."""
    message = str(exc).lower()
    if "full" in message:
        return "; free some disk space (the store keeps what it had) and try again"
    if "not a database" in message or "malformed" in message:
        return "; the file is damaged: move it aside (a new, empty store is then made)"
    if "readonly" in message or "unable to open" in message:
        return "; make the workbench home writable, or point WORKBENCH_HOME elsewhere"
    return ""


@dataclass(frozen=True)
class BuildRecord:
    """One build, as kept in the store."""

    id: int
    project_key: str
    project_path: str
    variant: str
    tag: str
    builder: str
    status: str
    request_key: str
    dockerfile_sha256: str
    requested_at: float
    started_at: float | None
    ended_at: float | None
    duration_s: float | None
    image_id: str | None
    steps_done: int
    steps_total: int
    cache_hits: int
    log: str
    log_truncated: int
    error: str | None
    failed_step: str | None
    owner_pid: int | None
    owner_host: str | None
    dockerfile: str = ""

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.splitlines()[-lines:])

    def summary(self) -> dict[str, Any]:
        """The fields ``workbench build --json`` and ``history --json`` print."""
        return {
            "id": self.id,
            "variant": self.variant,
            "tag": self.tag,
            "image_id": self.image_id,
            "status": self.status,
            "builder": self.builder,
            "duration_s": round(self.duration_s, 2) if self.duration_s is not None else None,
            "cache_hits": self.cache_hits,
            "steps": f"{self.steps_done}/{self.steps_total}",
            "error": self.error,
            "failed_step": self.failed_step,
            "project": self.project_path,
            "requested_at": self.requested_at,
        }


_BUILD_COLUMNS = [f.name for f in fields(BuildRecord)]


class Store:
    """The workbench's SQLite store."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or workbench_home() / DB_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            self._migrate(db)

    @contextlib.contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in a transaction, committed on success, always closed."""
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc}") from exc
        db.row_factory = sqlite3.Row
        try:
            db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            with db:
                yield db
        except sqlite3.DatabaseError as exc:  # OperationalError too: locked, full, read-only
            raise StoreError(f"the store {self.path} failed: {exc}{_hint(exc)}") from exc
        finally:
            db.close()

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreError(
                f"the store has schema {version}, newer than this workbench knows "
                f"({len(MIGRATIONS)}); upgrade the workbench"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            db.executescript(f"BEGIN; {script}; PRAGMA user_version={number}; COMMIT;")

    @property
    def schema_version(self) -> int:
        with self.connect() as db:
            return int(db.execute("PRAGMA user_version").fetchone()[0])

    # builds -----------------------------------------------------------------

    def add_build(self, **values: Any) -> int:
        values.setdefault("requested_at", time.time())
        values.setdefault("status", "queued")
        values.setdefault("owner_pid", os.getpid())
        values.setdefault("owner_host", host_name())
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        with self.connect() as db:
            cursor = db.execute(
                f"INSERT INTO builds ({columns}) VALUES ({marks})", list(values.values())
            )
            return int(cursor.lastrowid)

    def update_build(self, build_id: int, **values: Any) -> None:
        if not values:
            return
        unknown = set(values) - set(_BUILD_COLUMNS)
        if unknown:
            raise ValueError(f"unknown build fields: {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in values)
        with self.connect() as db:
            db.execute(
                f"UPDATE builds SET {assignments} WHERE id = ?", [*values.values(), build_id]
            )

    def append_build_log(self, build_id: int, text: str) -> None:
        """Append to a build's log, keeping only the last :data:`LOG_CAP_BYTES`."""
        if not text:
            return
        with self.connect() as db:
            row = db.execute("SELECT log FROM builds WHERE id = ?", (build_id,)).fetchone()
            if row is None:
                return
            log = row["log"] + text
            truncated = len(log) > LOG_CAP_BYTES
            if truncated:
                log = log[-LOG_CAP_BYTES:]
                log = log[log.find("\n") + 1 :] if "\n" in log else log
            db.execute(
                "UPDATE builds SET log = ?, log_truncated = MAX(log_truncated, ?) WHERE id = ?",
                (log, int(truncated), build_id),
            )

    def build(self, build_id: int) -> BuildRecord | None:
        with self.connect() as db:
            row = db.execute("SELECT * FROM builds WHERE id = ?", (build_id,)).fetchone()
        return BuildRecord(**dict(row)) if row else None

    def builds(
        self,
        *,
        project_key: str | None = None,
        variant: str | None = None,
        statuses: tuple[str, ...] | None = None,
        limit: int = 200,
    ) -> list[BuildRecord]:
        """Builds, newest first, optionally filtered."""
        where, params = [], []
        if project_key is not None:
            where.append("project_key = ?")
            params.append(project_key)
        if variant is not None:
            where.append("variant = ?")
            params.append(variant)
        if statuses:
            where.append(f"status IN ({', '.join('?' for _ in statuses)})")
            params.extend(statuses)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        with self.connect() as db:
            rows = db.execute(
                f"SELECT * FROM builds {clause} ORDER BY id DESC LIMIT ?", [*params, limit]
            ).fetchall()
        return [BuildRecord(**dict(row)) for row in rows]

    def active_build_for(self, request_key: str) -> BuildRecord | None:
        with self.connect() as db:
            row = db.execute(
                "SELECT * FROM builds WHERE request_key = ? AND status IN ('queued', 'running') "
                "ORDER BY id DESC LIMIT 1",
                (request_key,),
            ).fetchone()
        return BuildRecord(**dict(row)) if row else None

    def dockerfiles_by_sha(self, sha256: str) -> list[str]:
        """Dockerfile texts of builds with this digest (newest first)."""
        with self.connect() as db:
            rows = db.execute(
                "SELECT dockerfile FROM builds WHERE dockerfile_sha256 = ? AND dockerfile != '' "
                "ORDER BY id DESC LIMIT 1",
                (sha256,),
            ).fetchall()
        return [row["dockerfile"] for row in rows]

    def latest_images(self, project_key: str) -> dict[str, BuildRecord]:
        """Per variant, the newest succeeded build of a project."""
        latest: dict[str, BuildRecord] = {}
        for record in self.builds(project_key=project_key, statuses=("succeeded",), limit=1000):
            latest.setdefault(record.variant, record)
        return latest

    def mark_interrupted(self) -> list[int]:
        """Mark builds left queued or running by a process that is gone as interrupted.

        Returns:
            The ids of the builds marked.
        """
        host = host_name()
        marked = []
        with self.connect() as db:
            rows = db.execute(
                "SELECT id, owner_pid, owner_host FROM builds WHERE status IN ('queued', 'running')"
            ).fetchall()
            for row in rows:
                same_host = row["owner_host"] == host
                if same_host and row["owner_pid"] and pid_alive(int(row["owner_pid"])):
                    continue
                if not same_host:
                    continue  # another machine's process: we cannot tell, leave it
                db.execute(
                    "UPDATE builds SET status = 'interrupted', ended_at = ?, "
                    "error = COALESCE(error, 'the process running this build stopped') "
                    "WHERE id = ?",
                    (time.time(), row["id"]),
                )
                marked.append(int(row["id"]))
        return marked

    # analyses ---------------------------------------------------------------

    def save_analysis(self, image_id: str, options: str, result: dict[str, Any]) -> None:
        with self.connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO analyses (image_id, options, created_at, result) "
                "VALUES (?, ?, ?, ?)",
                (image_id, options, time.time(), json.dumps(result)),
            )

    def analysis(self, image_id: str, options: str) -> dict[str, Any] | None:
        with self.connect() as db:
            row = db.execute(
                "SELECT result FROM analyses WHERE image_id = ? AND options = ?",
                (image_id, options),
            ).fetchone()
        return json.loads(row["result"]) if row else None

    def all_analyses(self, limit: int = 500, schema: int | None = None) -> list[dict[str, Any]]:
        """Every stored analysis, newest first (one per image: the latest options);
        with ``schema``, only analyses of that result schema (older ones are stale)."""
        with self.connect() as db:
            rows = db.execute(
                "SELECT image_id, result FROM analyses "
                "WHERE ? IS NULL OR json_extract(result, '$.schema') = ? "
                "ORDER BY created_at DESC LIMIT ?",
                (schema, schema, limit),
            ).fetchall()
        seen, results = set(), []
        for row in rows:
            if row["image_id"] not in seen:
                seen.add(row["image_id"])
                results.append(json.loads(row["result"]))
        return results

    def latest_analysis(self, image_id: str, schema: int | None = None) -> dict[str, Any] | None:
        """The newest analysis of an image, whatever its options; with ``schema``, the
        newest of that result schema (older ones are stale)."""
        with self.connect() as db:
            row = db.execute(
                "SELECT result FROM analyses WHERE image_id = ? "
                "AND (? IS NULL OR json_extract(result, '$.schema') = ?) "
                "ORDER BY created_at DESC LIMIT 1",
                (image_id, schema, schema),
            ).fetchone()
        return json.loads(row["result"]) if row else None

    def analysed_sizes(self, image_ids: list[str], schema: int | None = None) -> dict[str, int]:
        """Per image that has an analysis (of that result schema), its size in bytes."""
        if not image_ids:
            return {}
        marks = ", ".join("?" for _ in image_ids)
        with self.connect() as db:
            rows = db.execute(
                "SELECT image_id, json_extract(result, '$.size_bytes') AS size FROM analyses "
                f"WHERE image_id IN ({marks}) "
                "AND (? IS NULL OR json_extract(result, '$.schema') = ?) "
                "ORDER BY created_at",
                [*image_ids, schema, schema],
            ).fetchall()
        return {row["image_id"]: int(row["size"]) for row in rows if row["size"] is not None}

    def save_layer_result(self, diff_id: str, kind: str, result: dict[str, Any]) -> None:
        with self.connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO layer_results (diff_id, kind, created_at, result) "
                "VALUES (?, ?, ?, ?)",
                (diff_id, kind, time.time(), json.dumps(result)),
            )

    def layer_result(self, diff_id: str, kind: str) -> dict[str, Any] | None:
        with self.connect() as db:
            row = db.execute(
                "SELECT result FROM layer_results WHERE diff_id = ? AND kind = ?",
                (diff_id, kind),
            ).fetchone()
        return json.loads(row["result"]) if row else None

    def save_file_table(self, image_id: str, options: str, result: bytes) -> None:
        """Keep an image's file table (compressed JSON, see
        :mod:`workbench.compare.file_lists`), replacing one with the same options."""
        with self.connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO file_tables (image_id, options, created_at, result) "
                "VALUES (?, ?, ?, ?)",
                (image_id, options, time.time(), result),
            )

    def file_table(self, image_id: str, options: str) -> bytes | None:
        with self.connect() as db:
            row = db.execute(
                "SELECT result FROM file_tables WHERE image_id = ? AND options = ?",
                (image_id, options),
            ).fetchone()
        return bytes(row["result"]) if row else None

    # rebuild costs ------------------------------------------------------------

    def save_rebuild_cost(self, cost: dict[str, Any]) -> None:
        columns = ", ".join(cost)
        marks = ", ".join("?" for _ in cost)
        with self.connect() as db:
            db.execute(
                f"INSERT OR REPLACE INTO rebuild_costs ({columns}) VALUES ({marks})",
                list(cost.values()),
            )

    def rebuild_costs(self, project_key: str) -> list[dict[str, Any]]:
        with self.connect() as db:
            rows = db.execute(
                "SELECT * FROM rebuild_costs WHERE project_key = ? ORDER BY variant",
                (project_key,),
            ).fetchall()
        return [dict(row) for row in rows]

    # registry pushes ------------------------------------------------------------

    def save_push(self, **values: Any) -> int:
        """Keep a push: image_id, registry, reference, manifest_digest, total_bytes,
        layers (a list, stored as JSON), seconds."""
        values = {**values, "layers": json.dumps(values.get("layers", []))}
        values.setdefault("pushed_at", time.time())
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        with self.connect() as db:
            cursor = db.execute(
                f"INSERT INTO pushes ({columns}) VALUES ({marks})", list(values.values())
            )
            return int(cursor.lastrowid)

    def latest_push(self, image_id: str) -> dict[str, Any] | None:
        """The newest push of an image, its layers decoded."""
        with self.connect() as db:
            row = db.execute(
                "SELECT * FROM pushes WHERE image_id = ? ORDER BY id DESC LIMIT 1", (image_id,)
            ).fetchone()
        if row is None:
            return None
        return {**dict(row), "layers": json.loads(row["layers"])}

    # smoke tests -----------------------------------------------------------------

    def save_smoke_result(self, image_id: str, passed: bool, result: dict[str, Any]) -> int:
        with self.connect() as db:
            cursor = db.execute(
                "INSERT INTO smoke_results (image_id, passed, result, checked_at) "
                "VALUES (?, ?, ?, ?)",
                (image_id, int(passed), json.dumps(result), time.time()),
            )
            return int(cursor.lastrowid)

    def latest_smoke_result(self, image_id: str) -> dict[str, Any] | None:
        with self.connect() as db:
            row = db.execute(
                "SELECT * FROM smoke_results WHERE image_id = ? ORDER BY id DESC LIMIT 1",
                (image_id,),
            ).fetchone()
        if row is None:
            return None
        return {
            **json.loads(row["result"]),
            "passed": bool(row["passed"]),
            "checked_at": row["checked_at"],
        }

    # dependency audits -------------------------------------------------------------

    def save_audit(self, project_key: str, image_id: str | None, result: dict[str, Any]) -> int:
        with self.connect() as db:
            cursor = db.execute(
                "INSERT INTO audits (project_key, image_id, result, created_at) "
                "VALUES (?, ?, ?, ?)",
                (project_key, image_id, json.dumps(result), time.time()),
            )
            return int(cursor.lastrowid)

    def latest_audit(self, project_key: str) -> dict[str, Any] | None:
        with self.connect() as db:
            row = db.execute(
                "SELECT * FROM audits WHERE project_key = ? ORDER BY id DESC LIMIT 1",
                (project_key,),
            ).fetchone()
        if row is None:
            return None
        return {
            **json.loads(row["result"]),
            "image_id": row["image_id"],
            "created_at": row["created_at"],
        }
