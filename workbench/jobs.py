"""The one background-work mechanism: lanes of jobs owned by the process.

Builds, analyses, registry pushes, rebuild-cost probes, audits, smoke tests and
optimize runs all run here.  A page (or a command) asks for a job and returns at once;
each lane's worker thread (owned by the process, not by a page run) does its jobs one
at a time, and the work keeps its results in the store, so a rerun or a second tab sees
the same job and, when it ends, the stored result.  Asking for a job whose subject
already has one queued or running gives that job back.

Lanes keep slow work from holding up quick work: analyses and pushes share one, while
builds, rebuild probes (which wait for builds, then build for minutes), audits, smoke
tests and optimize runs (which queue builds and wait for them) each have their own.
What a job does is a function the stage that owns it passes in
(:func:`workbench.analysis.stored.start_analysis`, ...); this module knows nothing of
images or builds.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from workbench.store import Store

BUILD = "build"
ANALYSIS = "analysis"
PUSH = "push"
REBUILD = "rebuild-cost"
AUDIT = "audit"
SMOKE = "smoke"
OPTIMIZE = "optimize"
FILE_LISTS = "file-lists"
LANES: dict[str, str] = {
    BUILD: "builds",
    ANALYSIS: "images",
    PUSH: "images",
    REBUILD: "probes",
    AUDIT: "audits",
    SMOKE: "smoke",
    OPTIMIZE: "optimize",
    FILE_LISTS: "file-lists",
}
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

T = TypeVar("T")


@dataclass(frozen=True)
class Job:
    """The state of one requested job.

    Attributes:
        kind: what it does (:data:`ANALYSIS`, :data:`PUSH`, ...).
        subject: what it works on: an image id, a project key, a rebuild subject.
        label: the subject, short, for people (an image id's first 12 digits, a variant).
        state: ``"queued"``, ``"running"``, ``"done"`` or ``"failed"``.
        requested_at: when it was asked for (epoch seconds).
        started_at: when its work began.
        ended_at: when its work ended.
        error: why it failed, in one line.
    """

    kind: str
    subject: Hashable
    label: str
    state: str
    requested_at: float
    started_at: float | None = None
    ended_at: float | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)


class Lane:
    """One worker thread doing jobs one at a time, first in, first out.

    The thread is a daemon, as the work it does is recorded in the store as it goes:
    a process that exits does not wait for queued work (a build it was running is
    marked interrupted at the next start, and the build's CLI dies with it).
    """

    def __init__(self, name: str) -> None:
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name=f"workbench-{name}", daemon=True)
        self._thread.start()

    def submit(self, work: Callable[..., object], *args: object) -> Future:
        """Queue ``work(*args)``; the future holds its result or exception."""
        future: Future = Future()
        self._queue.put((future, work, args))
        return future

    def _loop(self) -> None:
        while True:
            future, work, args = self._queue.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = work(*args)
            except BaseException as exc:  # handed to whoever waits on the future
                future.set_exception(exc)
            else:
                future.set_result(result)


class Jobs:
    """A process's jobs: one worker thread per lane, one job per kind and subject."""

    def __init__(self) -> None:
        self._lanes: dict[str, Lane] = {}
        self._jobs: dict[tuple[str, Hashable], Job] = {}
        self._futures: dict[tuple[str, Hashable], Future] = {}
        self._lock = threading.Lock()

    def submit(
        self, kind: str, subject: Hashable, work: Callable[[], object], label: str | None = None
    ) -> Job:
        """Queue ``work`` as the job on ``subject``, unless that job is queued or running.

        Args:
            kind: one of the kinds of :data:`LANES`.
            subject: what the job works on (hashable; equal subjects are the same job).
            work: what to do; an exception it raises fails the job with its message.
            label: the subject for people (default: ``str(subject)``).

        Returns:
            The job: the new one, or the one already queued or running.
        """
        key = (kind, subject)
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and not job.finished:
                return job
            job = Job(kind, subject, label or str(subject), QUEUED, time.time())
            self._jobs[key] = job
            self._futures[key] = self._lane(kind).submit(self._run, key, work)
            return job

    def job(self, kind: str, subject: Hashable) -> Job | None:
        """The newest job of this kind on this subject, ``None`` if none was asked for."""
        with self._lock:
            return self._jobs.get((kind, subject))

    def running(self, kind: str, subject: Hashable) -> bool:
        """Whether that job is queued or running."""
        job = self.job(kind, subject)
        return job is not None and not job.finished

    def active(self, kinds: tuple[str, ...] | None = None) -> list[Job]:
        """The jobs queued or running (optionally of some kinds only), oldest first."""
        with self._lock:
            jobs = [j for j in self._jobs.values() if not j.finished]
        return sorted(
            (j for j in jobs if kinds is None or j.kind in kinds), key=lambda j: j.requested_at
        )

    def wait(self, kind: str, subject: Hashable, timeout: float | None = None) -> Job | None:
        """Block until that job ends (or the timeout passes); return it."""
        with self._lock:
            future = self._futures.get((kind, subject))
        if future is not None:
            future.result(timeout=timeout)
        return self.job(kind, subject)

    def _lane(self, kind: str) -> Lane:
        name = LANES.get(kind, kind)
        if name not in self._lanes:
            self._lanes[name] = Lane(name)
        return self._lanes[name]

    def _set(self, key: tuple[str, Hashable], **changes: object) -> None:
        with self._lock:
            self._jobs[key] = replace(self._jobs[key], **changes)

    def _run(self, key: tuple[str, Hashable], work: Callable[[], object]) -> None:
        self._set(key, state=RUNNING, started_at=time.time())
        try:
            work()
        except Exception as exc:  # the worker outlives any one job; the job says why
            self._set(key, state=FAILED, ended_at=time.time(), error=str(exc))
        else:
            self._set(key, state=DONE, ended_at=time.time())


class PerStore(Generic[T]):
    """One object per store file in this process, made on first use.

    The process's build service and jobs belong to the store they report to: a test (or
    a second workbench home) with another store gets its own.
    """

    def __init__(self, make: Callable[[Store], T]) -> None:
        self._make = make
        self._made: dict[str, T] = {}
        self._lock = threading.Lock()

    def __call__(self) -> T:
        store = Store()
        with self._lock:
            if str(store.path) not in self._made:
                self._made[str(store.path)] = self._make(store)
            return self._made[str(store.path)]


process_jobs: PerStore[Jobs] = PerStore(lambda store: Jobs())
"""The process's jobs for the current store (``process_jobs()``)."""
