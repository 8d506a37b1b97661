"""Work on images in the background (analyses, registry pushes, rebuild-cost probes):
one worker per process.

A page asks for a job and returns at once; the worker thread (owned by the process,
not by a page run) does the jobs one at a time and keeps their results in the store,
so a rerun or a second tab sees the same job and, when it ends, the stored result.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import docker

from workbench import analyses, engine, rebuild, registry
from workbench.project import load_project
from workbench.store import Store

ANALYSIS = "analysis"
PUSH = "push"
REBUILD = "rebuild-cost"  # its subject is rebuild_subject(project path, variant)


def rebuild_subject(project_path: str | Path, variant: str, drop: tuple[str, ...] = ()) -> str:
    """The subject of a rebuild-cost job: a project's variant (and the dependencies
    pruned-deps drops), as JSON."""
    return json.dumps([str(project_path), variant, list(drop)])


def _rebuild_parts(subject: str) -> tuple[str, str, tuple[str, ...]]:
    path, variant, drop = json.loads(subject)
    return path, variant, tuple(drop)


@dataclass(frozen=True)
class ImageJob:
    """The state of one requested job on an image (or, for REBUILD, a project's variant)."""

    image_id: str
    kind: str  # ANALYSIS, PUSH or REBUILD
    state: str  # "queued", "running", "done" or "failed"
    requested_at: float
    started_at: float | None = None
    ended_at: float | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    @property
    def label(self) -> str:
        """What the job works on, short: an image id's first 12 digits, or a variant."""
        if self.kind == REBUILD:
            return _rebuild_parts(self.image_id)[1]
        return self.image_id[7:19]


class ImageJobs:
    """The process's queue of image jobs."""

    def __init__(
        self, store: Store, client_factory: Callable[[], docker.DockerClient] = engine.connect
    ) -> None:
        self.store = store
        self.client_factory = client_factory
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workbench-images")
        # rebuild probes wait for builds and then build for minutes: a queue of their own,
        # so analyses and pushes of new images do not wait behind them
        self._probes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workbench-probes")
        self._jobs: dict[tuple[str, str], ImageJob] = {}
        self._futures: dict[tuple[str, str], Future] = {}
        self._lock = threading.Lock()

    def submit(self, image_id: str, kind: str = ANALYSIS) -> ImageJob:
        """Queue a job unless the same job on the same image is queued or running."""
        key = (kind, image_id)
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and not job.finished:
                return job
            job = ImageJob(image_id, kind, "queued", time.time())
            self._jobs[key] = job
            executor = self._probes if kind == REBUILD else self._executor
            self._futures[key] = executor.submit(self._run, key)
            return job

    def job(self, image_id: str, kind: str = ANALYSIS) -> ImageJob | None:
        with self._lock:
            return self._jobs.get((kind, image_id))

    def active(self) -> list[ImageJob]:
        with self._lock:
            return [job for job in self._jobs.values() if not job.finished]

    def wait(
        self, image_id: str, kind: str = ANALYSIS, timeout: float | None = None
    ) -> ImageJob | None:
        future = self._futures.get((kind, image_id))
        if future is not None:
            future.result(timeout=timeout)
        return self.job(image_id, kind)

    def _set(self, key: tuple[str, str], **changes: object) -> None:
        with self._lock:
            current = self._jobs[key]
            self._jobs[key] = ImageJob(**{**current.__dict__, **changes})

    def _run(self, key: tuple[str, str]) -> None:
        kind, image_id = key
        self._set(key, state="running", started_at=time.time())
        try:
            client = self.client_factory()
            if kind == PUSH:
                registry.push_image(client, image_id, store=self.store, log=lambda line: None)
            elif kind == REBUILD:
                path, variant, drop = _rebuild_parts(image_id)
                rebuild.wait_for_idle_builds(self.store)
                rebuild.measure_variant(
                    client, load_project(path), variant, store=self.store, drop=drop
                )
            else:
                analyses.analyze(client, image_id, store=self.store)
        except Exception as exc:  # the worker outlives any one image
            self._set(key, state="failed", ended_at=time.time(), error=str(exc))
        else:
            self._set(key, state="done", ended_at=time.time())


_queues: dict[str, ImageJobs] = {}
_queues_lock = threading.Lock()


def image_jobs() -> ImageJobs:
    """The process's job queue for the current store (created on first use)."""
    store = Store()
    with _queues_lock:
        if str(store.path) not in _queues:
            _queues[str(store.path)] = ImageJobs(store)
        return _queues[str(store.path)]
