"""Analyses in the background: one worker per process, results kept in the store.

A page asks for an analysis and returns at once; the worker thread (owned by the
process, not by a page run) analyses images one at a time and stores the result, so a
rerun or a second tab sees the same job and, when it ends, the stored analysis.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import docker

from workbench import analyses, engine
from workbench.store import Store


@dataclass(frozen=True)
class AnalysisJob:
    """The state of one requested analysis."""

    image_id: str
    state: str  # "queued", "running", "done" or "failed"
    requested_at: float
    started_at: float | None = None
    ended_at: float | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")


class AnalysisJobs:
    """The process's analysis queue."""

    def __init__(
        self, store: Store, client_factory: Callable[[], docker.DockerClient] = engine.connect
    ) -> None:
        self.store = store
        self.client_factory = client_factory
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workbench-analysis")
        self._jobs: dict[str, AnalysisJob] = {}
        self._futures: dict[str, Future] = {}
        self._lock = threading.Lock()

    def submit(self, image_id: str, *, compress: bool = True) -> AnalysisJob:
        """Queue an analysis unless one of the same image is queued or running."""
        with self._lock:
            job = self._jobs.get(image_id)
            if job is not None and not job.finished:
                return job
            job = AnalysisJob(image_id, "queued", time.time())
            self._jobs[image_id] = job
            self._futures[image_id] = self._executor.submit(self._run, image_id, compress)
            return job

    def job(self, image_id: str) -> AnalysisJob | None:
        with self._lock:
            return self._jobs.get(image_id)

    def active(self) -> list[AnalysisJob]:
        with self._lock:
            return [job for job in self._jobs.values() if not job.finished]

    def wait(self, image_id: str, timeout: float | None = None) -> AnalysisJob | None:
        future = self._futures.get(image_id)
        if future is not None:
            future.result(timeout=timeout)
        return self.job(image_id)

    def _set(self, image_id: str, **changes: object) -> None:
        with self._lock:
            current = self._jobs[image_id]
            self._jobs[image_id] = AnalysisJob(**{**current.__dict__, **changes})

    def _run(self, image_id: str, compress: bool) -> None:
        self._set(image_id, state="running", started_at=time.time())
        try:
            analyses.analyze(self.client_factory(), image_id, compress=compress, store=self.store)
        except Exception as exc:  # the worker outlives any one image
            self._set(image_id, state="failed", ended_at=time.time(), error=str(exc))
        else:
            self._set(image_id, state="done", ended_at=time.time())


_jobs: dict[str, AnalysisJobs] = {}
_jobs_lock = threading.Lock()


def analysis_jobs() -> AnalysisJobs:
    """The process's analysis queue for the current store (created on first use)."""
    store = Store()
    with _jobs_lock:
        if str(store.path) not in _jobs:
            _jobs[str(store.path)] = AnalysisJobs(store)
        return _jobs[str(store.path)]
